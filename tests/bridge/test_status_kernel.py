"""Status and approvals over the bridge, in a real kernel with a real turn (LiteLLM to the
local test server), decided from the page's side as a notification's buttons do."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_orch.bridge import card_class
from jupyter_orch.testing.openai_server import OpenAIServer, Reply

from .page import CHAT_WITH_ADD as SETUP
from .page import TestPage, Wire


@pytest.fixture
def chat(wire: Wire, server: OpenAIServer) -> Wire:
    wire.run(SETUP.format(url=server.url), timeout=90)
    return wire


def _final_markdown(messages: list[dict[str, Any]]) -> str:
    texts = [
        m["content"]["data"]["text/markdown"]
        for m in messages
        if m["msg_type"] in ("display_data", "update_display_data")
        and "application/vnd.jupyter-orch.turn+json" in m["content"]["data"]
    ]
    return str(texts[-1])


def _statuses(page: TestPage) -> list[dict[str, Any]]:
    return [{k: v for k, v in s.items() if k != "elapsed"} for s in page.events("status")]


def _card_classes(wire: Wire) -> list[str]:
    """Every CSS class the kernel gave a widget (at its opening or in an update)."""
    return [
        cls
        for m in wire.seen
        if m["msg_type"] in ("comm_open", "comm_msg")
        for cls in (m["content"].get("data") or {}).get("state", {}).get("_dom_classes", [])
    ]


def test_approve_from_the_page_runs_the_tool_and_the_status_follows_the_turn(
    chat: Wire, server: OpenAIServer
) -> None:
    page = TestPage(chat)
    page.connect()
    server.enqueue(Reply.tool_calls([("add", {"a": 2, "b": 3})]), Reply.text("It is 5."))
    msg_id = chat.execute("%%chat\nWhat is 2 + 3?")

    (pending,) = chat.wait(lambda: page.events("approval.pending"), 60, "approval.pending")
    call_id = pending["call_id"]
    assert pending == {
        "call_id": call_id,
        "tool": "add",
        "source": "notebook",
        "arguments": '{"a": 2, "b": 3}',
        "card": card_class(call_id),
        "cell_id": None,
    }
    # The card in the cell carries the same class, so the page can find and scroll to it.
    chat.wait(lambda: card_class(call_id) in _card_classes(chat), 10, "the card's class")

    answer = page.request("approval.decide", {"call_id": call_id, "approved": True})
    assert answer["result"] == {"decided": True}
    done = chat.wait(chat.finished(msg_id), 60, "the turn ends")

    assert page.events("approval.decided") == [{"call_id": call_id, "approved": True, "by": "user"}]
    tool_message = server.requests[-1]["messages"][-1]
    assert (tool_message["role"], tool_message["tool_call_id"]) == ("tool", call_id)
    assert tool_message["content"] == "5"
    assert "approved by you" in _final_markdown(done)
    assert _statuses(page) == [
        {"state": "thinking"},
        {"state": "waiting", "pending": 1},
        {"state": "thinking"},
        {"state": "tool", "tool": "add"},
        {"state": "thinking"},
        {"state": "streaming"},
        {"state": "idle"},
    ]
    again = page.request("approval.decide", {"call_id": call_id, "approved": True})
    assert "waits for a decision" in again["error"]["message"]


def test_reject_from_the_page_sends_its_reason_to_the_model(
    chat: Wire, server: OpenAIServer
) -> None:
    page = TestPage(chat)
    page.connect()
    server.enqueue(Reply.tool_calls([("add", {"a": 2, "b": 3})]), Reply.text("Fine."))
    msg_id = chat.execute("%%chat\nWhat is 2 + 3?")
    (pending,) = chat.wait(lambda: page.events("approval.pending"), 60, "approval.pending")
    decision = {"call_id": pending["call_id"], "approved": False, "reason": "use the median"}
    page.request("approval.decide", decision)
    chat.wait(chat.finished(msg_id), 60, "the turn ends")
    tool_message = server.requests[-1]["messages"][-1]
    assert "use the median" in tool_message["content"]


def test_a_page_that_connects_mid_turn_gets_the_pending_approval_in_its_welcome(
    chat: Wire, server: OpenAIServer
) -> None:
    first = TestPage(chat)
    first.connect()
    server.enqueue(Reply.tool_calls([("add", {"a": 2, "b": 3})]), Reply.text("5."))
    msg_id = chat.execute("%%chat\nWhat is 2 + 3?")
    (pending,) = chat.wait(lambda: first.events("approval.pending"), 60, "approval.pending")
    reloaded = TestPage(chat)
    state = reloaded.connect()["state"]
    assert state["status"] == {"state": "waiting", "pending": 1}
    assert state["pending"] == [pending]
    reloaded.request("approval.decide", {"call_id": pending["call_id"], "approved": True})
    chat.wait(chat.finished(msg_id), 60, "the turn ends")


def test_with_no_page_a_tool_turn_runs_as_before_and_the_bridge_stays_silent(
    chat: Wire, server: OpenAIServer
) -> None:
    server.enqueue(Reply.tool_calls([("add", {"a": 2, "b": 3})]), Reply.text("It is 5."))
    msg_id = chat.execute("%%chat\nWhat is 2 + 3?")

    def approve_button() -> str | None:
        for m in chat.seen:
            state = (
                m["content"].get("data", {}).get("state", {})
                if m["msg_type"] == "comm_open"
                else {}
            )
            if state.get("_model_name") == "ButtonModel" and state.get("description") == "Approve":
                return str(m["content"]["comm_id"])
        return None

    chat.kernel.click(chat.wait(approve_button, 60, "the card's Approve button"))
    done = chat.wait(chat.finished(msg_id), 60, "the turn ends")
    markdown = _final_markdown(done)
    assert "It is 5." in markdown and "approved by you" in markdown
    bridge_traffic = [
        m
        for m in chat.seen
        if m["msg_type"] in ("comm_open", "comm_msg")
        and m["content"].get("target_name", "").startswith("jupyter_orch")
    ]
    assert [m["content"]["target_name"] for m in bridge_traffic] == ["jupyter_orch.page"]
    connected = (
        "from jupyter_orch.ipython.loader import get_extension as g\nprint(g().bridge.connected)"
    )
    assert chat.stdout(connected) == ("False\n")
