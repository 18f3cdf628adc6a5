"""MCP Apps in a real kernel: a ``%%chat`` turn (LiteLLM to the local test server) calls a
UI tool of our ``mcp.server.apps`` fixture; a test page speaks the page's side of the bridge.

With no page offering ``mcp-apps`` the cell keeps the tool's text and nothing else; with one,
the cell shows the app's bundle, the page opens it, the app's own call waits for the page's
decision, and running the cell again or interrupting its turn closes the app."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from jupyter_orch.testing.openai_server import OpenAIServer, Reply
from tests.support.kernel import final_bundles

from .page import TestPage, Wire

APP_MIME = "application/vnd.jupyter-orch.mcp-app+json"
TURN_MIME = "application/vnd.jupyter-orch.turn+json"
APPS_SERVER = Path(__file__).resolve().parents[1] / "tools/mcp/servers/apps_server.py"
SETUP = """\
%load_ext jupyter_orch
%config JupyterOrch.model = "openai/test-model"
%config JupyterOrch.params = {{"api_base": "{url}", "api_key": "sk-test"}}"""
MOUNT = "%mcp add counter -- {python} {server}"
CHAT = "%%chat\nShow me a counter from 3."
APPS = ("notify", "status", "mcp-apps")


@pytest.fixture
def chat(wire: Wire, server: OpenAIServer) -> Wire:
    wire.run(SETUP.format(url=server.url), timeout=60)
    wire.run(MOUNT.format(python=sys.executable, server=APPS_SERVER), timeout=90)
    return wire


def _execute_in_cell(wire: Wire, code: str, cell_id: str) -> str:
    """Send an execute request as JupyterLab does for a notebook cell (with its id)."""
    kc = wire.kernel.kc
    content = {"code": code, "silent": False, "store_history": True, "allow_stdin": True}
    msg = kc.session.msg("execute_request", content, metadata={"cellId": cell_id})
    kc.shell_channel.send(msg)
    return str(msg["header"]["msg_id"])


def _bundles(wire: Wire, msg_id: str) -> list[dict[str, Any]]:
    """What the cell shows at the end: bundles after the last clear, updates applied."""
    return final_bundles([m for m in wire.seen if m["parent_header"].get("msg_id") == msg_id])


def _run_chat(wire: Wire, server: OpenAIServer, cell_id: str = "cell-1") -> list[dict[str, Any]]:
    server.enqueue(
        Reply.tool_calls([("show_counter", {"start": 3})]), Reply.text("Here is your counter.")
    )
    wire.run("%config JupyterOrch.default_policy = 'auto'")
    msg_id = _execute_in_cell(wire, CHAT, cell_id)
    wire.wait(wire.finished(msg_id), 90, "the chat turn")
    return _bundles(wire, msg_id)


def test_with_no_page_the_cell_keeps_the_tool_text_and_no_app(
    chat: Wire, server: OpenAIServer
) -> None:
    bundles = _run_chat(chat, server)
    assert all(APP_MIME not in b for m in chat.seen for b in [m["content"].get("data") or {}])
    (turn,) = bundles
    assert TURN_MIME in turn
    assert "The counter starts at 3." in turn["text/markdown"]  # in the tool call's box
    assert "Here is your counter." in turn["text/markdown"]
    tool_message = server.requests[1]["messages"][-1]
    assert (tool_message["role"], tool_message["content"]) == ("tool", "The counter starts at 3.")


def test_a_page_offering_apps_gets_the_app_below_the_answer_and_opens_it(
    chat: Wire, server: OpenAIServer
) -> None:
    page = TestPage(chat, capabilities=APPS)
    page.connect()
    bundles = _run_chat(chat, server)
    turn, app = bundles
    assert TURN_MIME in turn and "The counter starts at 3." in turn["text/markdown"]
    assert app["text/plain"] == "[MCP App show_counter from counter: ui://counter/app.html]"
    app_id = app[APP_MIME]["app_id"]
    opened = page.request("mcp_apps.open", {"app_id": app_id})["result"]
    assert opened["state"] == "open"
    assert "<title>Counter</title>" in opened["html"]
    assert opened["arguments"] == {"start": 3}
    assert opened["result"]["structuredContent"] == {"count": 3}


def test_the_app_call_after_its_turn_waits_for_the_page_and_runs_once_approved(
    chat: Wire, server: OpenAIServer
) -> None:
    page = TestPage(chat, capabilities=APPS)
    page.connect()
    (_, app) = _run_chat(chat, server)
    chat.run("%config JupyterOrch.default_policy = 'ask'")
    app_id = app[APP_MIME]["app_id"]
    request = {"app_id": app_id, "name": "bump", "arguments": {"count": 3}}
    page.send(
        {"type": "request", "id": "bump-1", "method": "mcp_apps.call_tool", "params": request}
    )
    (card,) = chat.wait(lambda: page.events("mcp_apps.pending"), 30, "the app's card")
    (announced,) = page.events("approval.pending")
    assert (card["tool"], card["source"], card["app_id"]) == ("bump", "mcp:counter", app_id)
    assert (announced["call_id"], announced["card"], announced["cell_id"]) == (
        card["call_id"],
        card["card"],
        "cell-1",
    )
    page.request("approval.decide", {"call_id": card["call_id"], "approved": True})
    answer = chat.wait(lambda: _response(page, "bump-1"), 30, "the call's answer")
    assert answer["result"]["structuredContent"] == {"count": 4}


def test_running_the_cell_again_closes_its_app(chat: Wire, server: OpenAIServer) -> None:
    page = TestPage(chat, capabilities=APPS)
    page.connect()
    (_, first) = _run_chat(chat, server, "cell-9")
    (_, second) = _run_chat(chat, server, "cell-9")
    old = first[APP_MIME]["app_id"]
    assert page.events("mcp_apps.closed") == [{"app_id": old, "reason": "the cell was run again"}]
    assert page.request("mcp_apps.open", {"app_id": old})["result"] == {
        "state": "closed",
        "reason": "the cell was run again",
    }
    refused = page.request(
        "mcp_apps.call_tool", {"app_id": old, "name": "bump", "arguments": {"count": 1}}
    )
    assert refused["error"]["message"] == "the app is closed: the cell was run again"
    new = page.request("mcp_apps.open", {"app_id": second[APP_MIME]["app_id"]})
    assert new["result"]["state"] == "open"


def test_interrupting_the_turn_closes_the_app_it_showed(chat: Wire, server: OpenAIServer) -> None:
    page = TestPage(chat, capabilities=APPS)
    page.connect()
    server.enqueue(Reply.tool_calls([("show_counter", {"start": 1})]), Reply.hang())
    chat.run("%config JupyterOrch.default_policy = 'auto'")
    msg_id = _execute_in_cell(chat, CHAT, "cell-2")
    shown = chat.wait(lambda: _app_shown(chat, msg_id), 60, "the app's bundle")
    server.wait_for_requests(2, timeout=30)  # the model is asked again, and hangs
    chat.kernel.interrupt()
    chat.wait(chat.finished(msg_id), 30, "the interrupted turn")
    assert page.events("mcp_apps.closed") == [
        {"app_id": shown, "reason": "the turn was interrupted"}
    ]


def _app_shown(wire: Wire, msg_id: str) -> str | None:
    for m in wire.seen:
        data = m["content"].get("data") or {}
        if m["parent_header"].get("msg_id") == msg_id and APP_MIME in data:
            return str(data[APP_MIME]["app_id"])
    return None


def _response(page: TestPage, id_: str) -> dict[str, Any] | None:
    return next((d for d in page.received if d.get("type") == "response" and d["id"] == id_), None)


class SubshellPage(TestPage):
    """A page whose comm messages go through a kernel subshell, as JupyterLab 4.4+ sends
    them to a kernel that has subshells (ipykernel 7 runs each on a thread of its own)."""

    def __init__(self, wire: Wire, **options: Any) -> None:
        super().__init__(wire, **options)
        kc = wire.kernel.kc
        kc.control_channel.send(kc.session.msg("create_subshell_request", {}))
        reply = kc.control_channel.get_msg(timeout=30)
        self.subshell_id = str(reply["content"]["subshell_id"])

    def _shell(self, msg_type: str, content: dict[str, Any]) -> None:
        kc = self.wire.kernel.kc
        msg = kc.session.msg(msg_type, content)
        msg["header"]["subshell_id"] = self.subshell_id
        kc.shell_channel.send(msg)


def test_a_page_on_a_subshell_gets_its_app_call_answered_after_the_turn(
    chat: Wire, server: OpenAIServer
) -> None:
    page = SubshellPage(chat, capabilities=APPS)
    page.connect()
    (_, app) = _run_chat(chat, server)
    chat.run("%config JupyterOrch.default_policy = 'ask'")
    request = {"app_id": app[APP_MIME]["app_id"], "name": "bump", "arguments": {"count": 3}}
    page.send({"type": "request", "id": "sub-1", "method": "mcp_apps.call_tool", "params": request})
    (card,) = chat.wait(lambda: page.events("mcp_apps.pending"), 30, "the app's card")
    page.request("approval.decide", {"call_id": card["call_id"], "approved": True})
    answer = chat.wait(lambda: _response(page, "sub-1"), 30, "the call's answer")
    assert answer["result"]["structuredContent"] == {"count": 4}
