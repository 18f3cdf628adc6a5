"""``%chat panel``: a chat widget whose turns run on the kernel's loop between cells.

Each message becomes a turn of the thread, exactly as a ``%%chat`` cell would (same options,
tools, approval cards, redaction and transcript), tied to no cell. The turn runs as a task on
the kernel's event loop, started by the Send click, so the kernel stays free for cells while
the answer streams into the panel; Stop cancels it (the partial answer is kept, marked).
"""

from __future__ import annotations

import asyncio
import shlex
from dataclasses import replace
from typing import TYPE_CHECKING

from ..core.errors import OrchError
from .chat_cell import INTERRUPTED, cell_renderer, prepare_turn, run_turn
from .interrupt import interruptible
from .options import ChatOptions, parse_chat_options
from .widgets.panel import ChatPanel, PanelSurface

if TYPE_CHECKING:
    from .extension import Extension


class PanelSession:
    """One open panel: its widgets, its options and the turn running now."""

    def __init__(self, ext: Extension, options: ChatOptions) -> None:
        self.ext = ext
        self.options = options
        model = options.model or ext.config.model or "(no model)"
        thread = options.thread or ext.session.current_thread
        self.panel = ChatPanel(f"{model} · thread {thread}")
        self.panel.on_send(self.send)
        self.panel.on_stop(self.stop)
        self.task: asyncio.Task[None] | None = None

    def send(self, text: str) -> None:
        """Start a turn for ``text`` on the running loop (one at a time)."""
        if self.task is not None and not self.task.done():
            self.panel.error("a turn is still running: wait for it, or press Stop")
            return
        self.task = asyncio.get_running_loop().create_task(self._turn(text))

    def stop(self) -> None:
        """Cancel the running turn."""
        if self.task is not None and not self.task.done():
            self.task.cancel()

    async def _turn(self, text: str) -> None:
        panel = self.panel
        box = panel.add_turn(text)
        panel.busy(True)
        message = ""
        try:
            # Keeps the loop turning: a click's callback alone does not wake an idle kernel.
            async with interruptible():
                message = await self._run(text, PanelSurface(box))
        except asyncio.CancelledError:
            message = INTERRUPTED
        finally:
            panel.busy(False)
        if message:
            panel.error(message)

    async def _run(self, text: str, surface: PanelSurface) -> str:
        """Run one turn into ``surface``; return its one-line error, or ``""``."""
        ext = self.ext
        try:
            request, scrub = await prepare_turn(ext, self.options, text, from_cell=False)
        except OrchError as exc:
            return str(exc)
        renderer = cell_renderer(ext, request.model, self.options, widgets=True, surface=surface)
        failure = await run_turn(ext, request, renderer, "widget", scrub)
        return failure.message if failure is not None else ""


def open_panel(ext: Extension, args: list[str]) -> PanelSession:
    """Make a panel from ``%chat panel`` arguments (the options of ``%%chat``)."""
    options = parse_chat_options(shlex.join(args))
    if options.new:
        ext.session.thread(options.thread).clear()
        options = replace(options, new=False)  # a fresh thread once, not at every message
    return PanelSession(ext, options)
