"""MCP Apps in real JupyterLab: a tool's app drawn in its cell, sandboxed, talking to its
server only through the kernel and its Approve cards.

Two servers nobody changed for the test: our SDK fixture on ``mcp.server.apps`` (a counter
whose app speaks the protocol by hand and shows what it received, its policy and what the
policy blocked) and npm's ``@modelcontextprotocol/server-basic-vanillajs`` (the Apps SDK's
own example). The model is the local OpenAI-compatible server: it asks for the UI tool,
then quotes the result.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import FrameLocator, Locator, Page, expect

from jupyter_orch.testing.openai_server import OpenAIServer, Reply, tool_then_answer

from .conftest import Lab, Notebook

pytestmark = [pytest.mark.ui, pytest.mark.slow]

MODEL_DEADLINE_MS = 90_000
REPO = Path(__file__).resolve().parents[2]
COUNTER = REPO / "tests/tools/mcp/servers/apps_server.py"
BASIC = REPO / "tests/support/npm/node_modules/@modelcontextprotocol/server-basic-vanillajs"
SETUP_CELL = """\
%load_ext jupyter_orch
%config JupyterOrch.model = "openai/test-model"
%config JupyterOrch.params = {{"api_base": "{api_base}", "api_key": "sk-test"}}"""
OPEN_JS = """
async ([appId]) => {
  const bridge = window.jupyterOrchBridge;
  const connection = bridge.connections.find(c => c.state === 'connected');
  return await connection.request('mcp_apps.open', { app_id: appId });
}
"""


@pytest.fixture
def counter_model() -> Iterator[OpenAIServer]:
    with OpenAIServer(tool_then_answer("show_counter", {"start": 3})) as server:
        yield server


def _open(lab: Lab, name: str, model: OpenAIServer, mount: str, app: str = "lab") -> Notebook:
    cells = [SETUP_CELL.format(api_base=model.url), mount, ""]
    notebook = lab.open_notebook(name, cells, app=app)
    for index in (0, 1):
        notebook.run_cell(index)
        notebook.wait_until_executed(index, timeout_ms=MODEL_DEADLINE_MS)
        notebook.assert_no_error(index)
    return notebook


def _ask(notebook: Notebook, index: int, prompt: str) -> None:
    """Type a chat cell as a person does, and run it."""
    notebook.cell(index).locator(".jp-InputArea-editor").click()
    notebook.page.keyboard.type(f"%%chat\n{prompt}")
    notebook.page.keyboard.press("Shift+Enter")


def _approve_the_model_call(notebook: Notebook, index: int) -> None:
    card = notebook.output(index).locator(".jupyter-orch-approval")
    expect(card).to_have_count(1, timeout=MODEL_DEADLINE_MS)
    card.locator("button.widget-button", has_text=re.compile(r"^\s*Approve\s*$")).click()


def _app(notebook: Notebook, index: int) -> tuple[Locator, FrameLocator]:
    view = notebook.output(index).locator(".jp-OrchApp")
    expect(view).to_have_count(1, timeout=MODEL_DEADLINE_MS)
    expect(view.locator("iframe.jp-OrchApp-frame")).to_have_count(1)
    return view, view.frame_locator("iframe.jp-OrchApp-frame")


def _height(view: Locator) -> float:
    box = view.locator("iframe.jp-OrchApp-frame").bounding_box()
    assert box is not None
    return float(box["height"])


def _until_height(page: Page, view: Locator, predicate: str) -> None:
    """Wait until the frame's height ``h`` satisfies ``predicate`` (a JS expression)."""
    frame = view.locator("iframe.jp-OrchApp-frame").element_handle()
    check = f"(f) => {{ const h = f.getBoundingClientRect().height; return {predicate}; }}"
    page.wait_for_function(check, arg=frame)


_SETTLED_JS = """
(f) => {
  const r = f.getBoundingClientRect();
  const now = `${r.top} ${r.height}`;
  const same = f.dataset.lastBox === now;
  f.dataset.lastBox = now;
  return same;
}
"""


def _settled(page: Page, view: Locator) -> None:
    """Wait until the app stopped resizing and moving (the same place and height at two
    checks: the notebook may still scroll to the cell the app's focus made active), as a
    person waits for a page to stop moving before clicking below it."""
    frame = view.locator("iframe.jp-OrchApp-frame").element_handle()
    page.wait_for_function(_SETTLED_JS, arg=frame, polling=300)


def test_an_app_renders_sandboxed_calls_its_tool_through_a_card_and_resizes(
    lab: Lab, counter_model: OpenAIServer
) -> None:
    mount = f"%mcp add counter -- {sys.executable} {COUNTER}"
    notebook = _open(lab, "counter.ipynb", counter_model, mount)
    _ask(notebook, 2, "Show me a counter from 3.")
    _approve_the_model_call(notebook, 2)
    view, app = _app(notebook, 2)

    # Our bar around it says what it is, that it is sandboxed, and where it may connect.
    expect(view.locator(".jp-OrchApp-bar")).to_have_text(
        "MCP AppCounter · from MCP server counter · sandboxed"
        " · may connect to https://api.example.com, https://cdn.example.com"
    )
    frame = view.locator("iframe.jp-OrchApp-frame")
    assert frame.get_attribute("sandbox") == "allow-scripts"
    # The handshake, then the tool's input and result.
    expect(app.locator("#host")).to_have_text("jupyter-orch")
    expect(app.locator("#input")).to_have_text('{"start":3}')
    expect(app.locator("#count")).to_have_text("3")
    # The policy holds the declared domains only, and blocks the others.
    policy = app.locator("#csp")
    expect(policy).to_contain_text("connect-src https://api.example.com;")
    expect(policy).not_to_contain_text("evil.example")
    expect(app.locator("#blocked")).to_contain_text("https://undeclared.example/probe")
    notebook.wait_until_executed(2, timeout_ms=MODEL_DEADLINE_MS)
    expect(notebook.output(2)).to_contain_text("The counter starts at 3.")
    notebook.screenshot("counter")

    # The app's own call (its turn is over): a card of its own, under the app.
    _until_height(lab.page, view, "h > 150")
    before = _height(view)
    app.locator("#bump").click()
    card = view.locator(".jp-OrchApp-card")
    expect(card).to_contain_text("The app asks to run bump (from mcp:counter)")
    expect(card.locator("pre")).to_have_text('{\n  "count": 3\n}')
    notebook.screenshot("app-card")
    card.scroll_into_view_if_needed()
    _settled(lab.page, view)
    card.get_by_role("button", name="Approve").click()
    expect(app.locator("#count")).to_have_text("4")
    expect(card).to_contain_text("Approved by you.")
    # It grew (a line of its log): the frame follows the size it reports.
    _until_height(lab.page, view, f"h > {before + 10}")
    app.locator("#grow").click()
    _until_height(lab.page, view, f"h > {before + 150}")


def test_a_link_asks_before_opening_and_a_rerun_tears_the_app_down(
    lab: Lab, counter_model: OpenAIServer
) -> None:
    lab.page.context.route("https://example.com/**", lambda route: route.fulfill(body="docs"))
    mount = f"%mcp add counter -- {sys.executable} {COUNTER}"
    notebook = _open(lab, "counter-link.ipynb", counter_model, mount)
    _ask(notebook, 2, "Show me a counter from 3.")
    _approve_the_model_call(notebook, 2)
    view, app = _app(notebook, 2)
    expect(app.locator("#count")).to_have_text("3")

    app.locator("#link").click()
    dialog = lab.page.locator(".jp-Dialog")
    expect(dialog).to_contain_text('The app "Counter" (from the MCP server counter)')
    expect(dialog.locator(".jp-OrchApp-linkHost")).to_have_text("example.com")
    expect(dialog.locator(".jp-OrchApp-linkUrl")).to_have_text(
        "https://example.com/docs?from=counter"
    )
    notebook.screenshot("link")
    dialog.get_by_role("button", name="Cancel").click()
    expect(app.locator("#linked")).to_have_text("refused")
    app.locator("#link").click()
    with lab.page.context.expect_page() as popup:
        lab.page.locator(".jp-Dialog").get_by_role("button", name="Open").click()
    assert popup.value.url == "https://example.com/docs?from=counter"
    popup.value.close()
    expect(app.locator("#linked")).to_have_text("opened")

    old = view.get_attribute("data-app-id")
    notebook.cell(2).locator(".jp-InputArea-editor").click()
    lab.page.keyboard.press("Shift+Enter")  # run the cell again
    _approve_the_model_call(notebook, 2)
    new_view, new_app = _app(notebook, 2)
    expect(new_app.locator("#count")).to_have_text("3")
    assert new_view.get_attribute("data-app-id") != old
    assert lab.page.evaluate(OPEN_JS, [old]) == {
        "state": "closed",
        "reason": "the cell was run again",
    }


def test_during_its_turn_the_app_asks_on_the_turn_card_and_interrupt_tears_it_down(
    lab: Lab,
) -> None:
    replies = [Reply.tool_calls([("show_counter", {"start": 1})]), Reply.hang()]
    with OpenAIServer() as model:
        model.enqueue(*replies)
        mount = f"%mcp add counter -- {sys.executable} {COUNTER}"
        notebook = _open(lab, "counter-stop.ipynb", model, mount)
        _ask(notebook, 2, "Show me a counter from 1.")
        _approve_the_model_call(notebook, 2)
        view, app = _app(notebook, 2)
        expect(app.locator("#count")).to_have_text("1")
        model.wait_for_requests(2, timeout=30)  # the model is asked again, and hangs
        # The turn still runs: the app's call is asked on a card of the turn, in the cell.
        app.locator("#bump").click()
        card = notebook.output(2).locator(".jupyter-orch-approval", has_text="bump")
        expect(card).to_have_count(1)
        expect(view.locator(".jp-OrchApp-card")).to_have_count(0)
        card.locator("button.widget-button", has_text=re.compile(r"^\s*Approve\s*$")).click()
        expect(app.locator("#count")).to_have_text("2")

        toolbar = notebook.panel.locator(".jp-NotebookPanel-toolbar")
        toolbar.get_by_title("Interrupt the kernel").click()
        expect(notebook.output(2).locator(".jp-OrchApp-note")).to_have_text(
            "Closed: the turn was interrupted.", timeout=MODEL_DEADLINE_MS
        )
        expect(notebook.output(2).locator("iframe.jp-OrchApp-frame")).to_have_count(0)


def test_in_notebook_7_the_app_renders_and_follows_its_size(
    lab: Lab, counter_model: OpenAIServer
) -> None:
    mount = f"%mcp add counter -- {sys.executable} {COUNTER}"
    notebook = _open(lab, "counter-nb7.ipynb", counter_model, mount, app="notebooks")
    _ask(notebook, 2, "Show me a counter from 3.")
    _approve_the_model_call(notebook, 2)
    view, app = _app(notebook, 2)
    expect(app.locator("#host")).to_have_text("jupyter-orch")
    expect(app.locator("#count")).to_have_text("3")
    _until_height(lab.page, view, "h > 150")
    before = _height(view)
    app.locator("#grow").click()
    _until_height(lab.page, view, f"h > {before + 150}")
    notebook.screenshot("notebook7")


def test_in_the_chat_panel_the_app_renders_and_calls_its_tool(
    lab: Lab, counter_model: OpenAIServer
) -> None:
    mount = f"%mcp add counter -- {sys.executable} {COUNTER}"
    notebook = _open(lab, "counter-panel.ipynb", counter_model, mount)
    notebook.cell(2).locator(".jp-InputArea-editor").click()
    lab.page.keyboard.type("%chat panel")
    lab.page.keyboard.press("Shift+Enter")
    panel = notebook.output(2).locator(".jupyter-orch-panel")
    expect(panel).to_have_count(1, timeout=MODEL_DEADLINE_MS)
    panel.locator("textarea").click()
    lab.page.keyboard.type("Show me a counter from 3.")
    panel.locator("button.widget-button", has_text=re.compile(r"^\s*Send\s*$")).click()
    _approve_the_model_call(notebook, 2)
    view = panel.locator(".jp-OrchApp")
    expect(view).to_have_count(1, timeout=MODEL_DEADLINE_MS)
    app = view.frame_locator("iframe.jp-OrchApp-frame")
    expect(app.locator("#count")).to_have_text("3")
    expect(panel.locator(".jupyter-orch-approval")).to_have_count(0, timeout=MODEL_DEADLINE_MS)
    _settled(lab.page, view)
    app.locator("#bump").click()
    card = view.locator(".jp-OrchApp-card")
    expect(card).to_contain_text("The app asks to run bump (from mcp:counter)")
    card.scroll_into_view_if_needed()
    _settled(lab.page, view)
    card.get_by_role("button", name="Approve").click()
    expect(app.locator("#count")).to_have_text("4")
    notebook.screenshot("panel")


def test_a_saved_notebook_shows_a_static_view_of_its_app(lab: Lab) -> None:
    output = {
        "output_type": "display_data",
        "metadata": {},
        "data": {
            "application/vnd.jupyter-orch.mcp-app+json": {
                "version": 1,
                "app_id": "0123456789abcdef",
                "server": "counter",
                "tool": "show_counter",
                "title": "Counter",
                "uri": "ui://counter/app.html",
            },
            "text/plain": "[MCP App show_counter from counter: ui://counter/app.html]",
        },
    }
    cell = {
        "cell_type": "code",
        "execution_count": 3,
        "id": "saved-app",
        "metadata": {},
        "outputs": [output],
        "source": "%%chat\nShow me a counter from 3.",
    }
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    cells = lab.open_saved("saved-app.ipynb", notebook)
    view = cells.nth(0).locator(".jp-OrchApp")
    expect(view.locator(".jp-OrchApp-bar")).to_have_text(
        "MCP AppCounter · from MCP server counter · sandboxed"
    )
    expect(view.locator(".jp-OrchApp-note")).to_have_text(
        "Not running: this is a saved view. Run the cell with its kernel to open the app again."
    )
    expect(view.locator("iframe")).to_have_count(0)


def test_the_npm_basic_app_shows_the_time_and_refreshes_it_through_a_card(lab: Lab) -> None:
    if not (BASIC / "dist/index.js").is_file():
        pytest.fail("server-basic-vanillajs is missing: run npm ci --prefix tests/support/npm")
    with OpenAIServer(tool_then_answer("get-time", {})) as model:
        mount = f"%mcp add basic -- node {BASIC / 'dist/index.js'} --stdio"
        notebook = _open(lab, "basic.ipynb", model, mount)
        _ask(notebook, 2, "What time is it on the server?")
        _approve_the_model_call(notebook, 2)
        view, app = _app(notebook, 2)
        time = app.locator("#server-time")
        expect(time).to_have_text(re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$"))
        first = time.inner_text()
        _until_height(lab.page, view, "h > 200")  # sized to its content, not the first guess
        notebook.wait_until_executed(2, timeout_ms=MODEL_DEADLINE_MS)
        app.get_by_role("button", name="Get Server Time").click()
        card = view.locator(".jp-OrchApp-card")
        expect(card).to_contain_text("The app asks to run get-time (from mcp:basic)")
        # As a person does: scroll the card into view, wait for the page to stop moving
        # (the notebook renders what scrolled in), then click.
        card.scroll_into_view_if_needed()
        _settled(lab.page, view)
        card.get_by_role("button", name="Approve").click()
        expect(time).not_to_have_text(first)
        expect(time).to_have_text(re.compile(r"^\d{4}-\d\d-\d\dT"))
        notebook.screenshot("basic")
