"""Approve and Reject a model's tool call with the card's buttons, in real JupyterLab.

The model is the local OpenAI-compatible server, running in this test process; the kernel
reaches it over 127.0.0.1 through litellm. Its first reply asks for ``add(a=2, b=3)``; its
next one quotes the tool results back ("Tool results: add: 5").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, expect

from jupyter_orch.testing.openai_server import OpenAIServer, tool_then_answer
from jupyter_orch.testing.replies import content_text

from .conftest import Lab, Notebook

pytestmark = [pytest.mark.ui, pytest.mark.slow]

# The first %%chat imports litellm in the kernel (2.4-3.5 s on these machines) before it asks.
MODEL_DEADLINE_MS = 60_000
REASON = "I can add small numbers myself"

SETUP_CELL = '''\
%load_ext jupyter_orch
%config JupyterOrch.model = "openai/test-model"
%config JupyterOrch.params = {{"api_base": "{api_base}", "api_key": "sk-test"}}
import jupyter_orch

calls = []

@jupyter_orch.tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    calls.append((a, b))
    return a + b'''
CHAT_CELL = "%%chat\nWhat is 2 + 3? Use the add tool."
CHECK_CELL = 'print("add calls:", calls)'


@pytest.fixture
def model() -> Iterator[OpenAIServer]:
    """The fake model: a tool call to ``add(2, 3)``, then an answer quoting the results."""
    with OpenAIServer(tool_then_answer("add", {"a": 2, "b": 3})) as server:
        yield server


def _open_chat_notebook(lab: Lab, name: str, model: OpenAIServer) -> Notebook:
    notebook = lab.open_notebook(
        name, [SETUP_CELL.format(api_base=model.url), CHAT_CELL, CHECK_CELL]
    )
    notebook.run_cell(0)
    notebook.wait_until_executed(0)
    notebook.assert_no_error(0)
    return notebook


def _button(card: Locator, description: str) -> Locator:
    # By text content: the accessible name also holds the icon's glyph (CSS ::before).
    return card.locator("button.widget-button", has_text=re.compile(rf"^\s*{description}\s*$"))


def _wait_for_card(notebook: Notebook, index: int) -> Locator:
    card = notebook.output(index).locator(".jupyter-orch-approval")
    try:
        expect(card).to_have_count(1, timeout=MODEL_DEADLINE_MS)
    except AssertionError:
        notebook.assert_no_error(index)
        raise
    # What the model wants to run, in full: the tool and its arguments.
    expect(card).to_contain_text("add")
    expect(card).to_contain_text(re.compile(r'"a":\s*2'))
    expect(card).to_contain_text(re.compile(r'"b":\s*3'))
    expect(_button(card, "Approve")).to_be_visible()
    expect(_button(card, "Reject")).to_be_visible()
    expect(card.get_by_placeholder("Reason (optional)")).to_be_visible()
    expect(_button(card, "Allow for this session")).to_be_visible()
    expect(_button(card, "Always allow")).to_be_visible()
    return card


def _wait_for_final_answer(notebook: Notebook, index: int) -> Locator:
    """The turn's end: the card is gone and one Markdown output holds the whole chat."""
    output = notebook.output(index)
    expect(output.locator(".jupyter-orch-approval")).to_have_count(0, timeout=MODEL_DEADLINE_MS)
    notebook.wait_until_executed(index, timeout_ms=MODEL_DEADLINE_MS)
    notebook.assert_no_error(index)
    expect(output.locator(".jp-OutputArea-output")).to_have_count(1)
    # The labextension renders the turn from its record; other frontends show the Markdown.
    markdown = output.locator(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter-orch.turn+json"],'
        '.jp-OutputArea-output[data-mime-type="text/markdown"]'
    )
    expect(markdown).to_have_count(1)
    return markdown


def _tool_result_sent(model: OpenAIServer) -> str:
    """The tool message the model received in its second request."""
    requests = model.wait_for_requests(2, timeout=5)
    assert len(requests) == 2, f"expected 2 model requests, got {len(requests)}"
    last = requests[1]["messages"][-1]
    assert last["role"] == "tool", f"second request ends with {last!r}"
    return content_text(last.get("content"))


def test_approving_a_tool_call_in_the_card_runs_the_function_and_the_answer_goes_on(
    lab: Lab, model: OpenAIServer
) -> None:
    notebook = _open_chat_notebook(lab, "approve.ipynb", model)

    notebook.run_cell(1)
    card = _wait_for_card(notebook, 1)
    # Queued behind the chat cell, as "Run All" would: it must wait for the whole turn.
    notebook.run_cell(2)
    expect(notebook.cell(2).locator(".jp-InputPrompt")).to_have_text("[*]:")
    notebook.screenshot("card")

    _button(card, "Approve").click()

    answer = _wait_for_final_answer(notebook, 1)
    expect(answer).to_contain_text("Tool results: add: 5")
    expect(answer).to_contain_text(re.compile(r"approved", re.IGNORECASE))
    notebook.wait_for_output(2, "add calls: [(2, 3)]")
    assert notebook.wait_until_executed(2) > notebook.wait_until_executed(1)
    assert _tool_result_sent(model) == "5"
    notebook.screenshot("answered")


def test_rejecting_a_tool_call_with_a_reason_sends_the_reason_to_the_model(
    lab: Lab, model: OpenAIServer
) -> None:
    notebook = _open_chat_notebook(lab, "reject.ipynb", model)

    notebook.run_cell(1)
    card = _wait_for_card(notebook, 1)
    # Typed key by key, as a person types, while the chat cell is still running (a paste
    # arrives as one update and once hid that only the first key reached the kernel).
    card.get_by_placeholder("Reason (optional)").click()
    notebook.page.keyboard.type(REASON, delay=40)
    notebook.screenshot("reason")

    _button(card, "Reject").click()

    answer = _wait_for_final_answer(notebook, 1)
    # The model's reply quotes the tool result it got: the rejection and its reason.
    expect(answer).to_contain_text(re.compile(rf"Tool results: add: .*{REASON}"))
    expect(answer).to_contain_text(re.compile(r"reject", re.IGNORECASE))
    expect(answer).not_to_contain_text("add: 5")
    assert _tool_result_sent(model) == f"The user rejected this tool call: {REASON}"
    notebook.run_cell(2)
    notebook.wait_for_output(2, "add calls: []")
    notebook.screenshot("answered")
