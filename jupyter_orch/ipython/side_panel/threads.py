"""The kernel's threads as the side panel sees them: the list, a thread's history, changes.

Threads are the session's own, shared with ``%%chat -t``: the panel lists them, shows a
thread's turns (each as its turn record, drawn on the page as a saved turn), starts a new
one, forks one from a turn and clears one. A panel never changes the notebook's current
thread: it keeps its own choice on the page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ...core.errors import UsageError
from ...core.redaction import Redactor
from ...core.thread import Thread, Turn
from ...session import Session
from ...transcript.fork import fork_thread
from .renderer import slim, usage_data

HISTORY_TURNS = 40
"""The newest turns a history holds (older ones are counted, not sent)."""

NAME_CHARS = 64

Records = Callable[[], Iterable[Any]]
"""Returns this kernel session's turn records (the transcript log's)."""


def thread_list(session: Session) -> dict[str, Any]:
    """Return every thread with its size and last model, and the current thread's name."""
    threads = [describe(session, thread) for thread in session.threads.values()]
    if session.current_thread not in session.threads:
        threads.insert(0, describe(session, Thread(name=session.current_thread)))
    return {"current": session.current_thread, "threads": threads}


def describe(session: Session, thread: Thread) -> dict[str, Any]:
    """Return one thread as the panel's list shows it."""
    lock = session.thread_lock(thread.name)
    models = [turn.model for turn in thread.turns if turn.model]
    return {
        "name": thread.name,
        "turns": len(thread.turns),
        "last_model": models[-1] if models else None,
        "busy": lock.holder if lock.busy else "",
        "usage": usage_data(thread.usage),
    }


def history(session: Session, name: str, records: Records, redactor: Redactor) -> dict[str, Any]:
    """Return thread ``name``'s newest turns, each as a turn record (redacted)."""
    thread = session.threads.get(name) or Thread(name=name)
    by_id = {record.id: record for record in records()}
    turns = thread.turns[-HISTORY_TURNS:]
    first = len(thread.turns) - len(turns)
    out = []
    for position, turn in enumerate(turns, start=first):
        record = by_id.get(turn.id)
        data = (
            slim(record.to_json())
            if record is not None
            else fallback(turn, thread, position, redactor)
        )
        data["thread"], data["position"] = thread.name, position
        out.append(data)
    return {
        "thread": thread.name,
        "earlier": first,
        "records": out,
        **describe(session, thread),
    }


def fallback(turn: Turn, thread: Thread, position: int, redactor: Redactor) -> dict[str, Any]:
    """Return a minimal record of a turn that has none (an inserted prompt, another session)."""
    users = [m.text() for m in turn.messages if m.role == "user"]
    answer = "".join(m.text() for m in turn.messages if m.role == "assistant")
    return {
        "kind": "turn",
        "version": 1,
        "id": turn.id,
        "thread": thread.name,
        "position": position,
        "cell_id": turn.cell_id,
        "status": "interrupted" if turn.interrupted else "finished",
        "stop": "interrupted" if turn.interrupted else "done",
        "model": turn.model or "",
        "prompt": redactor.text(users[0] if users else ""),
        "answer": redactor.text(answer),
        "usage": usage_data(turn.usage),
    }


def new_thread(session: Session, name: Any) -> dict[str, Any]:
    """Make an empty thread (named ``name``, or the next free ``chat-N``)."""
    chosen = checked_name(name) if name not in (None, "") else _free_name(session)
    existing = session.threads.get(chosen)
    if existing is not None and existing.turns:
        raise UsageError(f"thread {chosen!r} already exists; pick a new name")
    session.thread(chosen)
    return {"thread": chosen}


def fork(session: Session, name: Any, turn_id: Any, new: Any) -> dict[str, Any]:
    """Fork thread ``name`` into a new thread holding its turns up to ``turn_id``."""
    source = session.threads.get(checked_name(name))
    if source is None:
        raise UsageError(f"no thread {name!r}")
    index = next((i for i, t in enumerate(source.turns) if t.id == turn_id), None)
    if index is None:
        raise UsageError(f"no turn {turn_id!r} in thread {source.name!r}")
    target = checked_name(new) if new not in (None, "") else _free_name(session, source.name)
    existing = session.threads.get(target)
    if existing is not None and existing.turns:
        raise UsageError(f"thread {target!r} already exists; pick a new name")
    session.threads[target] = fork_thread(source, target, index)
    return {"thread": target, "turns": index + 1}


def clear(session: Session, name: Any) -> dict[str, Any]:
    """Forget thread ``name``'s turns (its system prompt stays); not while a turn runs."""
    thread = session.threads.get(checked_name(name))
    if thread is None:
        return {"thread": name, "turns": 0}
    lock = session.thread_lock(thread.name)
    if lock.busy:
        raise UsageError(
            f"a turn is running on thread {thread.name!r} ({lock.holder}): wait or Stop"
        )
    thread.clear()
    return {"thread": thread.name, "turns": 0}


def checked_name(name: Any) -> str:
    """Return ``name`` as a thread name; a one-line error when it cannot be one."""
    if not isinstance(name, str) or not name.strip():
        raise UsageError("a thread needs a name")
    text = name.strip()
    if len(text) > NAME_CHARS or any(c.isspace() for c in text):
        raise UsageError(f"a thread name is one word of at most {NAME_CHARS} characters")
    return text


def _free_name(session: Session, base: str = "chat") -> str:
    stem = base if base != "default" else "chat"
    number = 2
    while f"{stem}-{number}" in session.threads:
        number += 1
    return f"{stem}-{number}"
