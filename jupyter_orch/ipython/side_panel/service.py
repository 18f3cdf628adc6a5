"""The kernel's side of the JupyterLab side panel: its bridge methods and its turns.

Each message sent from the panel (``chat.send``) becomes a turn of the chosen thread through
the one turn runner, exactly as a ``%%chat`` cell would (same tools, policy, approvals,
redaction and transcript), tied to no cell and recorded under its own turn id; it never
changes the notebook's current thread. The turn runs as a task on the kernel's loop, so
cells keep running while it answers; ``chat.stop`` cancels it (the partial answer is kept,
marked). Approvals of panel turns wait for ``approval.decide`` (the page's cards), the same
call the notifications and the cells' cards settle.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...core.approval import InteractiveApprover
from ...core.errors import UsageError
from ...core.redaction import Redactor
from ...turns import TurnInput, TurnPlan
from ..approvers import make_approver
from ..awake import loop_awake
from ..interpolate import interpolate
from . import threads, tools, usage
from .hook import LABEL
from .renderer import PanelRenderer

if TYPE_CHECKING:
    from ...bridge import Bridge, Page
    from ..extension import Extension


@dataclass
class _Running:
    thread: str
    task: asyncio.Task[None]
    renderer: PanelRenderer


class SidePanel:
    """The side panel's methods on the bridge, and the panel turns running now.

    Parameters
    ----------
    ext
        The loaded extension (its runner, session, settings and transcripts).
    bridge
        The channel to the pages.
    """

    def __init__(self, ext: Extension, bridge: Bridge) -> None:
        self.ext = ext
        self.bridge = bridge
        self.turns: dict[str, _Running] = {}
        self.models_used: list[str] = []

    def stop(self) -> None:
        """Cancel every running panel turn (``%unload_ext``)."""
        for running in list(self.turns.values()):
            running.task.cancel()

    def handlers(self) -> dict[str, Any]:
        """Return the panel's bridge methods (those of :data:`~.hook.METHODS`), by name."""
        session = self.ext.session
        return {
            "threads.list": lambda p, page: threads.thread_list(session),
            "thread.history": self.history,
            "thread.new": lambda p, page: threads.new_thread(session, _get(p, "name")),
            "thread.fork": lambda p, page: threads.fork(
                session, _get(p, "thread"), _get(p, "turn"), _get(p, "name")
            ),
            "thread.clear": lambda p, page: threads.clear(session, _get(p, "thread")),
            "chat.send": self.send,
            "chat.stop": self.stop_turn,
            "tools.list": lambda p, page: self._tools(),
            "tools.policy": lambda p, page: tools.set_policy(session, p),
            "mcp.servers": lambda p, page: tools.server_list(self.ext.mounts, self._redactor()),
            "mcp.restart": lambda p, page: tools.restart(self.ext.mounts, p, self._redactor()),
            "usage": self.usage,
            "models": lambda p, page: self._models(),
        }

    # --- the methods ---------------------------------------------------------------------

    def history(self, params: Any, page: Page) -> dict[str, Any]:
        """``thread.history``: a thread's newest turns as records, and its running turns."""
        name = threads.checked_name(_get(params, "thread") or self.ext.session.current_thread)
        for running in self.turns.values():
            if running.thread == name:
                # The record holds the text the stream still batches: send it first, so a
                # page that draws the record and then appends the stream has it once.
                running.renderer.flush()
        log = self.ext.transcripts.log
        found = threads.history(self.ext.session, name, log.records, self._redactor())
        found["running"] = [id_ for id_, r in self.turns.items() if r.thread == name]
        return found

    async def send(self, params: Any, page: Page) -> dict[str, Any]:
        """``chat.send``: start a turn of the panel's thread; answer with its id at once."""
        ext = self.ext
        name = threads.checked_name(_get(params, "thread") or ext.session.current_thread)
        if any(running.thread == name for running in self.turns.values()):
            raise UsageError(f"a panel turn is running on thread {name!r}: wait for it, or Stop")
        text = _get(params, "text")
        if not isinstance(text, str) or not text.strip():
            raise UsageError("the message is empty")
        await ext.mount_configured()
        ext.claim_tools()
        given = TurnInput(
            interpolate(text.strip(), ext.shell.user_ns),
            model=_model(_get(params, "model")),
            thread=name,
            params=model_params(_get(params, "params")),
            switch_thread=False,
            label=LABEL,
        )
        plan = ext.runner.plan(given)
        renderer = PanelRenderer(self.bridge, plan.turn_id, plan.thread)
        task = asyncio.get_running_loop().create_task(self._run(plan, renderer))
        self.turns[plan.turn_id] = _Running(name, task, renderer)
        if plan.model not in self.models_used:
            self.models_used.append(plan.model)
        return {"turn": plan.turn_id, "thread": name, "model": plan.model}

    def stop_turn(self, params: Any, page: Page) -> dict[str, Any]:
        """``chat.stop``: cancel the panel turn named (or those of the thread named)."""
        turn, thread = _get(params, "turn"), _get(params, "thread")
        chosen = [
            r for id_, r in self.turns.items() if id_ == turn or (not turn and r.thread == thread)
        ]
        for running in chosen:
            running.task.cancel()
        return {"stopped": len(chosen)}

    async def usage(self, params: Any, page: Page) -> dict[str, Any]:
        """``usage``: a thread's tokens and cost, the kernel's, and the context's fill."""
        ext = self.ext
        name = threads.checked_name(_get(params, "thread") or ext.session.current_thread)
        model = _model(_get(params, "model")) or ext.config.model
        configured = ext.config.context_window or None
        return await usage.usage(ext.session, name, model, ext.provider.context_window, configured)

    def _tools(self) -> dict[str, Any]:
        self.ext.claim_tools()
        return tools.tool_list(self.ext.session)

    def _models(self) -> dict[str, Any]:
        ext = self.ext
        return usage.models(ext.config.model, ext.session.threads.values(), self.models_used)

    def _redactor(self) -> Redactor:
        config = self.ext.config
        return Redactor.build(config.redact_patterns, params=dict(config.params))

    async def _run(self, plan: TurnPlan, renderer: PanelRenderer) -> None:
        ext = self.ext
        inner = make_approver("headless", ext.config)  # a server's own asks: no card here yet
        try:
            async with loop_awake():
                await ext.runner.run(plan, renderer, InteractiveApprover(), inner_approver=inner)
        except asyncio.CancelledError:
            pass  # Stop: the runner has ended the turn validly, the partial answer kept
        finally:
            self.turns.pop(plan.turn_id, None)


def model_params(value: Any) -> dict[str, Any]:
    """Check the panel's parameters (temperature, max tokens); a one-line error otherwise."""
    given = value if isinstance(value, dict) else {}
    out: dict[str, Any] = {}
    temperature = given.get("temperature")
    if temperature is not None:
        if not isinstance(temperature, (int, float)) or not 0 <= temperature <= 2:
            raise UsageError("temperature must be a number from 0 to 2")
        out["temperature"] = float(temperature)
    max_tokens = given.get("max_tokens")
    if max_tokens is not None:
        if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
            raise UsageError("max tokens must be a whole number of at least 1")
        out["max_tokens"] = max_tokens
    return out


def _model(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 200 or any(c.isspace() for c in value):
        raise UsageError("a model is one word, like openai/gpt-4o-mini")
    return value


def _get(params: Any, key: str) -> Any:
    return params.get(key) if isinstance(params, dict) else None
