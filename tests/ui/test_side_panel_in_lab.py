"""The docked chat side panel in real JupyterLab: open it, chat, approve, stop, reload.

The model is the local OpenAI-compatible server of this test process. A message that says
"slowly" gets a long answer paced at 40 pieces a second (with a code block); one that says
"tool" gets a call to ``add(2, 3)`` and then the tool results quoted back; anything else is
echoed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from jupyter_orch.testing.openai_server import OpenAIServer, Reply
from jupyter_orch.testing.replies import content_text, echo_responder

from .conftest import Lab, Notebook
from .test_approval_in_lab import CHECK_CELL, MODEL_DEADLINE_MS, SETUP_CELL

pytestmark = [pytest.mark.ui, pytest.mark.slow]

SLOW_ANSWER = (
    "Here is the first paragraph of a slow answer, streamed piece by piece.\n\n"
    "```python\nprint('inserted from the panel')\n```\n\n"
    + " ".join(f"word{i}" for i in range(120))
    + "\n\nThe end."
)
TURN_MIME = "application/vnd.jupyter-orch.turn+json"


def _respond(request: dict[str, Any]) -> Reply:
    messages = request.get("messages") or []
    last = messages[-1] if messages else {}
    text = content_text(last.get("content")) if last.get("role") == "user" else ""
    if "slowly" in text:
        return Reply.text(SLOW_ANSWER, chunk_chars=6, tokens_per_second=40)
    if "tool" in text:
        return Reply.tool_calls([("add", {"a": 2, "b": 3})])
    return echo_responder(request)


@pytest.fixture
def model() -> Iterator[OpenAIServer]:
    with OpenAIServer(_respond) as server:
        yield server


def _panel(page: Page) -> Locator:
    return page.locator(".jp-OrchSidePanel")


def _open(lab: Lab, name: str, model: OpenAIServer, more: list[str] | None = None) -> Notebook:
    notebook = lab.open_notebook(name, [SETUP_CELL.format(api_base=model.url), *(more or [])])
    notebook.run_cell(0)
    notebook.wait_until_executed(0)
    notebook.assert_no_error(0)
    return notebook


def _open_panel_from_the_palette(page: Page) -> Locator:
    page.keyboard.press("Control+Shift+c")
    palette = page.locator("#command-palette")
    page.keyboard.type("Open the chat panel")
    item = palette.locator(".lm-CommandPalette-item", has_text="Open the chat panel")
    expect(item).to_be_visible()
    page.keyboard.press("Enter")
    panel = _panel(page)
    expect(panel).to_be_visible()
    return panel


def _open_panel_from_the_sidebar(page: Page) -> Locator:
    page.locator('.jp-SideBar.jp-mod-right .lm-TabBar-tab[data-id="jupyter-orch-chat"]').click()
    panel = _panel(page)
    expect(panel).to_be_visible()
    return panel


def _say(panel: Locator, text: str) -> None:
    box = panel.get_by_label("Message")
    box.click()
    panel.page.keyboard.type(text)
    panel.page.keyboard.press("Enter")


def _turns(panel: Locator) -> Locator:
    return panel.locator(".jp-OrchPanelTurn")


def _connected(panel: Locator, name: str) -> None:
    kernel = panel.locator(".jp-OrchHeader-kernel")
    expect(kernel).to_have_text(f"{name} · Python (jupyter-orch tests)", timeout=MODEL_DEADLINE_MS)
    expect(kernel).to_have_class(re.compile("jp-mod-connected"))


def test_the_panel_streams_an_answer_and_inserts_its_code_below_the_active_cell(
    lab: Lab, model: OpenAIServer
) -> None:
    notebook = _open(lab, "stream.ipynb", model, ["x = 1"])
    panel = _open_panel_from_the_palette(lab.page)
    _connected(panel, "stream.ipynb")

    box = panel.get_by_label("Message")
    box.click()
    lab.page.keyboard.type("Answer")
    lab.page.keyboard.press("Shift+Enter")
    lab.page.keyboard.type("slowly, please")
    expect(box).to_have_value("Answer\nslowly, please")  # Shift+Enter: a new line, not sent
    lab.page.keyboard.press("Enter")
    expect(box).to_have_value("")

    turn = _turns(panel).last
    expect(turn.locator(".jp-OrchPanelTurn-prompt")).to_have_text("Answer\nslowly, please")
    # Streaming: the first paragraph is there while the rest is still coming.
    expect(turn).to_contain_text("first paragraph of a slow answer", timeout=MODEL_DEADLINE_MS)
    expect(turn).to_have_class(re.compile("jp-mod-running"))
    expect(turn).not_to_contain_text("The end.")
    expect(panel.get_by_role("button", name="Stop")).to_be_enabled()
    lab.screenshot("streaming")
    # The end: the turn is drawn from its record, as a saved turn (footer and all).
    expect(turn).to_contain_text("The end.", timeout=MODEL_DEADLINE_MS)
    expect(turn).not_to_have_class(re.compile("jp-mod-running"))
    expect(turn.locator(".jp-OrchTurn-footer")).to_contain_text("openai/test-model")
    expect(panel.get_by_role("button", name="Stop")).to_be_disabled()
    expect(turn.locator(".jp-OrchCode pre")).to_contain_text("print('inserted from the panel')")

    notebook.cell(0).locator(".jp-InputPrompt").click()  # the active cell: the first one
    turn.get_by_role("button", name="Insert as cell below").click()
    expect(notebook.cells).to_have_count(3)
    expect(notebook.cell(1).locator(".jp-InputArea-editor")).to_have_text(
        "print('inserted from the panel')"
    )
    expect(panel.locator(".jp-OrchUsage-tokens")).to_contain_text("completion tokens")
    lab.screenshot("inserted")


def test_a_tool_call_of_a_running_cell_is_approved_in_the_panel(
    lab: Lab, model: OpenAIServer
) -> None:
    notebook = _open(lab, "approve.ipynb", model, ["%%chat\nUse the tool, please.", CHECK_CELL])
    panel = _open_panel_from_the_sidebar(lab.page)
    _connected(panel, "approve.ipynb")
    notebook.run_cell(1)
    cell_card = notebook.output(1).locator(".jupyter-orch-approval")
    expect(cell_card).to_have_count(1, timeout=MODEL_DEADLINE_MS)

    waiting = panel.locator(".jp-OrchConversation-others")
    expect(waiting).to_contain_text("Waiting for your decision")
    card = waiting.locator(".jp-OrchPanelCard")
    expect(card.locator(".jp-OrchPanelCard-title")).to_have_text("add (notebook)")
    expect(card.locator(".jp-OrchPanelCard-arguments")).to_have_text('{"a": 2, "b": 3}')
    lab.screenshot("card-in-panel")
    card.get_by_role("button", name="Approve").click()

    # The same pending call: the cell's card shows the decision, the tool runs.
    expect(cell_card.locator("button.widget-button", has_text="Approve")).to_be_hidden()
    notebook.wait_for_output(1, "Tool results: add: 5", timeout_ms=MODEL_DEADLINE_MS)
    expect(waiting).to_be_hidden()
    notebook.run_cell(2)
    notebook.wait_for_output(2, "add calls: [(2, 3)]")
    # The cell's turn joined the thread the panel shows.
    expect(_turns(panel)).to_have_count(1, timeout=MODEL_DEADLINE_MS)
    expect(_turns(panel).first).to_contain_text("Use the tool, please.")
    expect(_turns(panel).first).to_contain_text("Tool results: add: 5")

    # The other way round: decided on the cell's card, the panel's card goes.
    notebook.run_cell(1)
    cell_card = notebook.output(1).locator(".jupyter-orch-approval")
    expect(waiting.locator(".jp-OrchPanelCard")).to_have_count(1, timeout=MODEL_DEADLINE_MS)
    cell_card.locator("button.widget-button", has_text="Approve").click()
    expect(waiting).to_be_hidden()
    notebook.wait_for_output(1, "Tool results: add: 5", timeout_ms=MODEL_DEADLINE_MS)


def test_the_panel_follows_the_notebook_the_user_switches_to(lab: Lab, model: OpenAIServer) -> None:
    _open(lab, "first.ipynb", model)
    panel = _open_panel_from_the_sidebar(lab.page)
    _connected(panel, "first.ipynb")
    _say(panel, "hello from the first notebook")
    expect(_turns(panel).first).to_contain_text(
        "echo: hello from the first notebook", timeout=MODEL_DEADLINE_MS
    )

    # A second notebook, opened from the file browser as a person does.
    (lab.server.root_dir / "second.ipynb").write_text(
        (lab.server.root_dir / "first.ipynb").read_text()
    )
    lab.page.get_by_title("Refresh the file browser").click()
    listing = lab.page.locator(".jp-DirListing-item", has_text="second.ipynb")
    expect(listing).to_have_count(1, timeout=MODEL_DEADLINE_MS)
    listing.dblclick()
    second = Notebook(lab, "second.ipynb")
    second.wait_until_kernel_idle()
    second.run_cell(0)
    second.wait_until_executed(0)
    _connected(panel, "second.ipynb")
    expect(panel.locator(".jp-OrchConversation")).to_have_class(re.compile("jp-mod-empty"))

    lab.page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text="first.ipynb").click()
    _connected(panel, "first.ipynb")
    expect(_turns(panel).first).to_contain_text("echo: hello from the first notebook")
    lab.screenshot("followed")


def test_after_a_reload_the_panel_shows_the_threads_history_again(
    lab: Lab, model: OpenAIServer
) -> None:
    _open(lab, "reload.ipynb", model)
    panel = _open_panel_from_the_sidebar(lab.page)
    _connected(panel, "reload.ipynb")
    _say(panel, "remember me")
    expect(_turns(panel).first).to_contain_text("echo: remember me", timeout=MODEL_DEADLINE_MS)

    lab.page.reload()
    panel = _panel(lab.page)
    expect(panel).to_be_visible(timeout=MODEL_DEADLINE_MS)  # the layout keeps it open
    _connected(panel, "reload.ipynb")
    turn = _turns(panel).first
    expect(turn.locator(".jp-OrchPanelTurn-prompt")).to_have_text("remember me")
    expect(turn).to_contain_text("echo: remember me")
    expect(turn.locator(".jp-OrchTurn-footer")).to_contain_text("openai/test-model")


def test_stop_ends_the_answer_and_keeps_what_came(lab: Lab, model: OpenAIServer) -> None:
    _open(lab, "stop.ipynb", model)
    panel = _open_panel_from_the_sidebar(lab.page)
    _connected(panel, "stop.ipynb")
    _say(panel, "talk slowly")
    turn = _turns(panel).last
    expect(turn).to_contain_text("first paragraph", timeout=MODEL_DEADLINE_MS)
    panel.get_by_role("button", name="Stop").click()

    expect(turn).to_contain_text("interrupted: the answer is partial")
    expect(turn).to_contain_text("first paragraph of a slow answer")
    expect(turn).not_to_contain_text("The end.")
    expect(panel.get_by_role("button", name="Send")).to_be_enabled()
    lab.screenshot("stopped")


def test_a_policy_toggle_in_the_panel_changes_what_chat_tools_shows(
    lab: Lab, model: OpenAIServer
) -> None:
    notebook = _open(lab, "policy.ipynb", model, ["%chat tools"])
    panel = _open_panel_from_the_sidebar(lab.page)
    _connected(panel, "policy.ipynb")
    panel.get_by_role("tab", name="Tools").click()
    tool = panel.locator('.jp-OrchTools-tool[data-tool="add"]')
    expect(tool).to_contain_text("a notebook function")
    expect(tool.get_by_role("button", name="ask")).to_have_attribute("aria-pressed", "true")

    tool.get_by_role("button", name="deny").click()
    expect(tool.get_by_role("button", name="deny")).to_have_attribute("aria-pressed", "true")
    notebook.run_cell(1)
    output = notebook.wait_for_output(1, "add")
    expect(output).to_contain_text(re.compile(r"add\s+notebook\s+deny"))
    lab.screenshot("policy")


def test_in_notebook_7_the_panel_opens_beside_the_notebook_and_chats(
    lab: Lab, model: OpenAIServer
) -> None:
    notebook = lab.open_notebook(
        "nb7.ipynb", [SETUP_CELL.format(api_base=model.url)], app="notebooks"
    )
    notebook.run_cell(0)
    notebook.wait_until_executed(0)
    notebook.assert_no_error(0)
    panel = _open_panel_from_the_palette(lab.page)
    _connected(panel, "nb7.ipynb")
    _say(panel, "hello from Notebook 7")
    expect(_turns(panel).first).to_contain_text(
        "echo: hello from Notebook 7", timeout=MODEL_DEADLINE_MS
    )
    lab.screenshot("notebook7")
