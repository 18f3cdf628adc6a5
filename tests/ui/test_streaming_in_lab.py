"""A ``%%chat`` cell's answer streamed over the bridge in real JupyterLab: the page renders
the new text as it comes into the cell's output; the final turn replaces it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from jupyter_orch.testing.openai_server import OpenAIServer

from .conftest import Lab
from .test_approval_in_lab import MODEL_DEADLINE_MS, SETUP_CELL
from .test_side_panel_in_lab import TURN_MIME, model  # noqa: F401  (the paced model fixture)

pytestmark = [pytest.mark.ui, pytest.mark.slow]

STREAM_MIME = "application/vnd.jupyter-orch.stream+json"


def test_a_chat_cell_streams_its_answer_over_the_bridge_then_shows_the_final_turn(
    lab: Lab,
    model: OpenAIServer,  # noqa: F811
) -> None:
    notebook = lab.open_notebook(
        "streamed.ipynb", [SETUP_CELL.format(api_base=model.url), "%%chat\nAnswer slowly."]
    )
    notebook.run_cell(0)
    notebook.wait_until_executed(0)
    notebook.assert_no_error(0)
    notebook.run_cell(1)

    streamed = notebook.output(1).locator(f'[data-mime-type="{STREAM_MIME}"]')
    expect(streamed).to_contain_text("first paragraph of a slow answer", timeout=MODEL_DEADLINE_MS)
    expect(streamed).not_to_contain_text("The end.")
    expect(streamed.locator("pre")).to_contain_text("print('inserted from the panel')")
    lab.screenshot("streaming")

    final = notebook.output(1).locator(f'[data-mime-type="{TURN_MIME}"]')
    expect(final).to_contain_text("The end.", timeout=MODEL_DEADLINE_MS)
    expect(streamed).to_have_count(0)
    expect(final.locator(".jp-OrchTurn-footer")).to_contain_text(re.compile("openai/test-model"))
    notebook.assert_no_error(1)
