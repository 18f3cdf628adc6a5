"""Running one ``%%chat`` cell: parse, build the request, stream the events into the output."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Protocol

from ..core.context import TurnContext, turn_entered
from ..core.errors import OrchError
from ..core.events import Event, TurnFailed
from ..core.provider import Provider, ProviderChunk, ProviderRequest
from ..core.redaction import EventRedactor
from ..core.request import ChatRequest
from .approvers import frontend, make_approver
from .elicitors import CardApprover, TurnOutput, make_elicitor
from .errors import fail
from .interrupt import interruptible
from .options import ChatOptions, parse_chat_options
from .transcript_commands import turn_redactor

if TYPE_CHECKING:
    from .extension import Extension


class TurnHook(Protocol):
    """Follows one turn (the transcript recorder is one); made per turn by a factory."""

    def event(self, event: Event) -> None:
        """See one event, in order."""
        ...

    def end(self, interrupted: bool) -> dict[str, Any]:
        """End the turn; return MIME entries to add to the cell's final bundle."""
        ...


INTERRUPTED = "interrupted; the partial answer is kept in the thread, marked"


async def run_chat_cell(ext: Extension, line: str, body: str) -> None:
    """Run a ``%%chat`` cell on the kernel's loop (the cell awaits this coroutine)."""
    try:
        options = parse_chat_options(line)
        request, scrub = await prepare_turn(ext, options, body)
    except OrchError as exc:
        raise fail(str(exc), ext.shell) from None
    mode = frontend(ext.shell, ext.config)
    renderer = _renderer(ext, mode, request.model, options)
    try:
        async with interruptible():
            failure = await run_turn(ext, request, renderer, mode, scrub)
    except asyncio.CancelledError:
        raise fail(INTERRUPTED, ext.shell) from None
    if failure is not None:
        raise fail(failure.message, ext.shell) from None


async def prepare_turn(
    ext: Extension, options: ChatOptions, body: str, *, from_cell: bool = True
) -> tuple[ChatRequest, EventRedactor]:
    """Mount the configured servers, build the request and its redactor.

    Bad input raises a one-line :class:`OrchError`; nothing has been sent yet.
    """
    await ext.mount_configured()
    request = ext.build_request(options, body, from_cell=from_cell)
    # Secrets are redacted from every event before anything shows or records it.
    return request, EventRedactor(turn_redactor(ext, request))


def cell_renderer(
    ext: Extension, model: str, options: ChatOptions, *, widgets: bool, surface: Any = None
) -> Any:
    """Return a renderer into the running cell, or into ``surface`` (a chat panel's turn)."""
    from .display.cell import CellRenderer

    return CellRenderer(
        model,
        fmt=options.format or ext.config.format,
        quiet=options.quiet,
        hz=ext.config.update_hz,
        widgets=widgets,
        surface=surface,
    )


async def run_turn(
    ext: Extension, request: ChatRequest, renderer: Any, mode: str, scrub: EventRedactor
) -> TurnFailed | None:
    """Stream one turn into ``renderer``, recorded by the turn hooks; return its failure.

    Cancelled, the turn is finished as interrupted (the partial answer kept, marked) and the
    cancellation goes on.
    """
    renderer.redact = scrub.redactor.text
    renderer.summary.remarks.extend(ext.remarks(request))
    approver = make_approver(mode, ext.config, scrub.redactor.value)
    orchestrator = ext.orchestrator(approver)
    hooks: list[TurnHook] = [factory(ext, request) for factory in ext.turn_hooks]
    failure: TurnFailed | None = None
    renderer.start()
    turn = _turn_context(ext, request, renderer, mode, approver, scrub)
    try:
        with turn_entered(turn):
            async for raw in orchestrator.run(request):
                for event in scrub.feed(raw):
                    failure = _show(event, renderer, hooks) or failure
    except asyncio.CancelledError:
        for event in scrub.flush():
            _show(event, renderer, hooks)
        renderer.summary.stop = "interrupted"
        _finish(renderer, hooks, interrupted=True)
        raise
    _finish(renderer, hooks, interrupted=False)
    return failure


def _turn_context(
    ext: Extension, request: ChatRequest, renderer: Any, mode: str, approver: Any, scrub: Any
) -> TurnContext:
    # What a tool (an MCP server's question) reaches through current_turn(); forms show
    # where the turn is shown, in this task's context (the cell's parent header).
    surface = getattr(renderer, "_surface", None)
    output = TurnOutput(surface.add_widget if surface is not None else _display)
    return TurnContext(
        turn_id=uuid.uuid4().hex,
        thread=request.thread.name,
        model=request.model,
        approver=CardApprover(approver, output) if mode == "widget" else approver,
        elicitor=make_elicitor(mode, output),
        provider=_WithTurnParams(ext.get_provider(), request.params),
        redact=scrub.redactor.value,
    )


class _WithTurnParams:
    """The turn's provider, with the turn's model parameters (api_base, keys) on each call."""

    def __init__(self, inner: Provider, params: dict[str, Any]) -> None:
        self._inner = inner
        self._params = params

    def stream(self, request: ProviderRequest) -> AsyncIterator[ProviderChunk]:
        params = {**self._params, **request.params}
        return self._inner.stream(dataclasses.replace(request, params=params))

    async def context_window(self, model: str) -> int | None:
        return await self._inner.context_window(model)

    async def supports_images(self, model: str) -> bool:
        return await self._inner.supports_images(model)


def _display(widget: Any) -> None:
    from IPython.display import display

    display(widget)


def _show(event: Event, renderer: Any, hooks: list[TurnHook]) -> TurnFailed | None:
    renderer.handle(event)
    for hook in hooks:
        hook.event(event)
    return event if isinstance(event, TurnFailed) else None


def _finish(renderer: Any, hooks: list[TurnHook], *, interrupted: bool) -> None:
    extra: dict[str, Any] = {}
    for hook in hooks:
        extra.update(hook.end(interrupted))
    renderer.finish(extra)


def _renderer(ext: Extension, mode: str, model: str, options: ChatOptions) -> Any:
    if getattr(ext.shell, "kernel", None) is None:
        from .display.terminal import TerminalRenderer

        return TerminalRenderer(model, quiet=options.quiet)
    return cell_renderer(ext, model, options, widgets=mode == "widget")
