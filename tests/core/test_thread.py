"""Threads: trimming to the window keeps the system prompt and drops the oldest turns."""

from __future__ import annotations

from jupyter_orch.core.messages import Message
from jupyter_orch.core.thread import Thread, estimate_tokens


def _thread(turns: int) -> Thread:
    thread = Thread(system="sys")
    for i in range(turns):
        turn = thread.begin(Message("user", f"question {i} " + "x" * 70))
        turn.messages.append(Message("assistant", f"answer {i} " + "y" * 70))
    return thread


def test_without_a_window_every_message_is_sent_after_the_system_prompt() -> None:
    messages = _thread(3).request_messages()
    assert [m.role for m in messages] == ["system"] + ["user", "assistant"] * 3


def test_trimming_drops_oldest_turns_first_and_never_exceeds_the_window() -> None:
    thread = _thread(50)
    for window in (200, 500, 1000, 3000):
        messages = thread.request_messages(window=window, reserve=50)
        assert messages[0] == Message("system", "sys")
        assert sum(estimate_tokens(m) for m in messages) + 50 <= window
        assert messages[-1].text().startswith("answer 49")
        kept = [m.text().split()[1] for m in messages[1:] if m.role == "user"]
        assert kept == [str(i) for i in range(50 - len(kept), 50)]


def test_the_newest_turn_is_kept_even_when_alone_it_is_too_big() -> None:
    messages = _thread(3).request_messages(window=10)
    assert [m.role for m in messages] == ["system", "user", "assistant"]
