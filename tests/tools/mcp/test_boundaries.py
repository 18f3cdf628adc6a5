"""The MCP SDK stays inside jupyter_orch/tools/mcp, and loading the magics does not import it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "jupyter_orch"
SDK_IMPORT = re.compile(r"^\s*(from|import)\s+(mcp|mcp_types)\b", re.MULTILINE)


def test_every_import_of_the_sdk_lives_in_the_mcp_adapter() -> None:
    outside = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if SDK_IMPORT.search(path.read_text(encoding="utf-8"))
        and PACKAGE / "tools" / "mcp" not in path.parents
    ]
    assert outside == []


def test_the_magics_and_the_config_parser_load_without_the_sdk() -> None:
    code = (
        "import sys\n"
        "import jupyter_orch.ipython.mcp_magics, jupyter_orch.tools.mcp.config\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mcp', 'mcp_types')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
