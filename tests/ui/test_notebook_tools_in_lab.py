"""The notebook tools in real JupyterLab, with the local test model calling them: reading a
cell with a plot, inserting a cell (the card's diff, Approve, Reject), fixing the error in
the cell above while the user types in it, running it, undoing the chat's changes, and
"Explain this error" with {Err}."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from jupyter_orch.testing.openai_server import OpenAIServer
from tests.support.png import PLOT_CELL
from tests.support.responders import calls_in_turn

from .conftest import Lab, Notebook

pytestmark = [pytest.mark.ui, pytest.mark.slow]

MODEL_DEADLINE_MS = 60_000
SETUP_CELL = """\
%load_ext jupyter_orch
%config JupyterOrch.model = "{model}"
%config JupyterOrch.params = {{"api_base": "{api_base}", "api_key": "sk-test"}}"""
BROKEN = "total = 2 +\nprint(total)"
FIXED = "total = 2 + 3\nprint(total)"
REASON = "no heading here"

_SOURCE_JS = """
([path, index]) => {
  const panel = Array.from(window.jupyterapp.shell.widgets('main')).find(
    (w) => w.context && w.context.path === path);
  const cell = panel.content.model.cells.get(index);
  return {source: cell.sharedModel.getSource(), type: cell.type,
          outputs: cell.type === 'code' ? cell.outputs.toJSON() : []};
}
"""


@pytest.fixture
def model() -> Iterator[OpenAIServer]:
    with OpenAIServer() as server:
        yield server


def _open(lab: Lab, name: str, model: OpenAIServer, cells: list[str], llm: str) -> Notebook:
    setup = SETUP_CELL.format(model=llm, api_base=model.url)
    notebook = lab.open_notebook(name, [setup, *cells])
    notebook.run_cell(0)
    notebook.wait_until_executed(0)
    notebook.assert_no_error(0)
    return notebook


def _cell(notebook: Notebook, index: int) -> dict[str, Any]:
    return dict(notebook.page.evaluate(_SOURCE_JS, [notebook.path, index]))


def _card(notebook: Notebook, index: int, title: str) -> Locator:
    card = notebook.output(index).locator(".jupyter-orch-approval", has_text=title)
    try:
        expect(card).to_have_count(1, timeout=MODEL_DEADLINE_MS)
    except AssertionError:
        notebook.assert_no_error(index)
        raise
    return card


def _button(card: Locator, label: str) -> Locator:
    return card.locator("button.widget-button", has_text=re.compile(rf"^\s*{label}\s*$"))


def _finished(notebook: Notebook, index: int) -> Locator:
    output = notebook.output(index)
    expect(output.locator(".jupyter-orch-approval")).to_have_count(0, timeout=MODEL_DEADLINE_MS)
    notebook.wait_until_executed(index, timeout_ms=MODEL_DEADLINE_MS)
    notebook.assert_no_error(index)
    return output


def _tool_messages(model: OpenAIServer) -> list[str]:
    return [str(m["content"]) for m in model.requests[-1]["messages"] if m["role"] == "tool"]


def _palette(page: Page, command: str) -> None:
    page.keyboard.press("Control+Shift+c")
    palette = page.locator("#command-palette")
    page.keyboard.type(command)
    expect(palette.locator(".lm-CommandPalette-item", has_text=command).first).to_be_visible()
    page.keyboard.press("Enter")


def test_reading_a_cell_with_a_plot_sends_the_image_to_the_model(
    lab: Lab, model: OpenAIServer
) -> None:
    chat = "%%chat\nWhat does the plot in cell 2 show?"
    notebook = _open(lab, "plot.ipynb", model, [PLOT_CELL, chat], "openai/gpt-4o")
    notebook.run_cell(1)
    expect(notebook.output(1).locator("img")).to_have_count(1, timeout=MODEL_DEADLINE_MS)
    model.responder = calls_in_turn([("read_cell", {"cell": "2"})])
    notebook.run_cell(2)
    _finished(notebook, 2)
    (tool,) = _tool_messages(model)
    assert "live from the page" in tool and "plot = Image(data=_png(" in tool
    images = [
        part["image_url"]["url"]
        for m in model.requests[-1]["messages"]
        if m["role"] == "user" and isinstance(m["content"], list)
        for part in m["content"]
        if part.get("type") == "image_url"
    ]
    assert len(images) == 1 and images[0].startswith("data:image/png;base64,iVBOR")
    notebook.screenshot("answered")


def test_an_insert_shows_its_diff_approve_inserts_and_reject_leaves_the_notebook(
    lab: Lab, model: OpenAIServer
) -> None:
    chat = "%%chat\nAdd a heading above x"
    cells = ["x = 1", chat, "y = 2"]  # the chat is not last: running it adds no cell
    notebook = _open(lab, "insert.ipynb", model, cells, "openai/test-model")
    heading = {"source": "# Data\nThe value **x**.", "cell_type": "markdown", "position": 2}
    model.responder = calls_in_turn([("insert_cell", heading)])
    notebook.run_cell(2)
    card = _card(notebook, 2, "Insert a new markdown cell at position 2")
    expect(card).to_contain_text("+ # Data")
    expect(card).to_contain_text("+ The value **x**.")
    expect(notebook.cells).to_have_count(4)  # nothing changed before the decision
    notebook.screenshot("insert-card")
    _button(card, "Approve").click()
    expect(notebook.cells).to_have_count(5)
    assert _cell(notebook, 1) == {"source": heading["source"], "type": "markdown", "outputs": []}
    expect(
        lab.page.locator(".Toastify__toast", has_text="The chat changed this notebook")
    ).to_be_visible()
    _finished(notebook, 3)

    notebook.run_cell(3)  # the chat cell, now fourth: the model asks again
    card = _card(notebook, 3, "Insert a new markdown cell at position 2")
    card.get_by_placeholder("Reason (optional)").click()
    lab.page.keyboard.type(REASON, delay=30)
    _button(card, "Reject").click()
    _finished(notebook, 3)
    expect(notebook.cells).to_have_count(5)
    assert _tool_messages(model) == [f"The user rejected this tool call: {REASON}"]
    notebook.screenshot("rejected")


def test_fix_the_error_above_then_run_it_while_the_user_types_then_undo_it_all(
    lab: Lab, model: OpenAIServer
) -> None:
    chat = "%%chat\nFix the error in the cell above:\n{Err}"
    notebook = _open(lab, "fix.ipynb", model, [BROKEN, chat], "openai/test-model")
    notebook.run_cell(1)
    notebook.wait_for_output(1, "SyntaxError")
    broken = _cell(notebook, 1)
    model.responder = calls_in_turn(
        [("replace_cell", {"cell": "2", "source": FIXED}), ("run_cell", {"cell": "2"})]
    )
    notebook.run_cell(2)
    card = _card(notebook, 2, "Replace the source of cell 2")
    expect(card).to_contain_text("- total = 2 +")
    expect(card).to_contain_text("+ total = 2 + 3")
    sent = str(model.requests[0]["messages"][-1]["content"])
    assert "The error of In [2]:" in sent and "SyntaxError" in sent

    # While the card waits, the user adds a line at the end of the same cell.
    notebook.cell(1).locator(".jp-InputArea-editor").click()
    lab.page.keyboard.press("Control+End")
    lab.page.keyboard.type("\n# checked", delay=30)
    expect(notebook.cell(1).locator(".cm-content")).to_contain_text("# checked")
    notebook.screenshot("fix-card")
    _button(card, "Approve").click()

    run = _card(notebook, 2, "Run cell 2")
    expect(_button(run, "Allow for this session")).to_have_count(0)  # a run asks every time
    _button(run, "Approve").click()
    _finished(notebook, 2)
    fixed = _cell(notebook, 1)
    assert fixed["source"] == FIXED + "\n# checked"  # the user's line is kept
    assert fixed["outputs"] == [{"output_type": "stream", "name": "stdout", "text": "5\n"}]
    notebook.wait_for_output(1, "5")
    assert "Ran cell 2" in _tool_messages(model)[-1] and "printed:\n5" in _tool_messages(model)[-1]
    notebook.screenshot("fixed")

    _palette(lab.page, "Undo the chat's changes")
    toast = lab.page.locator(".Toastify__toast", has_text="Undid 2 changes of the chat")
    expect(toast).to_be_visible()
    undone = _cell(notebook, 1)
    assert undone["source"] == BROKEN + "\n# checked"
    assert undone["outputs"] == broken["outputs"]
    notebook.wait_for_output(1, "SyntaxError")
    notebook.screenshot("undone")


def test_explain_this_error_quotes_the_error_with_err(lab: Lab, model: OpenAIServer) -> None:
    failing = "d = {'height': 1.7}\nd['weight']"
    notebook = _open(lab, "explain.ipynb", model, [failing], "openai/test-model")
    notebook.run_cell(1)
    notebook.wait_for_output(1, "KeyError")
    notebook.cell(1).locator(".jp-InputArea-editor").click(button="right")
    lab.page.locator(".lm-Menu").get_by_text("Explain this error").click()
    expect(notebook.cells).to_have_count(4)  # below the failed cell (and the blank one run added)
    inserted = _cell(notebook, 2)["source"]
    assert inserted.startswith("%%chat\nExplain this error from the cell (In [2])")
    assert inserted.rstrip().endswith("{Err}")
    notebook.run_cell(2)
    _finished(notebook, 2)
    sent = str(model.requests[-1]["messages"][-1]["content"])
    assert "{Err}" not in sent
    assert "The error of In [2]:" in sent and "Cell In[2], line 2" in sent
    assert "KeyError: 'weight'" in sent
    notebook.screenshot("explained")


def test_notebook_7_inserts_an_approved_cell_and_undoes_it_from_the_notification(
    lab: Lab, model: OpenAIServer
) -> None:
    chat = "%%chat\nAdd a cell that prints x"
    setup = SETUP_CELL.format(model="openai/test-model", api_base=model.url)
    notebook = lab.open_notebook("nb7-edit.ipynb", [setup, "x = 1", chat, "y = 2"], app="notebooks")
    notebook.run_cell(0)
    notebook.wait_until_executed(0)
    model.responder = calls_in_turn([("insert_cell", {"source": "print(x)", "position": 3})])
    notebook.run_cell(2)
    card = _card(notebook, 2, "Insert a new code cell at position 3")
    expect(card).to_contain_text("+ print(x)")
    _button(card, "Approve").click()
    expect(notebook.cells).to_have_count(5)
    assert _cell(notebook, 2)["source"] == "print(x)"
    _finished(notebook, 3)
    toast = lab.page.locator(".Toastify__toast", has_text="The chat changed this notebook")
    toast.get_by_role("button", name="Undo the chat's changes").click()
    expect(notebook.cells).to_have_count(4)
    assert [_cell(notebook, i)["source"] for i in (1, 2, 3)] == ["x = 1", chat, "y = 2"]
    lab.screenshot("nb7-undone")
