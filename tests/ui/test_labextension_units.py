"""The labextension's own unit tests (jest, in labextension/), run from the test suite."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

LABEXTENSION = Path(__file__).resolve().parents[2] / "labextension"

pytestmark = pytest.mark.slow


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is missing: run .ci/setup.sh (it installs Node)", pytrace=False)
    if not (LABEXTENSION / "node_modules").is_dir():
        pytest.fail("labextension/node_modules is missing: run .ci/setup.sh", pytrace=False)
    return npm


def test_the_labextension_unit_tests_pass(tmp_path: Path) -> None:
    report = tmp_path / "jest.json"
    done = subprocess.run(
        [_npm(), "test", "--", "--ci", "--json", f"--outputFile={report}"],
        cwd=LABEXTENSION,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    result = json.loads(report.read_text())
    assert result["numFailedTests"] == 0
    assert result["numPassedTests"] >= 10, result["numPassedTests"]


def test_the_built_extension_is_where_jupyterlab_finds_it() -> None:
    built = LABEXTENSION.parent / "jupyter_orch" / "_labextension" / "package.json"
    assert built.is_file(), "run pip install -e . (it builds labextension/)"
    data = json.loads(built.read_text())
    assert data["name"] == "jupyter-orch"
    assert data["jupyterlab"]["_build"]["load"].startswith("static/remoteEntry.")
