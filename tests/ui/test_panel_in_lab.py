"""The chat panel in real JupyterLab: type, Send, approve a tool call, read the answer.

The model is the local OpenAI-compatible server of this test process: it asks for
``add(a=2, b=3)``, then quotes the tool results back ("Tool results: add: 5").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from jupyter_orch.testing.openai_server import OpenAIServer, tool_then_answer

from .conftest import Lab
from .test_approval_in_lab import CHECK_CELL, MODEL_DEADLINE_MS, SETUP_CELL, _button

pytestmark = [pytest.mark.ui, pytest.mark.slow]


@pytest.fixture
def model() -> Iterator[OpenAIServer]:
    """The fake model: a tool call to ``add(2, 3)``, then an answer quoting the results."""
    with OpenAIServer(tool_then_answer("add", {"a": 2, "b": 3})) as server:
        yield server


def test_a_panel_message_asks_before_the_tool_runs_and_cells_run_meanwhile(
    lab: Lab, model: OpenAIServer
) -> None:
    notebook = lab.open_notebook(
        "panel.ipynb", [SETUP_CELL.format(api_base=model.url), "%chat panel", CHECK_CELL]
    )
    for index in (0, 1):
        notebook.run_cell(index)
        notebook.wait_until_executed(index)
        notebook.assert_no_error(index)
    panel = notebook.output(1).locator(".jupyter-orch-panel")
    expect(panel).to_have_count(1)

    panel.locator("textarea").fill("What is 2 + 3? Use the add tool.")
    _button(panel, "Send").click()
    card = panel.locator(".jupyter-orch-approval")
    expect(card).to_have_count(1, timeout=MODEL_DEADLINE_MS)
    expect(card).to_contain_text(re.compile(r'"a":\s*2'))
    expect(panel).to_contain_text("What is 2 + 3? Use the add tool.")
    # The turn waits for the click as a task on the kernel's loop: cells still run.
    notebook.run_cell(2)
    notebook.wait_for_output(2, "add calls: []")
    notebook.screenshot("card")

    _button(card, "Approve").click()
    answer = panel.locator(
        '[data-mime-type="application/vnd.jupyter-orch.turn+json"],'
        '[data-mime-type="text/markdown"]',
        has_text="Tool results: add: 5",
    )
    expect(answer).to_have_count(1, timeout=MODEL_DEADLINE_MS)
    expect(panel.locator(".jupyter-orch-approval")).to_have_count(0)
    expect(_button(panel, "Send")).to_be_enabled()
    notebook.run_cell(2)
    notebook.wait_for_output(2, "add calls: [(2, 3)]")
    notebook.screenshot("answered")
