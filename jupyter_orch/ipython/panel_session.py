"""``%chat panel``: a chat widget whose turns run on the kernel's loop between cells.

Each message becomes a turn of the panel's thread, exactly as a ``%%chat`` cell would (same
options, tools, approval cards, redaction and transcript), tied to no cell and recorded under
its own turn id. The thread is chosen once, when the panel opens; a panel never changes the
notebook's current thread. The turn runs as a task on the kernel's event loop, started by the
Send click, so the kernel stays free for cells while the answer streams into the panel; Stop
cancels it (the partial answer is kept, marked).
"""

from __future__ import annotations

import asyncio
import shlex
from dataclasses import replace
from typing import TYPE_CHECKING

from ..core.errors import OrchError
from ..turns import TurnInput
from .awake import loop_awake
from .chat_cell import STOPPED, make_renderer, run_in
from .interpolate import interpolate
from .options import ChatOptions, parse_chat_options, turn_input
from .widgets.panel import ChatPanel, PanelSurface

if TYPE_CHECKING:
    from .extension import Extension


class PanelSession:
    """One open panel: its widgets, its thread and options, and the turn running now."""

    def __init__(self, ext: Extension, options: ChatOptions) -> None:
        self.ext = ext
        self.thread = options.thread or ext.session.current_thread
        self.options = replace(options, thread=self.thread, new=False)
        model = options.model or ext.config.model or "(no model)"
        self.panel = ChatPanel(f"{model} · thread {self.thread}")
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
        ext, panel = self.ext, self.panel
        try:
            plan = ext.runner.plan(self._input(text))
        except OrchError as exc:
            panel.error(str(exc))  # the message stays in the box, to mend and send again
            return
        panel.clear_message()
        box = panel.add_turn(text)
        renderer = make_renderer(ext, plan, self.options, "widget", PanelSurface(box))
        panel.busy(True)
        try:
            # Keeps the loop turning: a click's callback alone does not wake an idle kernel.
            async with loop_awake():
                outcome = await run_in(ext, plan, renderer, "widget")
        except asyncio.CancelledError:
            panel.busy(False)
            panel.note(STOPPED)
            return
        panel.busy(False)
        if outcome.failure is not None:
            panel.error(outcome.failure.message)

    def _input(self, text: str) -> TurnInput:
        ext = self.ext
        ext.claim_tools()
        prompt = interpolate(text, ext.shell.user_ns)
        return turn_input(self.options, prompt, switch_thread=False, label="in the chat panel")


def open_panel(ext: Extension, args: list[str]) -> PanelSession:
    """Make a panel from ``%chat panel`` arguments (the options of ``%%chat``)."""
    options = parse_chat_options(shlex.join(args))
    if options.new:
        ext.session.thread(options.thread).clear()  # a fresh thread once, not at every message
    return PanelSession(ext, options)
