"""Planning a turn: every check made, every change described, nothing applied yet.

A surface (a ``%%chat`` cell, a chat panel, :class:`~jupyter_orch.api.Chat`) describes what
it asks for as a :class:`TurnInput`; :func:`plan_turn` validates it against the session and
the settings and returns a :class:`TurnPlan`. Bad input is a one-line
:class:`~jupyter_orch.core.errors.UsageError` and leaves every piece of state as it was: the
thread is switched, cleared or given its system prompt, and attachments are taken, only once
the turn holds its thread (:meth:`~jupyter_orch.turns.runner.TurnRunner.run`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import UsageError
from ..core.messages import ContentPart
from ..core.provider import capabilities_of
from ..session import Session

NO_MODEL = (
    "no model configured: use %%chat -m provider/model, %chat model NAME, "
    "%config JupyterOrch.model = '...', or set JUPYTER_ORCH_MODEL (try local/smollm2 for "
    "a small local model)"
)
LOCAL_TOOLS = (
    "The model is offered tools only when one is forced with --tool NAME: "
    "it cannot choose tools on its own."
)


@dataclass(frozen=True)
class TurnSettings:
    """The defaults and limits a turn runs with (``JupyterOrch`` settings in a kernel).

    Parameters
    ----------
    model, system, params
        The default model, system prompt of new threads, and model parameters.
    max_rounds, tool_timeout, approval_ttl, context_window
        As for :class:`~jupyter_orch.core.orchestrator.Orchestrator`.
    redact_patterns
        The user's extra redaction patterns.
    """

    model: str = ""
    system: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    max_rounds: int = 25
    tool_timeout: float = 60.0
    approval_ttl: float = 600.0
    context_window: int | None = None
    redact_patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class TurnInput:
    """What a surface asks of one turn.

    Parameters
    ----------
    prompt
        The user's message, already interpolated.
    model
        The model (``None``: the default of the settings).
    thread
        The thread's name (``None``: the session's current thread).
    new
        Start the thread afresh.
    system
        A system prompt for the thread.
    params
        Model parameters for this turn, over the settings' defaults.
    tools
        Names of the tools to offer (``None``: all; empty: none).
    force_tool
        A tool the model must call first.
    cell_id, execution_count
        The notebook cell that runs the turn, and its number as the notebook shows it.
    switch_thread
        Make ``thread`` the session's current thread (cells do; a panel never does).
    label
        How another turn waiting for this one names it (``In [5]``, ``the chat panel``).
    parts
        Content parts (images) that join the message after its text.
    """

    prompt: str
    model: str | None = None
    thread: str | None = None
    new: bool = False
    system: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    tools: Sequence[str] | None = None
    force_tool: str | None = None
    cell_id: str | None = None
    execution_count: int | None = None
    switch_thread: bool = True
    label: str = "another turn"
    parts: tuple[ContentPart, ...] = ()


@dataclass(frozen=True)
class TurnPlan:
    """A checked turn, ready to run; its state changes are applied when it starts.

    Parameters
    ----------
    input
        What was asked.
    turn_id
        The id the turn will have (its transcript key when it has no cell).
    model, thread, params
        Resolved from the input and the settings.
    tools
        The tools to offer (``None``: all), after the model's capabilities.
    notes
        What the user should know about how the turn was built.
    """

    input: TurnInput
    turn_id: str
    model: str
    thread: str
    params: dict[str, Any]
    tools: tuple[str, ...] | None
    notes: tuple[str, ...] = ()


def plan_turn(
    session: Session, settings: TurnSettings, provider: object, given: TurnInput
) -> TurnPlan:
    """Check ``given`` and return its plan; a problem is a one-line :class:`UsageError`."""
    model = given.model or settings.model
    if not model:
        raise UsageError(NO_MODEL)
    if not given.prompt.strip():
        raise UsageError("the message is empty")
    registry = session.registry
    if given.force_tool is not None and given.force_tool not in registry:
        raise UsageError(f"--tool {given.force_tool}: no such tool (see %chat tools)")
    unknown = [name for name in given.tools or () if name not in registry]
    if unknown:
        known = ", ".join(registry.names()) or "none"
        raise UsageError(f"--tools: no tool {', '.join(map(repr, unknown))}; tools: {known}")
    tools = tuple(given.tools) if given.tools is not None else None
    notes: list[str] = []
    if given.force_tool is None and not capabilities_of(provider, model).chooses_tools:
        if len(registry) and tools != ():
            notes.append(LOCAL_TOOLS)
        tools = ()
    return TurnPlan(
        input=given,
        turn_id=uuid.uuid4().hex[:12],
        model=model,
        thread=given.thread or session.current_thread,
        params={**settings.params, **given.params},
        tools=tools,
        notes=tuple(notes),
    )
