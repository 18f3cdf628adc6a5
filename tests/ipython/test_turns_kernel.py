"""The turn runner in a real kernel: a panel and a cell on one thread, nothing half-done, no leaks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jupyter_orch.testing.openai_server import (
    OpenAIServer,
    Reply,
    echo_responder,
    tool_then_answer,
)
from tests.core.test_history import assert_valid
from tests.ipython.test_chat_errors_kernel import one_line, then_next_cell_works
from tests.ipython.test_panel_kernel import open_panel, showing
from tests.ipython.test_tools_kernel import ADD, card_shown, comm_of, widget_opened
from tests.support.kernel import Kernel, Msg

OPEN_COMMS = (
    "from comm import get_comm_manager\n"
    "print(sum(1 for c in get_comm_manager().comms.values() if not c._closed))"
)


def _shows(text: str) -> Any:
    def match(m: Msg) -> bool:
        data = m["content"].get("data", {}) if m["msg_type"].endswith("display_data") else {}
        return text in str(data.get("text/markdown", ""))

    return match


def test_a_cell_waits_for_the_panel_turn_on_its_thread_and_every_request_is_valid(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    chat_kernel.run(ADD)
    panel = open_panel(chat_kernel)
    ask_tool = tool_then_answer("add", {"a": 2, "b": 3})

    def respond(request: dict[str, Any]) -> Reply:
        # The panel's question gets a tool call; the cell's a plain answer.
        last = request["messages"][-1]
        if last["role"] == "user" and last["content"] == "What is 2 + 3?":
            return ask_tool(request)
        return echo_responder(request)

    server.responder = respond
    click = panel.send("What is 2 + 3?")
    turn = chat_kernel.collect(click, until=widget_opened("ButtonModel", description="Approve"))
    cell = chat_kernel.send("%%chat\nAnd from a cell, meanwhile?")
    waiting = chat_kernel.collect(cell, until=_shows("waiting for the turn in the chat panel"))
    assert len(server.requests) == 1  # the cell sent nothing while the panel's call is open
    chat_kernel.click(comm_of(turn, "ButtonModel", description="Approve"))
    chat_kernel.collect(click, until=showing("Tool results: add: 5"), into=turn)
    done = chat_kernel.collect(cell, into=waiting)
    assert done.errors() == []
    for request in server.requests:
        assert_valid(request["messages"])
    contents = [m.get("content") for m in server.requests[-1]["messages"]]
    assert "What is 2 + 3?" in contents and contents[-1] == "And from a cell, meanwhile?"


def test_two_panel_messages_between_cells_are_two_turns_in_the_export(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    panel = open_panel(chat_kernel)
    for text in ("first panel question", "second panel question"):
        server.enqueue(Reply.text(f"answer to the {text}"))
        chat_kernel.collect(panel.send(text), until=showing(f"answer to the {text}"))
    ex = chat_kernel.run("%chat export panel.json")
    assert ex.errors() == [] and "exported 2 turns" in ex.stdout()
    cwd = chat_kernel.run("import os; print(os.getcwd())").stdout().strip()
    turns = json.loads((Path(cwd) / "panel.json").read_text())["turns"]
    assert [t["prompt"] for t in turns] == ["first panel question", "second panel question"]
    assert all(t["key"].endswith(f"turn:{t['id']}") for t in turns)


def test_interrupt_mid_tool_closes_the_card_and_its_timer(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    baseline = int(chat_kernel.run(OPEN_COMMS).stdout())
    chat_kernel.run(
        "import jupyter_orch, threading\nstarted = threading.Event()\n"
        "@jupyter_orch.tool(policy='auto')\n"
        "def slow() -> str:\n"
        '    """Take a while."""\n'
        "    started.set()\n"
        "    threading.Event().wait(30)\n"
        "    return 'done'\n"
    )
    server.responder = tool_then_answer("slow", {})
    msg_id = chat_kernel.send("%%chat\nbe slow")
    ex = chat_kernel.collect(msg_id, until=card_shown)
    ex = chat_kernel.collect(msg_id, until=_status_says("running"), into=ex)
    chat_kernel.interrupt()
    ex = chat_kernel.collect(msg_id, into=ex)
    assert "interrupted" in one_line(ex)
    card = {m["content"]["comm_id"] for m in ex.iopub if m["msg_type"] == "comm_open"}
    closed = {m["content"]["comm_id"] for m in ex.iopub if m["msg_type"] == "comm_close"}
    assert card and card <= closed  # every widget model of the card was closed
    assert int(chat_kernel.run(OPEN_COMMS).stdout()) == baseline


def test_two_hundred_tool_calls_leave_the_open_comms_bounded(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    chat_kernel.run(ADD + "%chat policy add auto")
    baseline = int(chat_kernel.run(OPEN_COMMS).stdout())
    for turn in range(20):
        calls = [("add", {"a": turn, "b": i}, f"c{turn}_{i}") for i in range(10)]
        server.enqueue(Reply.tool_calls(calls), Reply.text(f"turn {turn} done"))
        ex = chat_kernel.run(f"%%chat\nadd ten pairs, round {turn}", timeout=60)
        assert ex.errors() == [], ex.errors()
    assert chat_kernel.run("print(len(calls))").stdout() == "200\n"
    assert int(chat_kernel.run(OPEN_COMMS).stdout()) <= baseline + 2


def test_unknown_tools_fail_before_anything_starts_and_the_thread_is_untouched(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    chat_kernel.run(ADD)
    server.enqueue(Reply.text("first"))
    chat_kernel.run("%%chat\nkeep me")
    for options in ("--tools nope", "--tools add,nope --new", "--tool nope --new"):
        ex = chat_kernel.run(f"%%chat {options}\nthis must not be sent")
        assert "no tool" in one_line(ex) or "no such tool" in one_line(ex)
        assert [m for m in ex.outputs() if m["msg_type"] != "error"] == []
    messages = then_next_cell_works(chat_kernel, server)
    assert [m["content"] for m in messages] == ["keep me", "first", "still there?"]
    cwd = chat_kernel.run("import os; print(os.getcwd())").stdout().strip()
    store = (Path(cwd) / ".jupyter-orch" / "transcript.jsonl").read_text()
    assert "this must not be sent" not in store


def _status_says(text: str) -> Any:
    def match(m: Msg) -> bool:
        if m["msg_type"] != "comm_msg":
            return False
        return text in str(m["content"]["data"].get("state", {}).get("value", ""))

    return match
