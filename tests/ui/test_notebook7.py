"""The same core flow in Notebook 7: saved turns rendered with no kernel, and a live turn whose
approval, out of view, is decided from the notification over the bridge."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from jupyter_orch.testing.openai_server import OpenAIServer, tool_then_answer

from .conftest import Lab
from .saved import record_tool_turns, without_kernel
from .test_bridge_in_lab import CHAT_CELL, CHECK_CELL, FILLER, SETUP_CELL

pytestmark = [pytest.mark.ui, pytest.mark.slow]

MODEL_DEADLINE_MS = 60_000


@pytest.fixture
def model() -> Iterator[OpenAIServer]:
    with OpenAIServer(tool_then_answer("add", {"a": 2, "b": 3})) as server:
        yield server


def test_notebook_7_renders_a_saved_tool_turn(lab: Lab, tmp_path: Path) -> None:
    saved: dict[str, Any] = record_tool_turns(tmp_path)
    cells = lab.open_saved("nb7-saved.ipynb", without_kernel(saved), app="notebooks")
    turn = cells.nth(1).locator(".jp-OrchTurn")
    expect(turn.locator("details.jp-OrchToolCall summary")).to_contain_text("approved")
    expect(turn.locator(".jp-OrchTurn-footer")).to_contain_text("openai/test-model")
    lab.screenshot("nb7-saved")


def test_notebook_7_approves_from_the_notification_over_the_bridge(
    lab: Lab, model: OpenAIServer
) -> None:
    cells = [SETUP_CELL.format(api_base=model.url), CHAT_CELL, FILLER, FILLER, CHECK_CELL]
    notebook = lab.open_notebook("nb7-live.ipynb", cells, app="notebooks")
    notebook.run_cell(0)
    notebook.wait_until_executed(0)
    notebook.assert_no_error(0)
    notebook.run_cell(1)
    card = notebook.output(1).locator(".jupyter-orch-approval")
    expect(card).to_have_count(1, timeout=MODEL_DEADLINE_MS)

    box = notebook.panel.bounding_box()
    assert box is not None
    lab.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    lab.page.mouse.wheel(0, 2500)
    toast = lab.page.locator(".Toastify__toast", has_text="waits for your decision")
    toast.get_by_role("button", name="Approve").click()
    notebook.wait_for_output(1, "Tool results: add: 5", timeout_ms=MODEL_DEADLINE_MS)
    notebook.run_cell(4)
    notebook.wait_for_output(4, "add calls: [(2, 3)]")
    lab.screenshot("nb7-approved")
