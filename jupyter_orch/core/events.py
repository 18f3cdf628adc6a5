"""Events a turn produces, in order. Renderers, transcripts and tests consume them.

Events are past-tense facts. Times live in fields that do not take part in equality, so a
whole event stream can be compared with an expected one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .approval import Decision, PendingApproval
from .messages import ToolCall, ToolResult, Usage
from .provider import ProviderRequest
from .tools import PolicyName, ToolPreview, ToolSpec

StopReason = Literal["done", "max_rounds", "interrupted", "stream_cut", "length"]


@dataclass(frozen=True, slots=True)
class TurnStarted:
    """A turn began: the user's message joined ``thread``."""

    thread: str
    model: str
    turn_id: str = field(compare=False)


@dataclass(frozen=True, slots=True)
class RoundStarted:
    """A model call began (a turn has one round, plus one per round of tool results).

    ``request`` is what the provider is sent (transcripts hash and record it).
    """

    index: int
    request: ProviderRequest | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of the answer's text arrived."""

    text: str


@dataclass(frozen=True, slots=True)
class ToolCallRequested:
    """The model asked for a call; ``pending`` is set when the user must decide.

    ``preview`` says what the call will change, when its tool says so (a notebook edit).
    """

    call: ToolCall
    spec: ToolSpec | None
    policy: PolicyName | None
    arguments: dict[str, object] | None = None
    pending: PendingApproval | None = field(default=None, compare=False)
    preview: ToolPreview | None = None


@dataclass(frozen=True, slots=True)
class ToolCallApproved:
    """The call may run."""

    call: ToolCall
    decision: Decision


@dataclass(frozen=True, slots=True)
class ToolCallRejected:
    """The call will not run; the reason goes back to the model as the call's result."""

    call: ToolCall
    decision: Decision


@dataclass(frozen=True, slots=True)
class ToolCallStarted:
    """The tool began running."""

    call: ToolCall


@dataclass(frozen=True, slots=True)
class ToolCallProgressed:
    """A running tool reported how far it is (``total`` may be unknown; ``message`` too)."""

    call: ToolCall
    progress: float
    total: float | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class ToolCallElicited:
    """A server asked the user for input during the call, and was answered.

    ``elicitation`` is what the transcript keeps, already redacted: ``mode``, ``message``,
    ``fields``, ``url``, ``action``, ``reason`` and, for an accepted form, ``content``.
    """

    call: ToolCall
    elicitation: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ToolCallFinished:
    """The tool's result (an error result too) is ready and joined the thread."""

    call: ToolCall
    result: ToolResult
    seconds: float = field(default=0.0, compare=False)


@dataclass(frozen=True, slots=True)
class UsageReported:
    """A model call's usage."""

    usage: Usage


@dataclass(frozen=True, slots=True)
class AnswerCompleted:
    """The answer's text is complete and no tool call follows; usage and the end may still come.

    Providers can take a while between the last token and the end of the stream (LiteLLM
    rebuilds the whole response first): a renderer can show the final answer now.
    """


@dataclass(frozen=True, slots=True)
class TurnFinished:
    """The turn ended; ``answer`` is the assistant's text over all rounds."""

    answer: str
    usage: Usage
    stop: StopReason = "done"
    seconds: float = field(default=0.0, compare=False)


@dataclass(frozen=True, slots=True)
class TurnFailed:
    """The turn failed with a one-line message; the thread stays valid."""

    message: str
    kind: str
    partial: str = ""


Event = (
    TurnStarted
    | RoundStarted
    | TextDelta
    | ToolCallRequested
    | ToolCallApproved
    | ToolCallRejected
    | ToolCallStarted
    | ToolCallProgressed
    | ToolCallElicited
    | ToolCallFinished
    | UsageReported
    | AnswerCompleted
    | TurnFinished
    | TurnFailed
)
