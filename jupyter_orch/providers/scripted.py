"""A scripted provider: the fake shipped beside the provider seam.

Enqueue what the "model" answers, turn by turn; it records every request it got::

    provider = ScriptedProvider()
    provider.enqueue_text("Hello ", "world")
    provider.enqueue_tool_call("add", {"a": 2, "b": 3})
    provider.enqueue_error(ProviderError("slow down", "rate_limit"))
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..core.errors import ProviderError
from ..core.messages import Usage
from ..core.provider import (
    FinishChunk,
    ProviderChunk,
    ProviderRequest,
    TextChunk,
    ToolCallChunk,
    UsageChunk,
)


@dataclass(frozen=True)
class _Step:
    chunks: tuple[ProviderChunk, ...]
    error: ProviderError | None = None
    hang: bool = False


class ScriptedProvider:
    """A provider whose answers are enqueued in advance.

    Parameters
    ----------
    window
        The context window it reports for every model (``None``: unknown).
    images
        Whether it claims to read images.
    default
        Called with the request when the queue is empty; returns the text to answer. Without
        it an empty queue is an error (a test asked for more than it scripted).
    """

    def __init__(
        self,
        *,
        window: int | None = None,
        default: Callable[[ProviderRequest], str] | None = None,
        images: bool = False,
    ) -> None:
        self.requests: list[ProviderRequest] = []
        self._steps: deque[_Step] = deque()
        self._window = window
        self._default = default
        self._images = images

    def enqueue_text(self, *pieces: str, usage: Usage | None = None) -> ScriptedProvider:
        """Answer the next call with text, streamed as ``pieces``."""
        chunks: list[ProviderChunk] = [TextChunk(p) for p in pieces]
        chunks.append(UsageChunk(usage or Usage(10, len(pieces))))
        chunks.append(FinishChunk("stop"))
        self._steps.append(_Step(tuple(chunks)))
        return self

    def enqueue_tool_call(
        self, name: str, arguments: dict[str, Any] | str, *, id: str | None = None, text: str = ""
    ) -> ScriptedProvider:
        """Answer the next call with one tool call (and optional text before it)."""
        return self.enqueue_tool_calls([(name, arguments, id)], text=text)

    def enqueue_tool_calls(
        self,
        calls: Iterable[tuple[str, dict[str, Any] | str, str | None]],
        *,
        text: str = "",
    ) -> ScriptedProvider:
        """Answer the next call with several tool calls in one response."""
        chunks: list[ProviderChunk] = [TextChunk(text)] if text else []
        for i, (name, arguments, call_id) in enumerate(calls):
            raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
            cid = call_id or f"call_{len(self.requests) + len(self._steps)}_{i}"
            chunks.append(ToolCallChunk(i, cid, name, ""))
            half = len(raw) // 2
            chunks.extend(
                [ToolCallChunk(i, None, None, raw[:half]), ToolCallChunk(i, None, None, raw[half:])]
            )
        chunks += [UsageChunk(Usage(10, 5)), FinishChunk("tool_calls")]
        self._steps.append(_Step(tuple(chunks)))
        return self

    def enqueue_chunks(self, chunks: Iterable[ProviderChunk]) -> ScriptedProvider:
        """Answer the next call with exactly these chunks (odd streams, for tests)."""
        self._steps.append(_Step(tuple(chunks)))
        return self

    def enqueue_error(self, error: ProviderError, *, after: Iterable[str] = ()) -> ScriptedProvider:
        """Fail the next call with ``error``, after streaming the text pieces ``after``."""
        self._steps.append(_Step(tuple(TextChunk(p) for p in after), error=error))
        return self

    def enqueue_hang(self, *, after: Iterable[str] = ()) -> ScriptedProvider:
        """Stream ``after``, then never finish (until cancelled)."""
        self._steps.append(_Step(tuple(TextChunk(p) for p in after), hang=True))
        return self

    @property
    def pending(self) -> int:
        """How many scripted answers are still queued."""
        return len(self._steps)

    async def context_window(self, model: str) -> int | None:
        """Return the window given at construction."""
        return self._window

    async def supports_images(self, model: str) -> bool:
        """Return the ``images`` flag given at construction."""
        return self._images

    async def stream(self, request: ProviderRequest) -> AsyncIterator[ProviderChunk]:
        """Play the next scripted answer."""
        self.requests.append(request)
        step = self._next(request)
        for chunk in step.chunks:
            await asyncio.sleep(0)  # yield to the loop between chunks, as a network stream does
            yield chunk
        if step.error is not None:
            raise step.error
        if step.hang:
            await asyncio.Event().wait()

    def _next(self, request: ProviderRequest) -> _Step:
        if self._steps:
            return self._steps.popleft()
        if self._default is None:
            raise ProviderError("the scripted provider has no answer queued", "provider")
        text = self._default(request)
        return _Step((TextChunk(text), UsageChunk(Usage(10, 1)), FinishChunk("stop")))


def echo(request: ProviderRequest) -> str:
    """Echo the last user message (a default answer, handy in docs and demos)."""
    for message in reversed(request.messages):
        if message["role"] == "user":
            content = message["content"]
            text = (
                content
                if isinstance(content, str)
                else " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
            )
            return f"echo: {text}"
    return "echo"
