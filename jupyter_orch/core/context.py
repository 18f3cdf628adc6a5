"""What a running tool may use of the turn and the call that run it.

The turn runner enters a :class:`TurnContext` for the turn's task, and the tool runner a
:class:`CallContext` around each call. Both are context variables, so a tool (or an adapter
acting for it, such as an MCP server that asks the user a question) reads them without any
parameter threaded through the :class:`~jupyter_orch.core.tools.Tool` protocol. Code that
runs in another task must capture them first: :func:`current_turn` and :func:`current_call`
return the values of the calling task.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .approval import Approver
    from .elicitation import Elicitor
    from .provider import Provider

ProgressReporter = Callable[[float, "float | None", "str | None"], None]
"""``report(progress, total, message)``: how far a running call is (``total`` may be unknown)."""

ElicitationNote = Callable[[dict[str, Any]], None]
"""``elicited(entry)``: a server's request for input and its answer, redacted, for the record."""


def _unrecorded(entry: dict[str, Any]) -> None:
    """Record nothing (a call that runs outside the tool runner)."""


@dataclass(frozen=True)
class TurnContext:
    """The turn a tool call belongs to.

    Parameters
    ----------
    turn_id
        The turn's id (as in its record).
    thread
        The thread's name.
    model
        The turn's model.
    approver
        How a request made from inside a tool call (a server's sampling) is decided; in a
        notebook it shows a card of its own, as the turn's tool calls have.
    elicitor
        How the turn asks the user for input (a form in the cell, or a headless decline).
    provider
        The turn's model seam (a server's sampling request is answered through it).
    redact
        Hides secrets in a value before it is shown or recorded.
    params
        The turn's model parameters (``api_base``, keys...): a model call made for the turn
        (a server's sampling request) uses them too.
    """

    turn_id: str
    thread: str
    model: str
    approver: Approver
    elicitor: Elicitor
    provider: Provider
    redact: Callable[[Any], Any]
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CallContext:
    """One tool call under way.

    Parameters
    ----------
    call_id
        The model's id of the call.
    tool
        The tool's name as offered to the model.
    report
        Reports progress; it shows on the call's card (safe to call from any thread).
    elicited
        Notes a server's request for input and its answer (redacted) in the call's record.
    """

    call_id: str
    tool: str
    report: ProgressReporter
    elicited: ElicitationNote = _unrecorded


_C = TypeVar("_C")

_TURN: ContextVar[TurnContext | None] = ContextVar("jupyter_orch_turn", default=None)
_CALL: ContextVar[CallContext | None] = ContextVar("jupyter_orch_call", default=None)


def current_turn() -> TurnContext | None:
    """Return the turn the calling task runs for, or ``None`` outside a turn."""
    return _TURN.get()


def current_call() -> CallContext | None:
    """Return the tool call the calling task runs, or ``None`` outside one."""
    return _CALL.get()


def turn_entered(context: TurnContext) -> contextlib.AbstractContextManager[TurnContext]:
    """Make ``context`` the current turn inside the block."""
    return _entered(_TURN, context)


def call_entered(context: CallContext) -> contextlib.AbstractContextManager[CallContext]:
    """Make ``context`` the current call inside the block (tasks started in it inherit it)."""
    return _entered(_CALL, context)


@contextlib.contextmanager
def _entered(var: ContextVar[_C | None], context: _C) -> Iterator[_C]:
    token = var.set(context)
    try:
        yield context
    finally:
        var.reset(token)
