"""The Python API for code outside ``%%chat`` cells.

::

    from jupyter_orch import Chat

    chat = Chat(model="openai/gpt-4o-mini", system="Be brief.")
    reply = await chat.send("What is a p-value?")      # in a notebook or async code
    reply = chat.send_sync("And a confidence interval?")  # in a plain script

Tools are the functions given in ``tools``. Nobody is there to click, so ``approve`` decides
``ask`` tools: ``False`` (default) rejects them, ``True`` approves them, a callable
``(pending) -> bool | str`` decides each (a string rejects with that reason). Every turn goes
through the same :class:`~jupyter_orch.turns.TurnRunner` as a notebook cell: one turn at a
time per chat, and every event redacted before it reaches you.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Mapping
from concurrent.futures import Future
from typing import Any, TypeVar

from .core.approval import Approver, Decision, HeadlessApprover, PendingApproval
from .core.errors import OrchError
from .core.events import Event, TurnFailed, TurnFinished
from .core.messages import Usage
from .core.provider import Provider
from .core.thread import Thread
from .session import Session
from .turns import TurnInput, TurnRunner, TurnSettings, TurnStart

T = TypeVar("T")
ApproveRule = bool | Callable[[PendingApproval], "bool | str"]


class _RuleApprover:
    def __init__(self, rule: Callable[[PendingApproval], bool | str]) -> None:
        self.rule = rule

    async def decide(self, pending: PendingApproval) -> Decision:
        verdict = self.rule(pending)
        if verdict is True:
            pending.approve()
        else:
            pending.reject(verdict if isinstance(verdict, str) else "")
        return await pending.wait()


class _Events:
    """A renderer that hands the (redacted) events to whoever reads them."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue()

    def waiting(self, text: str) -> None:
        """Nothing to show: the events come once the turn starts."""

    def start(self, start: TurnStart) -> None:
        """Nothing to show before the first event."""

    def handle(self, event: Event) -> None:
        self.queue.put_nowait(event)

    def finish(self, extra: Mapping[str, Any], *, interrupted: bool) -> None:
        self.queue.put_nowait(None)


class Chat:
    """A conversation with a model, with tools, outside notebook cells.

    Parameters
    ----------
    model
        A LiteLLM model name (``openai/gpt-4o-mini``, ``local/smollm2``...).
    system
        The system prompt.
    provider
        A provider to use instead of LiteLLM (for example a ``ScriptedProvider``).
    tools
        Functions (or ``Tool`` objects) the model may call.
    approve
        How ``ask`` tools are decided (see the module docstring).
    params
        Model parameters for every call (temperature, max_tokens, api_base...).
    max_rounds, tool_timeout
        As for the orchestrator.
    redact_patterns
        Extra regular expressions to hide in every event.
    """

    def __init__(
        self,
        model: str,
        system: str | None = None,
        *,
        provider: Provider | None = None,
        tools: Iterable[Any] = (),
        approve: ApproveRule = False,
        params: dict[str, Any] | None = None,
        max_rounds: int = 25,
        tool_timeout: float = 60.0,
        redact_patterns: Iterable[str] = (),
    ) -> None:
        self.model = model
        self.session = Session()
        self.thread: Thread = self.session.thread()
        self.thread.system = system
        for item in tools:
            self.add_tool(item)
        if provider is None:
            from .providers.litellm import LiteLLMProvider

            provider = LiteLLMProvider()
        self.approver: Approver = (
            _RuleApprover(approve) if callable(approve) else HeadlessApprover(approve=bool(approve))
        )
        settings = TurnSettings(
            model=model,
            params=dict(params or {}),
            max_rounds=max_rounds,
            tool_timeout=tool_timeout,
            redact_patterns=tuple(redact_patterns),
        )
        self.runner = TurnRunner(self.session, provider, settings)
        self._loop: _SyncLoop | None = None

    def add_tool(self, item: Any, *, policy: str | None = None) -> None:
        """Offer a function (or a ``Tool``) to the model."""
        from .core.tools import Tool
        from .tools.python.functions import FunctionTool

        tool = item if isinstance(item, Tool) else FunctionTool.from_callable(item, policy=policy)
        self.session.registry.add(tool)
        if policy is not None:
            self.session.policy.set(tool.spec.name, policy, sources=[])

    @property
    def usage(self) -> Usage:
        """Tokens and cost over the conversation."""
        return self.thread.usage

    async def events(self, text: str, **params: Any) -> AsyncIterator[Event]:
        """Send ``text`` and yield the turn's (redacted) events as they happen."""
        plan = self.runner.plan(TurnInput(text, params=params, label="of this chat"))
        events = _Events()
        turn = asyncio.ensure_future(self.runner.run(plan, events, self.approver))
        try:
            while (event := await events.queue.get()) is not None:
                yield event
            await turn
        finally:
            turn.cancel()

    async def send(self, text: str, **params: Any) -> str:
        """Send ``text``; return the answer. A failed turn raises :class:`OrchError`."""
        answer: str | None = None
        async for event in self.events(text, **params):
            if isinstance(event, TurnFailed):
                raise OrchError(event.message, "provider")
            if isinstance(event, TurnFinished):
                answer = event.answer
        if answer is None:
            raise OrchError("the turn ended without an answer", "provider")
        return answer

    def send_sync(self, text: str, **params: Any) -> str:
        """Blocking :meth:`send`, for scripts (in async code, ``await send()`` instead)."""
        if self._loop is None:
            self._loop = _SyncLoop()
        return self._loop.run(self.send(text, **params))


class _SyncLoop:
    """A private event loop in a daemon thread, owned by one :class:`Chat`.

    It works whether or not a loop runs in the caller's thread, and clients that cache
    connections per loop keep working across calls.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(
            target=self.loop.run_forever, name="jupyter-orch-sync", daemon=True
        ).start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return future.result()
