"""Forking a thread: a new thread that starts with a copy of another's first turns."""

from __future__ import annotations

from ..core.errors import UsageError
from ..core.thread import Thread, Turn


def turn_index(thread: Thread, *, cell_id: str | None = None, number: int | None = None) -> int:
    """Return the index of a turn of ``thread``, named by its cell id or its number (from 1).

    With neither, the last turn.
    """
    if not thread.turns:
        raise UsageError(f"thread {thread.name!r} has no turns to fork from")
    if cell_id is not None:
        for i, turn in enumerate(thread.turns):
            if turn.cell_id == cell_id:
                return i
        raise UsageError(f"no turn of cell {cell_id!r} in thread {thread.name!r}")
    if number is not None:
        if not 1 <= number <= len(thread.turns):
            raise UsageError(f"--turn must be 1 to {len(thread.turns)} in thread {thread.name!r}")
        return number - 1
    return len(thread.turns) - 1


def fork_thread(source: Thread, name: str, upto: int) -> Thread:
    """Return a new thread ``name`` holding copies of ``source``'s turns ``0..upto``.

    The copies keep their turn ids (so the fork's next turn names its parent) but lose
    their cell ids: re-running one of the original cells changes the original thread only.
    """
    if name == source.name:
        raise UsageError("a fork needs a new thread name")
    turns = [
        Turn(
            messages=list(turn.messages),
            cell_id=None,
            id=turn.id,
            model=turn.model,
            usage=turn.usage,
            interrupted=turn.interrupted,
            meta={**turn.meta, "forked_from": source.name},
        )
        for turn in source.turns[: upto + 1]
    ]
    return Thread(name=name, system=source.system, turns=turns)
