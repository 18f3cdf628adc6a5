"""Threads: named histories of turns, a system prompt, and trimming to a context window."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .messages import Message, Usage

TokenCounter = Callable[[Message], int]


def estimate_tokens(message: Message) -> int:
    """Estimate a message's tokens cheaply (about 3.5 characters a token, rounded up).

    Trimming must never under-count by much, and must cost little on a long thread; a
    tokenizer call per message per request would dominate request building.
    """
    size = len(message.text()) + sum(len(c.arguments) + len(c.name) for c in message.tool_calls)
    if isinstance(message.content, list):
        size += 1000 * sum(1 for p in message.content if p.get("type") == "image_url")
    return 4 + (size * 2 + 6) // 7


@dataclass
class Turn:
    """One exchange: the user's message and everything the assistant and tools added.

    Parameters
    ----------
    messages
        The turn's messages, the user's first (a prompt inserted by ``%mcp prompt`` may hold
        several user and assistant messages).
    cell_id
        The notebook cell that ran it; re-running that cell replaces this turn.
    interrupted
        The turn was cut short and its last answer is partial.
    """

    messages: list[Message] = field(default_factory=list)
    cell_id: str | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    model: str | None = None
    usage: Usage = field(default_factory=Usage)
    interrupted: bool = False
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Thread:
    """A named conversation.

    Parameters
    ----------
    name
        The thread's name (``default`` unless the user picks one).
    system
        The system prompt; it always stays at the head of every request.
    """

    name: str = "default"
    system: str | None = None
    turns: list[Turn] = field(default_factory=list)

    @property
    def usage(self) -> Usage:
        """Usage summed over the thread's turns."""
        total = Usage()
        for turn in self.turns:
            total = total + turn.usage
        return total

    def messages(self) -> list[Message]:
        """Return every message of every turn, oldest first (the system prompt excluded)."""
        return [m for t in self.turns for m in t.messages]

    def begin(
        self, message: Message, cell_id: str | None = None, turn_id: str | None = None
    ) -> Turn:
        """Start a turn with ``message``; a turn of the same cell is replaced, in its place."""
        turn = Turn(messages=[message], cell_id=cell_id)
        if turn_id is not None:
            turn.id = turn_id
        for i, old in enumerate(self.turns):
            if cell_id is not None and old.cell_id == cell_id:
                # Re-running a cell rewrites its exchange; later turns stay where they were.
                self.turns[i] = turn
                return turn
        self.turns.append(turn)
        return turn

    def discard(self, turn: Turn) -> None:
        """Drop ``turn`` (a failed turn that produced nothing)."""
        self.turns = [t for t in self.turns if t is not turn]

    def add_messages(self, messages: Iterable[Message]) -> Turn:
        """Append ``messages`` as a turn of their own (an inserted prompt, a fork)."""
        turn = Turn(messages=list(messages))
        self.turns.append(turn)
        return turn

    def clear(self) -> None:
        """Forget every turn; the system prompt stays."""
        self.turns.clear()

    def request_messages(
        self,
        *,
        system_extra: str = "",
        window: int | None = None,
        reserve: int = 0,
        count: TokenCounter = estimate_tokens,
        upto: Turn | None = None,
    ) -> list[Message]:
        """Build the messages of the next request.

        The system prompt (plus ``system_extra``) comes first and always stays. When
        ``window`` is given, the oldest turns are dropped until the request, plus ``reserve``
        tokens for the answer, fits; the newest turn is always kept. Turns after ``upto`` are
        left out (a re-run cell sees only what came before it).
        """
        system = "\n\n".join(s for s in (self.system or "", system_extra) if s)
        head = [Message("system", system)] if system else []
        turns = self.turns
        if upto is not None and upto in turns:
            turns = turns[: turns.index(upto) + 1]
        if window is None:
            return head + [m for t in turns for m in t.messages]
        budget = window - reserve - sum(count(m) for m in head)
        kept: list[list[Message]] = []
        for turn in reversed(turns):
            cost = sum(count(m) for m in turn.messages)
            if kept and cost > budget:
                break
            kept.append(turn.messages)
            budget -= cost
        return head + [m for msgs in reversed(kept) for m in msgs]
