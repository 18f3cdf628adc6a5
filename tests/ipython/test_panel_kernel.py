"""``%chat panel`` in a real kernel, driven by the comm messages a browser sends."""

from __future__ import annotations

from typing import Any

from jupyter_orch.testing.openai_server import OpenAIServer, Reply, tool_then_answer
from tests.ipython.test_tools_kernel import ADD, comm_of, widget_opened
from tests.support.kernel import Execution, Kernel, Msg


class Panel:
    """The widgets of one panel, found in the messages of the cell that opened it."""

    def __init__(self, k: Kernel, opened: Execution) -> None:
        self.k = k
        self.message = comm_of(opened, "TextareaModel")
        self.send_button = comm_of(opened, "ButtonModel", description="Send")
        self.stop_button = comm_of(opened, "ButtonModel", description="Stop")
        self.status = comm_of(opened, "HTMLModel", value="")

    def send(self, text: str) -> str:
        """Type ``text`` and click Send; return the click's msg_id (the turn's parent)."""
        self.k.set_state(self.message, {"value": text})
        return self.k.click(self.send_button)


def open_panel(k: Kernel, options: str = "") -> Panel:
    ex = k.run(f"%chat panel {options}")
    assert ex.errors() == [], ex.errors()
    return Panel(k, ex)


def outputs_text(m: Msg) -> str:
    """The text of the outputs a widget update carries ("" for other messages)."""
    if m["msg_type"] != "comm_msg":
        return ""
    outputs = m["content"]["data"].get("state", {}).get("outputs", [])
    return "".join(str(o.get("data", {}).get("text/markdown", "")) for o in outputs)


def showing(*texts: str) -> Any:
    return lambda m: all(text in outputs_text(m) for text in texts)


def status_says(text: str) -> Any:
    def match(m: Msg) -> bool:
        state = m["content"].get("data", {}).get("state", {}) if m["msg_type"] == "comm_msg" else {}
        return text in str(state.get("value", ""))

    return match


def test_a_message_streams_its_answer_into_the_panel_and_continues_the_thread(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    panel = open_panel(chat_kernel)
    answer = "Hello from the **panel**.\n\nA second paragraph."
    server.enqueue(Reply.text(answer, chunk_chars=3, tokens_per_second=60))
    turn = chat_kernel.collect(panel.send("Say hello"), until=showing("A second", "test-model"))
    streamed = [outputs_text(m) for m in turn.iopub if outputs_text(m)]
    assert len(streamed) >= 3, streamed  # the waiting note, partial text, the final answer
    assert "waiting for the first token" in streamed[0]
    assert "Hello from the **panel**." in streamed[-1] and "A second paragraph." in streamed[-1]
    # The panel's turn is a turn of the thread: the next message, and a cell, see it.
    server.enqueue(Reply.text("Second answer."))
    chat_kernel.collect(panel.send("And again"), until=showing("Second answer."))
    sent = [m["content"] for m in server.requests[-1]["messages"]]
    assert sent[-3:] == ["Say hello", answer, "And again"]
    server.enqueue(Reply.text("From a cell."))
    chat_kernel.run("%%chat\nAnd from a cell")
    assert [m["content"] for m in server.requests[-1]["messages"]][-3:] == [
        "And again",
        "Second answer.",
        "And from a cell",
    ]


def test_a_tool_call_waits_for_approve_in_the_panel_while_cells_still_run(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    chat_kernel.run(ADD)
    panel = open_panel(chat_kernel)
    server.responder = tool_then_answer("add", {"a": 2, "b": 3})
    click = panel.send("What is 2 + 3?")
    turn = chat_kernel.collect(click, until=widget_opened("ButtonModel", description="Approve"))
    # The turn waits for the click as a task: the kernel is free for cells meanwhile.
    assert chat_kernel.run("print('free', calls)").stdout() == "free []\n"
    chat_kernel.click(comm_of(turn, "ButtonModel", description="Approve"))
    turn = chat_kernel.collect(click, until=showing("Tool results: add: 5"), into=turn)
    assert chat_kernel.run("print(calls)").stdout() == "[(2, 3)]\n"


def test_stop_ends_the_turn_and_errors_are_one_line_in_the_status(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    panel = open_panel(chat_kernel)
    server.enqueue(Reply.hang())
    click = panel.send("Never mind")
    turn = chat_kernel.collect(click, until=showing("waiting for the first token"))
    server.wait_for_requests(1)  # the model has the question and will never answer
    chat_kernel.click(panel.stop_button)
    # The turn's messages, its end too, belong to the Send click that started it.
    chat_kernel.collect(click, until=status_says("stopped"), into=turn)
    bad = open_panel(chat_kernel, "-m nonsense")
    unknown = "Unknown model or provider 'nonsense'"
    failed = chat_kernel.collect(bad.send("Hi"), until=status_says(unknown))
    (line,) = [
        m["content"]["data"]["state"]["value"] for m in failed.iopub if status_says(unknown)(m)
    ]
    assert "Traceback" not in line and line.count("\n") == 0
    # The next message in a good panel works.
    server.enqueue(Reply.text("Fine again."))
    chat_kernel.collect(panel.send("Hello?"), until=showing("Fine again."))
