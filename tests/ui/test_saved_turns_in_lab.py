"""A saved notebook's turns, rendered by the labextension from their records, with no kernel."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import Lab
from .saved import record_tool_turns, without_kernel

pytestmark = [pytest.mark.ui, pytest.mark.slow]


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A notebook with one tool-using turn, recorded by a real kernel."""
    return record_tool_turns(Path(tmp_path_factory.mktemp("saved")))


def test_a_saved_tool_turn_shows_a_collapsible_tool_call_and_the_footer_with_no_kernel(
    lab: Lab, saved: dict[str, Any]
) -> None:
    cells = lab.open_saved("saved.ipynb", without_kernel(saved))
    turn = cells.nth(1).locator(".jp-OrchTurn")
    expect(turn).to_have_count(1)
    # The renderer was preferred over the bundle's Markdown fallback.
    expect(cells.nth(1).locator('[data-mime-type="text/markdown"]')).to_have_count(0)
    expect(lab.page.locator(".jp-KernelStatus, .jp-Toolbar-kernelName").first).to_contain_text(
        "No Kernel"
    )

    call = turn.locator("details.jp-OrchToolCall")
    expect(call).to_have_count(1)
    summary = call.locator("summary")
    expect(summary).to_contain_text("add")
    expect(summary).to_contain_text("from notebook")
    expect(summary).to_contain_text("approved")
    result = call.locator(".jp-OrchToolCall-result")
    expect(result).to_be_hidden()  # collapsed until the user opens it

    summary.click()
    expect(result).to_be_visible()
    expect(result).to_have_text("5")
    expect(call).to_contain_text("approved by the headless policy")
    expect(call.locator(".jp-OrchToolCall-arguments")).to_contain_text(re.compile(r'"a":\s*2'))

    footer = turn.locator(".jp-OrchTurn-footer")
    expect(footer).to_contain_text("openai/test-model")
    expect(footer).to_contain_text("temperature=0.2")
    expect(footer).to_contain_text(re.compile(r"\d+ → \d+ tokens"))
    expect(footer).not_to_contain_text("sk-test")
    lab.screenshot("rendered")

    footer.get_by_role("button", name="Details").click()
    info = turn.locator(".jp-OrchTurn-info")
    expect(info).to_be_visible()
    expect(info).to_contain_text("default · turn 1")
    expect(info).to_contain_text("jupyter_orch")
