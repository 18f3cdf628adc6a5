"""The Python API for code outside ``%%chat`` cells.

::

    from jupyter_orch import Chat

    chat = Chat(model="openai/gpt-4o-mini", system="Be brief.")
    reply = await chat.send("What is a p-value?")      # in a notebook or async code
    reply = chat.send_sync("And a confidence interval?")  # in a plain script

Tools are the functions given in ``tools`` (or decorated with ``@jupyter_orch.tool``).
Nobody is there to click, so ``approve`` decides ``ask`` tools: ``False`` (default) rejects
them, ``True`` approves them, a callable ``(pending) -> bool | str`` decides each (a string
rejects with that reason).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from concurrent.futures import Future
from typing import Any, TypeVar

from .core.approval import Decision, HeadlessApprover, PendingApproval
from .core.errors import OrchError
from .core.events import Event, TurnFailed, TurnFinished
from .core.messages import Usage
from .core.orchestrator import Orchestrator
from .core.provider import Provider
from .core.request import ChatRequest
from .core.thread import Thread
from .session import Session

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
    ) -> None:
        self.model = model
        self.params = dict(params or {})
        self.session = Session()
        self.thread: Thread = self.session.thread()
        self.thread.system = system
        for item in tools:
            self.add_tool(item)
        if provider is None:
            from .providers.litellm import LiteLLMProvider

            provider = LiteLLMProvider()
        approver = (
            _RuleApprover(approve) if callable(approve) else HeadlessApprover(approve=bool(approve))
        )
        self.orchestrator = Orchestrator(
            provider,
            self.session.registry,
            self.session.policy,
            approver,
            max_rounds=max_rounds,
            tool_timeout=tool_timeout,
        )

    def add_tool(self, item: Any, *, policy: str | None = None) -> None:
        """Offer a function (or a ``Tool``) to the model."""
        from .core.tools import Tool
        from .tools.python.functions import FunctionTool

        tool = item if isinstance(item, Tool) else FunctionTool.from_callable(item, policy=policy)
        self.session.registry.add(tool)
        if policy is not None:
            self.session.policy.per_tool[tool.spec.name] = policy  # type: ignore[assignment]

    @property
    def usage(self) -> Usage:
        """Tokens and cost over the conversation."""
        return self.thread.usage

    async def events(self, text: str, **params: Any) -> AsyncIterator[Event]:
        """Send ``text`` and yield the turn's events as they happen."""
        request = ChatRequest(text, self.thread, self.model, params={**self.params, **params})
        async for event in self.orchestrator.run(request):
            yield event

    async def send(self, text: str, **params: Any) -> str:
        """Send ``text``; return the answer. A failed turn raises :class:`OrchError`."""
        async for event in self.events(text, **params):
            if isinstance(event, TurnFailed):
                raise OrchError(event.message, "provider")
            if isinstance(event, TurnFinished):
                return event.answer
        raise OrchError("the turn ended without an answer", "provider")

    def send_sync(self, text: str, **params: Any) -> str:
        """Blocking :meth:`send`, for scripts (in async code, ``await send()`` instead)."""
        return _run(self.send(text, **params))


_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on a private loop in a daemon thread.

    It works whether or not a loop runs here, and clients that cache connections per loop
    keep working across calls.
    """
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(
                target=_loop.run_forever, name="jupyter-orch-sync", daemon=True
            ).start()
    future: Future[T] = asyncio.run_coroutine_threadsafe(coro, _loop)
    return future.result()
