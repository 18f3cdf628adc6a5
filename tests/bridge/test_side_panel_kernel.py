"""The side panel's bridge methods in a real kernel, with real turns (LiteLLM to the local
test server), driven from a test page as the JupyterLab panel drives them."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from jupyter_orch.testing.openai_server import OpenAIServer, Reply

from .page import CHAT_WITH_ADD as SETUP
from .page import TestPage, Wire

EXT = "from jupyter_orch.ipython.loader import get_extension as _ext\n"


@pytest.fixture
def chat(wire: Wire, server: OpenAIServer) -> Wire:
    wire.run(SETUP.format(url=server.url), timeout=90)
    return wire


@pytest.fixture
def page(chat: Wire) -> TestPage:
    page = TestPage(chat, capabilities=("notify", "status", "stream"))
    page.connect()
    return page


def _ok(page: TestPage, method: str, params: Any = None) -> Any:
    answer = page.request(method, params)
    assert "error" not in answer, answer
    return answer["result"]


def _events(page: TestPage, turn: str) -> list[dict[str, Any]]:
    return [e for e in page.events("chat") if e["turn"] == turn]


def _ended(page: TestPage, turn: str) -> dict[str, Any] | None:
    return next((e for e in _events(page, turn) if e["kind"] == "end"), None)


def _streamed(page: TestPage, stream_id: str) -> str:
    return "".join(e.get("text", "") for e in page.events("stream") if e["id"] == stream_id)


def _send(page: TestPage, text: str, **more: Any) -> str:
    result = _ok(page, "chat.send", {"thread": "default", "text": text, **more})
    return str(result["turn"])


def _roles(chat: Wire, thread: str = "default") -> list[str]:
    code = EXT + f"print([m.role for m in _ext().session.thread({thread!r}).messages()])"
    return list(json.loads(chat.stdout(code).replace("'", '"')))


def test_a_panel_message_streams_only_new_text_and_ends_with_its_recorded_turn(
    chat: Wire, page: TestPage, server: OpenAIServer
) -> None:
    answer = "Hello **world**: this answer comes in many small pieces, batched."
    server.enqueue(Reply.text(answer, chunk_chars=4))
    turn = _send(page, "Say hello")
    end = chat.wait(lambda: _ended(page, turn), 60, "the panel turn ends")

    kinds = [e["kind"] for e in _events(page, turn)]
    assert kinds[0] == "start" and kinds[-1] == "end" and "usage" in kinds
    start = _events(page, turn)[0]
    assert (start["prompt"], start["model"], start["thread"]) == (
        "Say hello",
        "openai/test-model",
        "default",
    )
    pieces = [e for e in page.events("stream") if e["id"] == turn]
    assert _streamed(page, turn) == answer
    assert 1 < len(pieces) < len(answer) // 4  # batched, never the whole text again
    assert pieces[-1] == {"id": turn, "end": True}
    record = end["record"]
    assert (end["status"], record["id"], record["status"]) == ("finished", turn, "finished")
    assert (record["prompt"], record["answer"], record["cell_id"]) == ("Say hello", answer, None)
    assert "messages" not in record  # the page never shows the messages as sent
    # The notebook's current thread is the panel's too, but the panel never switches it.
    listing = _ok(page, "threads.list")
    assert listing["current"] == "default"
    assert [(t["name"], t["turns"], t["last_model"]) for t in listing["threads"]] == [
        ("default", 1, "openai/test-model")
    ]
    stored = EXT + "print(open(_ext().transcripts.store().path).read().count(" + repr(turn) + "))"
    assert int(chat.stdout(stored)) >= 1
    assert _roles(chat) == ["user", "assistant"]


def test_a_panel_turn_and_a_cell_turn_on_one_thread_keep_a_valid_history(
    chat: Wire, page: TestPage, server: OpenAIServer
) -> None:
    slow = "The panel's answer arrives slowly, piece after piece, for a while."
    server.enqueue(
        Reply.text(slow, chunk_chars=4, tokens_per_second=15), Reply.text("The cell's answer.")
    )
    turn = _send(page, "First, from the panel")
    chat.wait(lambda: _streamed(page, turn), 30, "the panel's first piece")
    cell = chat.execute("%%chat\nThen, from a cell")
    done = chat.wait(chat.finished(cell), 60, "the cell's turn")
    chat.wait(lambda: _ended(page, turn), 10, "the panel turn ended first")

    shown = json.dumps([m["content"] for m in done if m["msg_type"] == "display_data"])
    assert "waiting for the turn in the side panel to finish" in shown
    second = server.requests[1]["messages"]
    assert [(m["role"], m["content"]) for m in second[-3:]] == [
        ("user", "First, from the panel"),
        ("assistant", slow),
        ("user", "Then, from a cell"),
    ]
    assert _roles(chat) == ["user", "assistant", "user", "assistant"]
    history = _ok(page, "thread.history", {"thread": "default"})
    assert [(t["prompt"], t["status"], t["position"]) for t in history["records"]] == [
        ("First, from the panel", "finished", 0),
        ("Then, from a cell", "finished", 1),
    ]
    assert "messages" not in history["records"][0]
    started = [e for e in page.events("thread.changed") if e["state"] == "started"]
    assert [(e["turn"] == turn, e["panel"]) for e in started] == [(True, True), (False, False)]


def test_stop_ends_a_panel_turn_and_the_partial_answer_stays_in_the_thread(
    chat: Wire, page: TestPage, server: OpenAIServer
) -> None:
    server.enqueue(Reply.text("word " * 400, chunk_chars=5, tokens_per_second=20))
    turn = _send(page, "Talk for a long time")
    chat.wait(lambda: _streamed(page, turn), 30, "the first piece")
    assert _ok(page, "chat.stop", {"turn": turn}) == {"stopped": 1}
    end = chat.wait(lambda: _ended(page, turn), 30, "the stopped turn's end")

    assert end["status"] == "interrupted"
    assert end["record"]["status"] == "interrupted"
    assert end["record"]["answer"].startswith("word")
    code = EXT + "m = _ext().session.thread('default').messages()[-1]\nprint(m.role, m.interrupted)"
    assert chat.stdout(code) == "assistant True\n"
    history = _ok(page, "thread.history", {"thread": "default"})
    assert [t["status"] for t in history["records"]] == ["interrupted"]
    assert history["running"] == []


def test_a_panel_turns_tool_call_waits_for_the_pages_decision_and_its_scope(
    chat: Wire, page: TestPage, server: OpenAIServer
) -> None:
    server.enqueue(Reply.tool_calls([("add", {"a": 2, "b": 3})]), Reply.text("It is 5."))
    turn = _send(page, "What is 2 + 3?")
    tool = chat.wait(
        lambda: next((e for e in _events(page, turn) if e["kind"] == "tool"), None), 60, "a card"
    )
    assert {k: tool[k] for k in ("name", "source", "pending", "scopes", "position", "total")} == {
        "name": "add",
        "source": "notebook",
        "pending": True,
        "scopes": ["once", "session", "always"],
        "position": 1,
        "total": 1,
    }
    assert json.loads(tool["arguments"]) == {"a": 2, "b": 3}
    (pending,) = chat.wait(lambda: page.events("approval.pending"), 10, "approval.pending")
    assert (pending["call_id"], pending["cell_id"]) == (tool["call_id"], None)
    decision = {"call_id": tool["call_id"], "approved": True, "scope": "session"}
    assert _ok(page, "approval.decide", decision) == {"decided": True}
    chat.wait(lambda: _ended(page, turn), 60, "the turn ends")

    steps = [(e["kind"], e.get("words"), e.get("text")) for e in _events(page, turn)]
    assert ("decided", "approved by you, for this session", None) in steps
    assert ("result", None, "5") in steps
    assert _streamed(page, turn) == "It is 5."
    assert "allowed for this session: add" in chat.stdout("%chat policy")


def test_a_policy_set_in_the_panel_is_what_chat_tools_shows(chat: Wire, page: TestPage) -> None:
    listed = _ok(page, "tools.list")
    (add,) = listed["tools"]
    assert (add["name"], add["source"], add["policy"], add["source_words"]) == (
        "add",
        "notebook",
        "ask",
        "a notebook function",
    )
    changed = _ok(page, "tools.policy", {"name": "add", "policy": "deny"})
    assert (changed["policy"], changed["fixed"]) == ("deny", True)
    line = next(x for x in chat.stdout("%chat tools").splitlines() if x.startswith("add"))
    assert line.split()[:3] == ["add", "notebook", "deny"]

    chat.run("%chat tools enable python")
    refused = page.request("tools.policy", {"name": "run_python", "policy": "auto"})
    assert refused["error"]["message"] == (
        "run_python always asks before it runs code: it cannot be set to auto"
    )
    unknown = page.request("tools.policy", {"name": "nope", "policy": "ask"})
    assert unknown["error"]["message"] == "no tool 'nope'; see %chat tools"
    bad = page.request("tools.policy", {"name": "add", "policy": "sometimes"})
    assert bad["error"]["message"] == "policy must be one of auto, ask, deny, not 'sometimes'"


def test_new_fork_and_clear_from_the_panel_change_the_kernels_threads(
    chat: Wire, page: TestPage, server: OpenAIServer
) -> None:
    server.enqueue(Reply.text("One."), Reply.text("Two."))
    chat.run("%%chat\nFirst")
    chat.run("%%chat\nSecond")
    history = _ok(page, "thread.history", {"thread": "default"})
    first = history["records"][0]["id"]

    forked = _ok(page, "thread.fork", {"thread": "default", "turn": first})
    assert forked == {"thread": "chat-2", "turns": 1}
    assert _ok(page, "thread.new", {}) == {"thread": "chat-3"}
    assert _ok(page, "thread.new", {"name": "ideas"}) == {"thread": "ideas"}
    clash = page.request("thread.fork", {"thread": "default", "turn": first, "name": "chat-2"})
    assert clash["error"]["message"] == "thread 'chat-2' already exists; pick a new name"
    spaced = page.request("thread.new", {"name": "two words"})
    assert "one word" in spaced["error"]["message"]
    threads = chat.stdout("%chat threads")
    assert "* default: 2 turns" in threads and "  chat-2: 1 turns" in threads
    fork_history = _ok(page, "thread.history", {"thread": "chat-2"})
    assert [t["prompt"] for t in fork_history["records"]] == ["First"]

    assert _ok(page, "thread.clear", {"thread": "default"}) == {"thread": "default", "turns": 0}
    assert "* default: 0 turns" in chat.stdout("%chat threads")


def test_usage_gives_the_threads_tokens_and_how_full_the_context_is(
    chat: Wire, page: TestPage, server: OpenAIServer
) -> None:
    chat.run("%config JupyterOrch.context_window = 1000")
    server.enqueue(Reply.text("A short answer."))
    turn = _send(page, "Count my tokens", params={"temperature": 0.5, "max_tokens": 50})
    chat.wait(lambda: _ended(page, turn), 60, "the turn ends")
    assert server.requests[0]["temperature"] == 0.5 and server.requests[0]["max_tokens"] == 50

    used = _ok(page, "usage", {"thread": "default"})
    assert used["usage"]["completion_tokens"] > 0
    assert used["all"] == used["usage"]
    assert used["context"]["window"] == 1000 and 0 < used["context"]["used"] < 1000
    models = _ok(page, "models")
    assert models == {"configured": "openai/test-model", "recent": ["openai/test-model"]}
    hot = page.request(
        "chat.send", {"thread": "default", "text": "x", "params": {"temperature": 9}}
    )
    assert hot["error"]["message"] == "temperature must be a number from 0 to 2"
    empty = page.request("chat.send", {"thread": "default", "text": "  "})
    assert empty["error"]["message"] == "the message is empty"


def test_mcp_servers_list_their_state_and_restart_from_the_panel(
    chat: Wire, page: TestPage
) -> None:
    assert _ok(page, "mcp.servers") == {"servers": []}
    tiny = Path(__file__).parents[1] / "tools/mcp/servers/tiny_server.py"
    chat.run(f"%mcp add tiny -- {sys.executable} {tiny}", timeout=90)
    (server,) = _ok(page, "mcp.servers")["servers"]
    assert (server["name"], server["state"], server["source"]) == ("tiny", "connected", "mcp:tiny")
    assert server["tools"] > 0
    restarted = page.request("mcp.restart", {"name": "tiny"}, timeout=60)
    assert restarted["result"]["state"] == "connected"
    missing = page.request("mcp.restart", {"name": "ghost"})
    assert missing["error"]["message"] == "no MCP server named 'ghost'; mounted: tiny"


class SubshellPage(TestPage):
    """A page whose comm messages go to a kernel subshell, as JupyterLab 4.4+ sends them
    (ipykernel 7 handles a subshell on a thread and an event loop of its own)."""

    def __init__(self, wire: Wire, **options: Any) -> None:
        super().__init__(wire, **options)
        kc = wire.kernel.kc
        kc.control_channel.send(kc.session.msg("create_subshell_request", {}))
        reply = kc.get_control_msg(timeout=30)
        self.subshell_id = str(reply["content"]["subshell_id"])

    def _shell(self, msg_type: str, content: dict[str, Any]) -> None:
        kc = self.wire.kernel.kc
        msg = kc.session.msg(msg_type, content)
        msg["header"]["subshell_id"] = self.subshell_id
        kc.shell_channel.send(msg)


WHERE = '''
import threading

@jupyter_orch.tool
async def where() -> str:
    """Name the thread the tool runs on (an async tool runs on the turn's loop)."""
    return threading.current_thread().name'''


def test_through_a_subshell_panel_turns_run_on_the_kernels_main_loop_beside_cells(
    chat: Wire, server: OpenAIServer
) -> None:
    chat.run(WHERE)
    page = SubshellPage(chat, capabilities=("notify", "status", "stream"))
    page.connect()
    slow = "A slow answer from the panel, in many pieces."
    server.enqueue(
        Reply.tool_calls([("where", {})]),
        Reply.text(slow, chunk_chars=3, tokens_per_second=20),
        Reply.text("The cell's answer."),
    )
    turn = _send(page, "Where do tools run?")
    tool = chat.wait(
        lambda: next((e for e in _events(page, turn) if e["kind"] == "tool"), None), 60, "a card"
    )
    _ok(page, "approval.decide", {"call_id": tool["call_id"], "approved": True})
    chat.wait(lambda: _streamed(page, turn), 30, "the answer's first piece")
    cell = chat.execute("%%chat\nAnd from a cell?")  # waits for the panel's turn on the thread
    done = chat.wait(chat.finished(cell), 60, "the cell's turn")
    assert not [m for m in done if m["msg_type"] == "error"]
    end = chat.wait(lambda: _ended(page, turn), 10, "the panel turn's end")

    assert end["status"] == "finished"
    results = [e["text"] for e in _events(page, turn) if e["kind"] == "result"]
    assert results == ["MainThread"]
    assert _roles(chat) == ["user", "assistant", "tool", "assistant", "user", "assistant"]
    assert _ok(page, "threads.list")["threads"][0]["turns"] == 2


def test_a_page_that_opens_mid_turn_gets_each_piece_of_the_answer_once(
    chat: Wire, page: TestPage, server: OpenAIServer
) -> None:
    answer = " ".join(f"w{i}" for i in range(60))
    server.enqueue(Reply.text(answer, chunk_chars=2, tokens_per_second=30))
    turn = _send(page, "Stream for a while")
    chat.wait(lambda: len(_streamed(page, turn)) > 20, 30, "a part of the answer")
    reloaded = TestPage(chat, capabilities=("notify", "status", "stream"))
    reloaded.connect()
    history = _ok(reloaded, "thread.history", {"thread": "default"})
    chat.wait(lambda: _ended(reloaded, turn), 30, "the turn's end")

    assert history["running"] == [turn]
    (record,) = history["records"]
    assert record["status"] == "running" and record["answer"]
    answered = next(
        i
        for i, d in enumerate(reloaded.received)
        if d.get("result") is not None and "records" in d["result"]
    )
    after = [
        d["data"].get("text", "")
        for d in reloaded.received[answered:]
        if d.get("event") == "stream" and d["data"]["id"] == turn
    ]
    assert record["answer"] + "".join(after) == answer
