"""The one turn runner: every turn (cell, panel, ``Chat``, tests) goes through :meth:`run`.

In order, a turn:

1. waits for its thread (one turn at a time per thread; the renderer says whose turn it
   waits for), so two turns never interleave their messages;
2. applies its plan's state changes (current thread, ``--new``, system prompt, attachments);
3. builds one redactor, hands it to every hook and shows only redacted events;
4. lets the wrappers (a replay) change its provider, approver and tools, for this turn only;
5. runs the orchestrator with the turn's context entered (tools read it);
6. always, in ``finally``: ends the hooks, the wrappers and the renderer (which closes its
   widgets); anything unexpected becomes a failed turn with a one-line error.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.approval import Approver
from ..core.context import TurnContext, turn_entered
from ..core.elicitation import Elicitor, HeadlessElicitor
from ..core.events import Event, TurnFailed, TurnFinished
from ..core.orchestrator import Orchestrator
from ..core.provider import Provider
from ..core.redaction import Redactor
from ..core.redaction_stream import EventRedactor
from ..core.request import ChatRequest
from ..session import Session
from .plan import TurnInput, TurnPlan, TurnSettings, plan_turn
from .protocols import HookFactory, Renderer, TurnHook, TurnStart, TurnWrapper, WrapperFactory


@dataclass
class TurnOutcome:
    """How a turn ended.

    Parameters
    ----------
    request
        The request it ran.
    failure
        Its failure (a one-line message), or ``None``.
    answer
        The (redacted) answer over all rounds.
    interrupted
        It was cancelled (Interrupt, Stop).
    """

    request: ChatRequest
    failure: TurnFailed | None = None
    answer: str = ""
    interrupted: bool = False


class TurnRunner:
    """Plans and runs turns over one session.

    Parameters
    ----------
    session
        The registry, policy and threads the turns use.
    provider
        The model seam.
    settings
        The defaults and limits, or a callable returning them at each turn (settings that
        the user changes with ``%config`` apply to the next turn).
    hooks
        Factories of the hooks that follow each turn (the transcript recorder).
    wrappers
        Factories of per-turn wrappers (a replay).
    """

    def __init__(
        self,
        session: Session,
        provider: Provider,
        settings: TurnSettings | Callable[[], TurnSettings] | None = None,
        *,
        hooks: Sequence[HookFactory] = (),
        wrappers: Sequence[WrapperFactory] = (),
    ) -> None:
        self.session = session
        self.provider = provider
        fixed = settings if isinstance(settings, TurnSettings) else TurnSettings()
        self._settings = settings if callable(settings) else (lambda: fixed)
        self.hooks: list[HookFactory] = list(hooks)
        self.wrappers: list[WrapperFactory] = list(wrappers)

    @property
    def settings(self) -> TurnSettings:
        """The settings that apply now."""
        return self._settings()

    def plan(self, given: TurnInput) -> TurnPlan:
        """Check ``given``; a problem is a one-line error and nothing has changed."""
        return plan_turn(self.session, self.settings, self.provider, given)

    async def run(
        self,
        plan: TurnPlan,
        renderer: Renderer,
        approver: Approver,
        *,
        elicitor: Elicitor | None = None,
        inner_approver: Approver | None = None,
    ) -> TurnOutcome:
        """Run ``plan`` into ``renderer``; cancellation ends the turn validly and goes on.

        ``approver`` decides the model's tool calls (their cards come from the renderer);
        ``inner_approver`` (default: the same) decides what a tool itself asks during the
        turn (a server's sampling request); ``elicitor`` answers a server's questions
        (default: declined, as in a headless run).
        """
        lock = self.session.thread_lock(plan.thread)
        if lock.busy:
            renderer.waiting(f"waiting for the turn {lock.holder} to finish")
        held = False
        try:
            async with lock.held(plan.input.label):
                held = True
                asks = _Asks(approver, inner_approver or approver, elicitor)
                return await self._run_held(plan, renderer, asks)
        except asyncio.CancelledError:
            if not held:  # interrupted while waiting: nothing started, nothing to keep
                renderer.finish({}, interrupted=True)
            raise

    async def _run_held(self, plan: TurnPlan, renderer: Renderer, asks: _Asks) -> TurnOutcome:
        settings = self.settings
        request = self._commit(plan, settings)
        redactor = Redactor.build(settings.redact_patterns, params=request.params)
        start = TurnStart(plan, request, redactor)
        wrappers = [w for factory in self.wrappers if (w := factory(start)) is not None]
        provider, registry, approver = self.provider, self.session.registry, asks.tools
        for wrapper in wrappers:
            provider, approver = wrapper.provider(provider), wrapper.approver(approver)
            registry = wrapper.tools(registry)
        orchestrator = Orchestrator(
            provider,
            registry,
            self.session.policy,
            approver,
            max_rounds=settings.max_rounds,
            tool_timeout=settings.tool_timeout,
            approval_ttl=settings.approval_ttl,
            context_window=settings.context_window,
        )
        context = TurnContext(
            plan.turn_id,
            plan.thread,
            plan.model,
            asks.inner,
            asks.elicitor or HeadlessElicitor(),
            provider,
            redactor.value,
            request.params,
        )
        return await self._drive(start, orchestrator, context, renderer, wrappers)

    async def _drive(
        self,
        start: TurnStart,
        orchestrator: Orchestrator,
        context: TurnContext,
        renderer: Renderer,
        wrappers: list[TurnWrapper],
    ) -> TurnOutcome:
        outcome = TurnOutcome(start.request)
        scrub = EventRedactor(start.redactor)
        hooks: list[TurnHook] = []
        renderer.start(start)
        try:
            hooks = [factory(start) for factory in self.hooks]
            with turn_entered(context):
                async with contextlib.aclosing(orchestrator.run(start.request)) as events:
                    async for raw in events:
                        for event in scrub.feed(raw):
                            _show(event, renderer, hooks, outcome)
        except asyncio.CancelledError:
            outcome.interrupted = True
            raise
        except Exception as exc:  # a hook or a renderer failed: the turn still ends validly
            failed = TurnFailed(f"internal error: {type(exc).__name__}: {exc}", "bug")
            outcome.failure = failed
            _guarded(renderer.handle, failed)
        finally:
            for event in scrub.flush():
                _show(event, renderer, hooks, outcome)
            _end(hooks, wrappers, renderer, interrupted=outcome.interrupted)
        return outcome

    def _commit(self, plan: TurnPlan, settings: TurnSettings) -> ChatRequest:
        """Apply the plan's state changes (the turn holds its thread now)."""
        session, given = self.session, plan.input
        if given.switch_thread:
            session.current_thread = plan.thread
        thread = session.thread(plan.thread)
        if given.new:
            thread.clear()
        if given.system is not None:
            thread.system = given.system
        elif thread.system is None and settings.system:
            thread.system = settings.system
        parts = [*given.parts, *session.take_attachments(plan.thread)]
        prompt: Any = [{"type": "text", "text": given.prompt}, *parts] if parts else given.prompt
        return ChatRequest(
            prompt,
            thread,
            plan.model,
            params=dict(plan.params),
            tools=plan.tools,
            force_tool=given.force_tool,
            cell_id=given.cell_id,
            system_extra=session.system_extra(),
            turn_id=plan.turn_id,
        )


@dataclass(frozen=True)
class _Asks:
    """Who decides and answers for a turn."""

    tools: Approver
    inner: Approver
    elicitor: Elicitor | None


def _show(event: Event, renderer: Renderer, hooks: list[TurnHook], outcome: TurnOutcome) -> None:
    if isinstance(event, TurnFailed):
        outcome.failure = event
    elif isinstance(event, TurnFinished):
        outcome.answer = event.answer
    renderer.handle(event)
    for hook in hooks:
        hook.event(event)


def _end(
    hooks: list[TurnHook], wrappers: list[TurnWrapper], renderer: Renderer, *, interrupted: bool
) -> None:
    extra: dict[str, Any] = {}
    for hook in hooks:
        extra.update(_guarded(hook.end, interrupted) or {})
    for wrapper in wrappers:
        _guarded(wrapper.end)
    _guarded(lambda: renderer.finish(extra, interrupted=interrupted))


def _guarded(action: Callable[..., Any], *args: Any) -> Any:
    """Run one clean-up step; its failure is reported in one line and the others still run."""
    try:
        return action(*args)
    except Exception as exc:  # one failing hook must not leave the rest of the turn open
        print(f"jupyter-orch: {type(exc).__name__} while ending a turn: {exc}", file=sys.stderr)
        return None
