"""The conformance legs' closing note: passed, failed and expected failures per leg."""

from __future__ import annotations

from typing import Any

import pytest

from .suite import RESULTS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not RESULTS:
        return
    terminalreporter.section("MCP conformance (client, through jupyter-orch's MCP layer)")
    for leg in RESULTS:
        terminalreporter.write_line(leg.summary())


@pytest.fixture(scope="session")
def conformance_node() -> str:
    from .suite import node22

    return node22()
