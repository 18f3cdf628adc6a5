"""The state one kernel (or one :class:`~jupyter_orch.api.Chat`) keeps across cells.

A :class:`Session` owns the tool registry, the policy table, the threads (each with its lock:
one turn at a time), the text mounted sources add to the system prompt, resources waiting to
join the next message, and the things to close when the extension unloads.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from .core.messages import ContentPart
from .core.policy import PolicyTable
from .core.thread import Thread
from .core.tools import ToolRegistry

AsyncCloser = Callable[[], Awaitable[None]]
SyncCloser = Callable[[], None]


class ThreadLock:
    """One turn at a time on a thread, and who holds it (for "waiting for the turn in [5]")."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self.holder = ""

    @property
    def busy(self) -> bool:
        """Whether a turn holds the thread now."""
        return self._lock.locked()

    @contextlib.asynccontextmanager
    async def held(self, label: str) -> AsyncIterator[None]:
        """Hold the thread for the turn ``label`` (waiting, in order, while another holds it)."""
        async with self._lock:
            self.holder = label
            try:
                yield
            finally:
                self.holder = ""


class Session:
    """Shared state of one orchestrator.

    Attributes
    ----------
    registry
        Every tool the model may be offered.
    policy
        Per-tool and per-source policies.
    threads
        Threads by name.
    instructions
        Text added to every thread's system prompt, by source (an MCP server's
        ``instructions``); remove a source's entry when it goes.
    attachments
        Content parts waiting to join the next user message, by thread name.
    """

    def __init__(self, policy: PolicyTable | None = None) -> None:
        self.registry = ToolRegistry()
        self.policy = policy or PolicyTable()
        self.threads: dict[str, Thread] = {}
        self.current_thread = "default"
        self.instructions: dict[str, str] = {}
        self.attachments: dict[str, list[ContentPart]] = {}
        self._locks: dict[str, ThreadLock] = {}
        self._async_closers: list[AsyncCloser] = []
        self._sync_closers: list[SyncCloser] = []

    def thread(self, name: str | None = None) -> Thread:
        """Return the thread ``name`` (the current one by default), creating it if new."""
        key = name or self.current_thread
        if key not in self.threads:
            self.threads[key] = Thread(name=key)
        return self.threads[key]

    def thread_lock(self, name: str) -> ThreadLock:
        """Return the lock of thread ``name``."""
        if name not in self._locks:
            self._locks[name] = ThreadLock()
        return self._locks[name]

    def system_extra(self) -> str:
        """Return the instructions of every mounted source, joined for the system prompt."""
        return "\n\n".join(
            f"Instructions from {source}:\n{text}"
            for source, text in self.instructions.items()
            if text
        )

    def attach(self, thread: str, parts: list[ContentPart]) -> None:
        """Queue ``parts`` to join the next user message of ``thread``."""
        self.attachments.setdefault(thread, []).extend(parts)

    def take_attachments(self, thread: str) -> list[ContentPart]:
        """Return and forget the parts queued for ``thread``."""
        return self.attachments.pop(thread, [])

    def on_close(self, closer: AsyncCloser | None = None, *, now: SyncCloser | None = None) -> None:
        """Register cleanup: ``closer`` awaited by :meth:`aclose`, ``now`` run by :meth:`close_now`.

        ``now`` must work without an event loop (kernel shutdown, ``%unload_ext`` from a
        synchronous cell): it kills child processes and cancels tasks.
        """
        if closer is not None:
            self._async_closers.append(closer)
        if now is not None:
            self._sync_closers.append(now)

    async def aclose(self) -> None:
        """Close everything registered, newest first; one failure does not stop the rest."""
        closers, self._async_closers = self._async_closers[::-1], []
        for closer in closers:
            try:
                await closer()
            except Exception as exc:  # cleanup must go on for the others; say what failed
                _report(exc)
        self.close_now()

    def close_now(self) -> None:
        """Run the synchronous cleanups, newest first."""
        closers, self._sync_closers = self._sync_closers[::-1], []
        for closer in closers:
            try:
                closer()
            except Exception as exc:  # cleanup must go on for the others; say what failed
                _report(exc)

    @staticmethod
    def running_loop() -> asyncio.AbstractEventLoop | None:
        """Return the running event loop, or ``None`` outside one."""
        try:
            return asyncio.get_running_loop()
        except RuntimeError:
            return None

    def describe(self) -> dict[str, Any]:
        """Return a summary for ``%chat status``."""
        thread = self.thread()
        return {
            "thread": thread.name,
            "messages": len(thread.messages()),
            "tools": len(self.registry),
            "usage": thread.usage,
        }


def _report(exc: Exception) -> None:
    print(f"jupyter-orch: closing: {type(exc).__name__}: {exc}", file=sys.__stderr__)
