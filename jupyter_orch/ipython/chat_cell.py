"""Running one ``%%chat`` cell: parse, plan, and run the turn into the cell's output."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..core.errors import OrchError, UsageError
from ..turns import TurnInput, TurnOutcome, TurnPlan
from .approvers import frontend, make_approver
from .awake import loop_awake
from .elicitors import CardApprover, TurnOutput, make_elicitor
from .errors import fail
from .interpolate import interpolate
from .options import ChatOptions, parse_chat_options, turn_input

if TYPE_CHECKING:
    from .extension import Extension

INTERRUPTED = "interrupted; the partial answer is kept in the thread, marked"
STOPPED = "stopped; the partial answer is kept in the thread, marked"


async def run_chat_cell(ext: Extension, line: str, body: str) -> None:
    """Run a ``%%chat`` cell on the kernel's loop (the cell awaits this coroutine)."""
    try:
        options = parse_chat_options(line)
        await ext.mount_configured()
        ext.claim_tools()
        prompt, parts = await cell_prompt(ext, options, body)
        plan = ext.runner.plan(cell_input(ext, options, prompt, parts))
    except OrchError as exc:
        raise fail(str(exc), ext.shell) from None
    mode = frontend(ext.shell, ext.config)
    renderer = make_renderer(ext, plan, options, mode)
    try:
        async with loop_awake():
            outcome = await run_in(ext, plan, renderer, mode)
    except asyncio.CancelledError:
        raise fail(INTERRUPTED, ext.shell) from None
    if outcome.failure is not None:
        raise fail(outcome.failure.message, ext.shell) from None


async def run_in(ext: Extension, plan: TurnPlan, renderer: Any, mode: str) -> TurnOutcome:
    """Run ``plan`` into ``renderer`` with the approver and elicitor of frontend ``mode``.

    A server's question (a form) and a request a tool makes itself (a sampling card) show
    where the turn is shown: the cell, or the chat panel.
    """
    approver = make_approver(mode, ext.config)
    add_widget = getattr(renderer, "add_widget", None)
    output = TurnOutput(add_widget if add_widget is not None else _display)
    inner = CardApprover(approver, output) if mode == "widget" else approver
    elicitor = make_elicitor(mode, output)
    return await ext.runner.run(plan, renderer, approver, elicitor=elicitor, inner_approver=inner)


def _display(widget: Any) -> None:
    from IPython.display import display

    display(widget)


async def cell_prompt(ext: Extension, options: ChatOptions, body: str) -> tuple[str, list[Any]]:
    """Return the cell's prompt, its references expanded, and the parts (images) that join it."""
    if ext.notebook is not None:
        return await ext.notebook.prompt(options, body)
    return interpolate(body.strip(), ext.shell.user_ns), []


def cell_input(
    ext: Extension, options: ChatOptions, prompt: str, parts: Sequence[Any] = ()
) -> TurnInput:
    """Turn the cell's options and prompt into what the turn asks for (nothing changes yet)."""
    if not prompt:
        raise UsageError("the %%chat cell is empty: write the prompt below the %%chat line")
    number = ext.running_cell_number()
    return turn_input(
        options,
        prompt,
        parts,
        cell_id=ext.cell_id,
        execution_count=number,
        switch_thread=True,
        label=f"in [{number}]" if number is not None else "of another cell",
    )


def make_renderer(
    ext: Extension, plan: TurnPlan, options: ChatOptions, mode: str, surface: Any = None
) -> Any:
    """Return the renderer of a turn: the cell's output (or ``surface``), or a terminal."""
    if surface is None and getattr(ext.shell, "kernel", None) is None:
        from .display.terminal import TerminalRenderer

        return TerminalRenderer(plan.model, quiet=options.quiet)
    from .display.cell import CellRenderer

    return CellRenderer(
        plan.model,
        fmt=options.format or ext.config.format,
        quiet=options.quiet,
        hz=ext.config.update_hz,
        widgets=mode == "widget",
        surface=surface,
        bridge=ext.bridge if surface is None else None,
    )
