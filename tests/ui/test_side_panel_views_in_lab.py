"""The side panel's threads, model picker, usage and MCP servers, in real JupyterLab.

The model is the local OpenAI-compatible server of this test process: it echoes the last
message back (``echo: ...``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, expect

from jupyter_orch.testing.openai_server import OpenAIServer

from .conftest import Lab, Notebook
from .test_approval_in_lab import MODEL_DEADLINE_MS, SETUP_CELL
from .test_side_panel_in_lab import _connected, _open_panel_from_the_sidebar, _say, _turns

pytestmark = [pytest.mark.ui, pytest.mark.slow]

TINY = Path(__file__).resolve().parents[1] / "tools/mcp/servers/tiny_server.py"


@pytest.fixture
def model() -> Iterator[OpenAIServer]:
    with OpenAIServer() as server:
        yield server


def _open(lab: Lab, name: str, model: OpenAIServer, setup: str, more: list[str]) -> Notebook:
    cells = [SETUP_CELL.format(api_base=model.url) + setup, *more]
    notebook = lab.open_notebook(name, cells)
    notebook.run_cell(0)
    notebook.wait_until_executed(0, timeout_ms=MODEL_DEADLINE_MS)
    notebook.assert_no_error(0)
    return notebook


def _thread_select(panel: Locator) -> Locator:
    return panel.get_by_label("Thread", exact=True)


def _answered(panel: Locator, text: str) -> None:
    expect(_turns(panel).last).to_contain_text(f"echo: {text}", timeout=MODEL_DEADLINE_MS)
    expect(_turns(panel).last).not_to_have_class(re.compile("jp-mod-running"))


def test_threads_made_switched_forked_and_cleared_in_the_panel_are_the_kernels(
    lab: Lab, model: OpenAIServer
) -> None:
    notebook = _open(lab, "threads.ipynb", model, "", ["%chat threads"])
    panel = _open_panel_from_the_sidebar(lab.page)
    _connected(panel, "threads.ipynb")
    _say(panel, "first message")
    _answered(panel, "first message")

    panel.get_by_role("button", name="New thread").click()
    expect(_thread_select(panel)).to_have_value("chat-2")
    expect(_turns(panel)).to_have_count(0)
    _say(panel, "in the new thread")
    _answered(panel, "in the new thread")

    _thread_select(panel).select_option("default")
    expect(_turns(panel)).to_have_count(1)
    expect(_turns(panel).first).to_contain_text("echo: first message")
    _turns(panel).first.get_by_role("button", name="Fork the thread from here").click()
    expect(_thread_select(panel)).to_have_value("chat-3")
    expect(_turns(panel)).to_have_count(1)
    expect(_turns(panel).first).to_contain_text("echo: first message")
    lab.screenshot("forked")

    notebook.run_cell(1)
    threads = notebook.wait_for_output(1, "chat-3")
    # The panel's threads are the kernel's; the notebook's current thread did not change.
    expect(threads).to_contain_text(re.compile(r"\* default: 1 turns"))
    expect(threads).to_contain_text(re.compile(r"chat-2: 1 turns"))
    expect(threads).to_contain_text(re.compile(r"chat-3: 1 turns"))

    panel.get_by_role("button", name="Clear the thread").click()
    dialog = lab.page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("Clear the thread chat-3?")
    dialog.get_by_role("button", name="Clear").click()
    expect(_turns(panel)).to_have_count(0)
    notebook.run_cell(1)
    expect(notebook.output(1)).to_contain_text(re.compile(r"chat-3: 0 turns"))


def test_the_model_picker_and_parameters_go_with_the_message_and_usage_fills_the_gauge(
    lab: Lab, model: OpenAIServer
) -> None:
    setup = "\n%config JupyterOrch.context_window = 4000"
    _open(lab, "model.ipynb", model, setup, [])
    panel = _open_panel_from_the_sidebar(lab.page)
    _connected(panel, "model.ipynb")
    picker = panel.get_by_label("Model")
    expect(picker).to_have_attribute("placeholder", "openai/test-model")
    picker.click()
    lab.page.keyboard.type("openai/other-model")
    panel.get_by_label("Temperature").click()
    lab.page.keyboard.type("0.3")
    panel.get_by_label("Max tokens").click()
    lab.page.keyboard.type("100")
    _say(panel, "which model?")
    _answered(panel, "which model?")

    sent = model.requests[-1]
    assert (sent["model"], sent["temperature"], sent["max_tokens"]) == ("other-model", 0.3, 100)
    expect(_turns(panel).last.locator(".jp-OrchTurn-footer")).to_contain_text("openai/other-model")
    expect(_thread_select(panel).locator("option")).to_have_text(
        ["default · 1 turn · openai/other-model"]
    )
    usage = panel.locator(".jp-OrchUsage")
    expect(usage).to_contain_text(re.compile(r"\d+ prompt \+ \d+ completion tokens"))
    expect(usage).to_contain_text(re.compile(r"context: ~\d+ tokens of 4,000 \(\d+%\)"))
    expect(panel.get_by_role("meter", name="Context window")).to_be_visible()

    lab.page.reload()  # the picker offers the configured model and the one used since
    panel = panel.page.locator(".jp-OrchSidePanel")
    _connected(panel, "model.ipynb")
    options = panel.locator("datalist option")
    expect(options).to_have_count(2)
    assert [o.get_attribute("value") for o in options.all()] == [
        "openai/test-model",
        "openai/other-model",
    ]
    expect(panel.get_by_label("Temperature")).to_have_value("0.3")
    lab.screenshot("usage")


def test_mcp_servers_show_their_state_and_restart_from_the_tools_tab(
    lab: Lab, model: OpenAIServer
) -> None:
    notebook = _open(lab, "mcp.ipynb", model, "", [f"%mcp add tiny -- {sys.executable} {TINY}"])
    notebook.run_cell(1)
    notebook.wait_for_output(1, "Mounted tiny", timeout_ms=MODEL_DEADLINE_MS)
    panel = _open_panel_from_the_sidebar(lab.page)
    _connected(panel, "mcp.ipynb")
    panel.get_by_role("tab", name="Tools").click()
    server = panel.locator('.jp-OrchTools-server[data-server="tiny"]')
    expect(server.locator(".jp-OrchTools-state")).to_have_text("connected")
    expect(server).to_contain_text(re.compile(r"\d+ tools"))
    echo = panel.locator('.jp-OrchTools-tool[data-tool="echo"]')
    expect(echo).to_contain_text("MCP server tiny")

    restart = server.get_by_role("button", name="Restart")
    restart.click()
    expect(restart).to_be_enabled(timeout=MODEL_DEADLINE_MS)
    expect(server.locator(".jp-OrchTools-state")).to_have_text("connected")
    expect(panel.locator(".jp-OrchTools > .jp-OrchTools-error")).to_have_text("")
    lab.screenshot("servers")
