"""The core is pure: importing every core module loads none of the outer libraries."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import jupyter_orch.core

HEAVY = ("IPython", "ipywidgets", "ipykernel", "litellm", "mcp", "pydantic", "httpx", "traitlets")


def test_the_core_imports_nothing_heavy() -> None:
    modules = [
        f"jupyter_orch.core.{m.name}" for m in pkgutil.iter_modules(jupyter_orch.core.__path__)
    ]
    assert len(modules) > 10
    code = (
        "import sys\n"
        f"for name in {modules!r}: __import__(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_turn_runner_imports_nothing_heavy_either() -> None:
    code = (
        "import sys, jupyter_orch.turns, jupyter_orch.session, jupyter_orch.api\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
