"""Forking a thread: copies up to a turn, named by cell or number; the original is untouched."""

from __future__ import annotations

import pytest

from jupyter_orch.core.errors import UsageError
from jupyter_orch.core.messages import Message
from jupyter_orch.core.thread import Thread
from jupyter_orch.transcript.fork import fork_thread, turn_index


def _thread() -> Thread:
    thread = Thread("main", system="Be brief.")
    for i, cell in enumerate(("c1", "c2", "c3")):
        turn = thread.begin(Message("user", f"q{i}"), cell)
        turn.messages.append(Message("assistant", f"a{i}"))
    return thread


def test_a_fork_copies_the_turns_up_to_a_cell_and_the_original_stays() -> None:
    main = _thread()
    fork = fork_thread(main, "alt", turn_index(main, cell_id="c2"))
    assert (fork.name, fork.system) == ("alt", "Be brief.")
    assert [m.content for m in fork.messages()] == ["q0", "a0", "q1", "a1"]
    assert [t.id for t in fork.turns] == [t.id for t in main.turns[:2]]
    assert [t.cell_id for t in fork.turns] == [None, None]
    fork.begin(Message("user", "new"), "c4")
    main.begin(Message("user", "rerun"), "c1")  # re-running an original cell leaves the fork alone
    assert [m.content for m in fork.messages()][:2] == ["q0", "a0"]
    assert len(main.turns) == 3 and len(fork.turns) == 3


def test_turns_are_named_by_number_or_default_to_the_last() -> None:
    main = _thread()
    assert turn_index(main, number=1) == 0 and turn_index(main) == 2
    with pytest.raises(UsageError, match="--turn must be 1 to 3"):
        turn_index(main, number=4)
    with pytest.raises(UsageError, match="no turn of cell 'zz'"):
        turn_index(main, cell_id="zz")
    with pytest.raises(UsageError, match="no turns to fork from"):
        turn_index(Thread("empty"))
    with pytest.raises(UsageError, match="new thread name"):
        fork_thread(main, "main", 0)
