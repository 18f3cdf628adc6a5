"""The bridge in real JupyterLab: the status bar, an approval from the notification while the
card is out of view, and a page reload in the middle of a turn."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from jupyter_orch.testing.openai_server import OpenAIServer, tool_then_answer

from .conftest import Lab, Notebook

pytestmark = [pytest.mark.ui, pytest.mark.slow]

MODEL_DEADLINE_MS = 60_000
SETUP_CELL = '''\
%load_ext jupyter_orch
%config JupyterOrch.model = "openai/test-model"
%config JupyterOrch.params = {{"api_base": "{api_base}", "api_key": "sk-test"}}
import time
import jupyter_orch

calls = []

@jupyter_orch.tool
def add(a: int, b: int) -> int:
    """Add two integers (slowly)."""
    time.sleep(4)
    calls.append((a, b))
    return a + b'''
CHAT_CELL = "%%chat\nWhat is 2 + 3? Use the add tool."
FILLER = "\n".join(f"filler_{i} = {i}" for i in range(45))
CHECK_CELL = 'print("add calls:", calls)'


@pytest.fixture
def model() -> Iterator[OpenAIServer]:
    with OpenAIServer(tool_then_answer("add", {"a": 2, "b": 3})) as server:
        yield server


def status_item(page: Page):  # type: ignore[no-untyped-def]
    return page.locator(".jp-OrchStatus")


def _open(lab: Lab, name: str, model: OpenAIServer) -> Notebook:
    cells = [SETUP_CELL.format(api_base=model.url), CHAT_CELL, FILLER, FILLER, CHECK_CELL]
    notebook = lab.open_notebook(name, cells)
    notebook.run_cell(0)
    notebook.wait_until_executed(0)
    notebook.assert_no_error(0)
    expect(status_item(lab.page)).to_have_text("jupyter-orch: idle")
    return notebook


def _toast(page: Page):  # type: ignore[no-untyped-def]
    return page.locator(".Toastify__toast", has_text="waits for your decision")


def test_an_approval_out_of_view_raises_a_notification_whose_approve_runs_the_tool(
    lab: Lab, model: OpenAIServer
) -> None:
    notebook = _open(lab, "notify.ipynb", model)
    notebook.run_cell(1)
    card = notebook.output(1).locator(".jupyter-orch-approval")
    expect(card).to_have_count(1, timeout=MODEL_DEADLINE_MS)
    expect(status_item(lab.page)).to_have_text("jupyter-orch: waiting for your decision (1)")
    expect(_toast(lab.page)).to_have_count(0)  # the card is on screen: no notification

    # The user scrolls down, away from the card.
    box = notebook.panel.bounding_box()
    assert box is not None
    lab.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    lab.page.mouse.wheel(0, 2500)
    expect(card).not_to_be_in_viewport()
    toast = _toast(lab.page)
    expect(toast).to_contain_text('add (notebook) waits for your decision {"a": 2, "b": 3}')
    lab.screenshot("notification")

    toast.get_by_role("button", name="Approve").click()
    expect(_toast(lab.page)).to_have_count(0)
    expect(status_item(lab.page)).to_contain_text("running add")
    # Back at the card (the same pending approval): its buttons are gone and it shows the
    # approved call running.
    lab.page.mouse.wheel(0, -2500)
    expect(card.locator("button.widget-button", has_text="Approve")).to_be_hidden()
    expect(card).to_contain_text("running")
    lab.screenshot("card-decided")
    notebook.wait_for_output(1, "Tool results: add: 5", timeout_ms=MODEL_DEADLINE_MS)
    expect(status_item(lab.page)).to_have_text("jupyter-orch: idle")
    notebook.run_cell(4)
    notebook.wait_for_output(4, "add calls: [(2, 3)]")


def test_a_page_reload_mid_turn_reconnects_the_bridge_and_the_pending_call_can_be_decided(
    lab: Lab, model: OpenAIServer
) -> None:
    notebook = _open(lab, "reload.ipynb", model)
    notebook.run_cell(1)
    expect(notebook.output(1).locator(".jupyter-orch-approval")).to_have_count(
        1, timeout=MODEL_DEADLINE_MS
    )

    lab.page.reload()
    notebook = Notebook(lab, "reload.ipynb")
    expect(notebook.cells).to_have_count(5, timeout=MODEL_DEADLINE_MS)
    # The new page connects and learns from the kernel's welcome what is still pending; its
    # card is gone with the reload, so the notification offers the decision.
    expect(status_item(lab.page)).to_have_text(
        "jupyter-orch: waiting for your decision (1)", timeout=MODEL_DEADLINE_MS
    )
    toast = _toast(lab.page)
    toast.get_by_role("button", name="Approve").click()
    expect(status_item(lab.page)).to_have_text("jupyter-orch: idle", timeout=MODEL_DEADLINE_MS)

    check = (
        "from jupyter_orch.ipython.loader import get_extension\n"
        "print('pages:', len(get_extension().bridge.pages), calls)"
    )
    editor = notebook.cell(4).locator(".jp-InputArea-editor")
    editor.click()
    lab.page.keyboard.press("Control+a")
    lab.page.keyboard.type(check)
    # The old page's comm is dead: the kernel dropped it when it missed the ping (5 s).
    deadline_ms = 20_000
    for _ in range(10):
        notebook.run_cell(4)
        output = notebook.output(4)
        expect(output).to_contain_text("pages:")
        if "pages: 1 [(2, 3)]" in output.inner_text():
            break
        lab.page.wait_for_timeout(deadline_ms / 10)  # a re-check interval, bounded by the loop
    expect(notebook.output(4)).to_contain_text(re.compile(r"pages: 1 \[\(2, 3\)\]"))
