"""The official MCP conformance suite's client scenarios, run against our MCP layer.

Each leg runs every client scenario of one spec revision with ``tests/conformance/client.py``
as the client; scenarios we do not pass yet are in ``expected-failures.yml`` with the reason.
The counts per leg are printed in the closing note of the test run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .suite import run_leg

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("spec", ["2025-11-25", "2026-07-28"])
def test_conformance_leg_passes_every_scenario_but_the_expected_failures(
    conformance_node: str, spec: str, tmp_path: Path
) -> None:
    result = run_leg(conformance_node, spec, tmp_path)
    print(result.summary())
    assert result.unexpected == [], (tmp_path / "suite.log").read_text()[-4000:]
    assert result.passed > 0
    # The suite itself fails a leg on a new failure or on a stale expected failure.
    assert result.exit_code == 0, (tmp_path / "suite.log").read_text()[-4000:]
