"""The orchestrator: one turn as an async stream of events, tool loop included."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from .approval import ApprovalBatch, Approver, InteractiveApprover
from .errors import OrchError
from .events import (
    AnswerCompleted,
    Event,
    RoundStarted,
    StopReason,
    TextDelta,
    ToolCallFinished,
    TurnFailed,
    TurnFinished,
    TurnStarted,
    UsageReported,
)
from .messages import ContentPart, Message, ToolCall, ToolResult, Usage
from .policy import PolicyTable
from .provider import (
    FinishChunk,
    Provider,
    ProviderRequest,
    TextChunk,
    ToolCallChunk,
    UsageChunk,
)
from .request import ChatRequest
from .thread import Turn
from .toolcalls import ToolCallAssembler, ToolRunner
from .tools import Tool, ToolRegistry

INTERRUPTED_RESULT = "The tool call was interrupted by the user before it finished."
EMPTY_ANSWER = "(no answer)"
"""Kept as the assistant's message when the model answered nothing: an empty assistant
message is refused by several providers on the next request."""


@dataclass
class _TurnState:
    """What the turn has produced so far, so an interrupt or failure can close it validly."""

    turn: Turn
    answer: list[str] = field(default_factory=list)
    round_text: list[str] = field(default_factory=list)
    unanswered: list[ToolCall] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    stop: StopReason = "done"

    def end_round(self, calls: list[ToolCall]) -> None:
        text = "".join(self.round_text)
        if not text and not calls:
            text = EMPTY_ANSWER
        sent = tuple(_valid_json(c) for c in calls)
        self.turn.messages.append(Message("assistant", text or None, sent))
        self.round_text = []
        self.unanswered = list(calls)

    def answered(self, call: ToolCall, message: Message) -> None:
        self.turn.messages.append(message)
        self.unanswered = [c for c in self.unanswered if c.id != call.id]

    def close_cut_short(self) -> None:
        """Keep the partial answer, marked, and answer every open call (history stays valid)."""
        if self.round_text:
            text = "".join(self.round_text)
            self.turn.messages.append(Message("assistant", text, interrupted=True))
            self.round_text = []
        for call in self.unanswered:
            self.turn.messages.append(
                Message("tool", INTERRUPTED_RESULT, tool_call_id=call.id, name=call.name)
            )
        self.unanswered = []
        self.turn.interrupted = True
        self.turn.usage = self.usage

    def produced_output(self) -> bool:
        return bool(self.answer) or len(self.turn.messages) > 1


class Orchestrator:
    """Runs turns: model call, tool calls under policy and approval, results, next round.

    Parameters
    ----------
    provider
        The model seam.
    registry
        Tools that may be offered.
    policy
        Which tools run on their own, ask first, or never run.
    approver
        How ``ask`` decisions are made (waiting for a click by default).
    max_rounds
        Model calls per turn at most; the turn then ends with ``stop="max_rounds"``.
    tool_timeout
        Seconds a tool may run before its call becomes an error result.
    approval_ttl
        Seconds a pending approval waits before it counts as rejected.
    context_window
        Input window in tokens; ``None`` asks the provider (no trimming when unknown).
    """

    def __init__(
        self,
        provider: Provider,
        registry: ToolRegistry | None = None,
        policy: PolicyTable | None = None,
        approver: Approver | None = None,
        *,
        max_rounds: int = 25,
        tool_timeout: float = 60.0,
        approval_ttl: float = 600.0,
        context_window: int | None = None,
    ) -> None:
        self.provider = provider
        self.registry = registry if registry is not None else ToolRegistry()
        self.policy = policy if policy is not None else PolicyTable()
        self.runner = ToolRunner(
            self.registry,
            self.policy,
            approver or InteractiveApprover(),
            tool_timeout,
            approval_ttl,
        )
        self.max_rounds = max_rounds
        self.context_window = context_window

    async def run(self, request: ChatRequest) -> AsyncGenerator[Event, None]:
        """Run one turn, yielding its events in order.

        The last event is :class:`TurnFinished` or :class:`TurnFailed`. On cancellation
        (Kernel > Interrupt) the partial answer stays in the thread, marked interrupted,
        every open tool call is answered, and ``CancelledError`` propagates.
        """
        started = time.monotonic()
        turn = request.thread.begin(
            Message("user", request.prompt), request.cell_id, request.turn_id
        )
        turn.model = request.model
        state = _TurnState(turn)
        yield TurnStarted(request.thread.name, request.model, turn.id)
        try:
            async for event in self._rounds(request, state):
                yield event
        except (asyncio.CancelledError, GeneratorExit):
            # Interrupted, or the consumer stopped reading: the thread must still be valid.
            self._close(request, state)
            raise
        except OrchError as exc:
            yield self._failed(request, state, exc.message, exc.kind)
            return
        except Exception as exc:  # a bug in a provider or an adapter: the turn still ends validly
            yield self._failed(
                request, state, f"internal error: {type(exc).__name__}: {exc}", "bug"
            )
            return
        turn.usage = state.usage
        yield TurnFinished(
            "".join(state.answer), state.usage, state.stop, time.monotonic() - started
        )

    async def _rounds(self, request: ChatRequest, state: _TurnState) -> AsyncIterator[Event]:
        offered = self._offered(request)
        forced = request.force_tool
        for index in range(self.max_rounds):
            provider_request = await self._provider_request(request, state.turn, offered, forced)
            yield RoundStarted(index, provider_request)
            calls: list[ToolCall] = []
            async for event in self._call_model(provider_request, state, calls, index):
                yield event
            state.end_round(calls)
            if not calls:
                return
            names = {t.spec.name for t in offered}
            images: list[ContentPart] = []
            batch = ApprovalBatch(len(calls)) if len(calls) > 1 else None
            for position, call in enumerate(calls, 1):
                async for event in self.runner.run(call, names, position=position, batch=batch):
                    if isinstance(event, ToolCallFinished):
                        state.answered(call, _tool_message(call, event))
                        images += _image_parts(event.result)
                    yield event
            if images and await self.provider.supports_images(request.model):
                # Tool messages carry text only; images follow as a user message.
                state.turn.messages.append(Message("user", [_IMAGES_NOTE, *images]))
            if forced:
                # A forced call is answered once; the next round answers in words.
                offered, forced = [], None
        state.stop = "max_rounds"

    async def _call_model(
        self,
        provider_request: ProviderRequest,
        state: _TurnState,
        calls: list[ToolCall],
        index: int,
    ) -> AsyncIterator[Event]:
        assembler = ToolCallAssembler()
        text = _Characters()
        state.stop = "done"
        async for chunk in self.provider.stream(provider_request):
            if isinstance(chunk, TextChunk):
                piece = text.feed(chunk.text)
                if piece:
                    state.round_text.append(piece)
                    state.answer.append(piece)
                    yield TextDelta(piece)
            elif isinstance(chunk, ToolCallChunk):
                assembler.add(chunk)
            elif isinstance(chunk, UsageChunk):
                state.usage = state.usage + chunk.usage
                yield UsageReported(chunk.usage)
            elif isinstance(chunk, FinishChunk):
                rest = text.feed("", last=True)
                if rest:
                    state.round_text.append(rest)
                    state.answer.append(rest)
                    yield TextDelta(rest)
                state.stop = "length" if chunk.reason == "length" else "done"
                if assembler.empty:
                    yield AnswerCompleted()
        rest = text.feed("", last=True)
        if rest:
            state.round_text.append(rest)
            state.answer.append(rest)
            yield TextDelta(rest)
        calls.extend(assembler.calls(index))

    def _offered(self, request: ChatRequest) -> list[Tool]:
        if request.force_tool is not None:
            return self.registry.select([request.force_tool])
        return self.registry.select(request.tools)

    async def _provider_request(
        self, request: ChatRequest, turn: Turn, offered: list[Tool], forced: str | None
    ) -> ProviderRequest:
        window = self.context_window or await self.provider.context_window(request.model)
        reserve = int(request.params.get("max_tokens") or 1024) if window else 0
        # A re-run earlier cell sees the turns before it, not the ones after it.
        messages = request.thread.request_messages(
            system_extra=request.system_extra, window=window, reserve=reserve, upto=turn
        )
        tool_choice: str | dict[str, Any] | None = None
        if forced:
            tool_choice = {"type": "function", "function": {"name": forced}}
        return ProviderRequest(
            model=request.model,
            messages=[m.to_provider() for m in messages],
            tools=[t.spec.to_provider() for t in offered],
            tool_choice=tool_choice,
            params=dict(request.params),
        )

    def _failed(
        self, request: ChatRequest, state: _TurnState, message: str, kind: str
    ) -> TurnFailed:
        partial = "".join(state.answer)
        self._close(request, state)
        return TurnFailed(message, kind, partial)

    @staticmethod
    def _close(request: ChatRequest, state: _TurnState) -> None:
        """Leave the thread valid for the next request after a failure or an interrupt."""
        if state.produced_output():
            state.close_cut_short()
        else:
            # Nothing came back: drop the turn so the thread has no dangling user message
            # (two user messages in a row are refused by strict providers).
            request.thread.discard(state.turn)


_IMAGES_NOTE: ContentPart = {"type": "text", "text": "Images returned by the tool calls above:"}


def _image_parts(result: ToolResult) -> list[ContentPart]:
    if isinstance(result.content, str):
        return []
    return [p for p in result.content if p.get("type") == "image_url"]


class _Characters:
    """Joins surrogate pairs split over two chunks; a surrogate left alone becomes U+FFFD.

    A lone surrogate cannot be encoded as UTF-8: it would fail the display of the text.
    """

    def __init__(self) -> None:
        self._carry = ""

    def feed(self, text: str, *, last: bool = False) -> str:
        text = self._carry + text
        self._carry = ""
        if text and not last and "\ud800" <= text[-1] <= "\udbff":
            text, self._carry = text[:-1], text[-1]
        if any("\ud800" <= ch <= "\udfff" for ch in text):
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return text


def _valid_json(call: ToolCall) -> ToolCall:
    """Return the call as it goes back into the history.

    Arguments that are not a JSON object are replaced by ``{}`` (the call's error result tells
    the model what was wrong): providers refuse a history that holds them.
    """
    try:
        call.parsed_arguments()
    except ValueError:
        return ToolCall(call.id, call.name, "{}")
    return call


def _tool_message(call: ToolCall, finished: ToolCallFinished) -> Message:
    text = finished.result.text()
    count = len(_image_parts(finished.result))
    if count:
        text += f"\n[{count} image(s) returned: shown to the user]"
    return Message("tool", text or "(empty result)", tool_call_id=call.id, name=call.name)
