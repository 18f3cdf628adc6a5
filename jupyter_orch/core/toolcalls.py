"""Joining streamed tool-call pieces, and running one call under policy and approval."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from .approval import SCOPES, ApprovalBatch, Approver, Decision, PendingApproval
from .context import CallContext, ElicitationNote, ProgressReporter, call_entered
from .events import (
    Event,
    ToolCallApproved,
    ToolCallElicited,
    ToolCallFinished,
    ToolCallProgressed,
    ToolCallRejected,
    ToolCallRequested,
    ToolCallStarted,
)
from .messages import ToolCall, ToolResult
from .policy import PolicyTable
from .provider import ToolCallChunk
from .tools import PreviewedTool, Tool, ToolArgumentError, ToolPreview, ToolRegistry


@dataclass
class _Partial:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


class ToolCallAssembler:
    """Joins :class:`ToolCallChunk` pieces by index into whole :class:`ToolCall` values."""

    def __init__(self) -> None:
        self._parts: dict[int, _Partial] = {}

    def add(self, chunk: ToolCallChunk) -> None:
        """Fold one streamed piece in."""
        part = self._parts.setdefault(chunk.index, _Partial())
        if chunk.id:
            part.id = chunk.id
        if chunk.name:
            # Names arrive whole (some providers repeat them on later pieces); arguments stream.
            part.name = chunk.name
        if chunk.arguments:
            part.arguments.append(chunk.arguments)

    @property
    def empty(self) -> bool:
        """Whether no tool-call piece has arrived."""
        return not self._parts

    def calls(self, round_index: int) -> list[ToolCall]:
        """Return the calls in index order; a call the provider left without an id gets one."""
        return [
            ToolCall(p.id or f"call_{round_index}_{i}", p.name, "".join(p.arguments))
            for i, p in sorted(self._parts.items())
        ]


@dataclass
class ToolRunner:
    """Runs a model's tool call: lookup, validation, policy, approval, execution, timeout.

    Every path ends in a :class:`ToolResult` (an error result when the call could not run),
    so each assistant tool call always gets its tool message.
    """

    registry: ToolRegistry
    policy: PolicyTable
    approver: Approver
    timeout: float = 60.0
    approval_ttl: float = 600.0

    async def run(
        self,
        call: ToolCall,
        offered: set[str],
        *,
        position: int = 1,
        batch: ApprovalBatch | None = None,
    ) -> AsyncIterator[Event]:
        """Yield the call's events; the last is always a :class:`ToolCallFinished`.

        ``position`` and ``batch`` place the call among the calls of its response.
        """
        tool = self.registry.get(call.name) if call.name in offered else None
        if tool is None:
            yield ToolCallRequested(call, None, None)
            known = ", ".join(sorted(offered)) or "none"
            yield _finished(call, ToolResult.error(f"unknown tool {call.name!r}; tools: {known}"))
            return
        try:
            arguments = tool.validate(call.parsed_arguments())
            preview = await _preview(call, tool, arguments)
        except (ToolArgumentError, ValueError) as exc:
            yield ToolCallRequested(call, tool.spec, None)
            yield _finished(call, ToolResult.error(f"invalid arguments for {call.name}: {exc}"))
            return
        decision = Decision(False, "policy")
        async for item in self._decide(call, tool, arguments, position, batch, preview):
            if isinstance(item, Decision):
                decision = item
            else:
                yield item
        async for item in self._run_decided(call, tool, arguments, decision):
            yield item

    async def _decide(
        self,
        call: ToolCall,
        tool: Tool,
        arguments: dict[str, Any],
        position: int,
        batch: ApprovalBatch | None,
        preview: ToolPreview | None = None,
    ) -> AsyncIterator[Event | Decision]:
        """Yield the request event, then the decision (last)."""
        spec = tool.spec
        verdict = self.policy.verdict(spec)
        if verdict.policy != "ask":
            yield ToolCallRequested(call, spec, verdict.policy, arguments, preview=preview)
            if verdict.allowed is not None:
                yield Decision(True, verdict.allowed)
            else:
                auto = verdict.policy == "auto"
                yield Decision(auto, "policy", "" if auto else "denied by policy")
            return
        if batch is not None and batch.verdict is not None:
            yield ToolCallRequested(call, spec, "ask", arguments, preview=preview)
            yield batch.verdict  # "Approve all" / "Reject all" on an earlier card
            return
        scopes = ("once",) if verdict.fixed else SCOPES
        pending = PendingApproval(
            call,
            spec,
            arguments,
            self.approval_ttl,
            position=position,
            batch=batch,
            scopes=scopes,
            changed=verdict.changed,
        )
        yield ToolCallRequested(call, spec, "ask", arguments, pending, preview)
        decision = await self.approver.decide(pending)
        if decision.approved and decision.scope != "once":
            self.policy.allow(spec, decision.scope)
        yield decision

    async def _run_decided(
        self, call: ToolCall, tool: Tool, arguments: dict[str, Any], decision: Decision
    ) -> AsyncIterator[Event]:
        if not decision.approved:
            yield ToolCallRejected(call, decision)
            yield _finished(call, ToolResult.error(_rejection_text(decision)))
            return
        yield ToolCallApproved(call, decision)
        yield ToolCallStarted(call)
        started = time.monotonic()
        progress: asyncio.Queue[CallNews] = asyncio.Queue()
        report, elicited = _reporters(call, progress)
        with call_entered(CallContext(call.id, call.name, report, elicited)):
            # The call runs as a task of its own (it inherits the call context), so its
            # progress can be shown while it runs and its failures stay its own.
            task = asyncio.ensure_future(self._execute(tool, arguments))
        try:
            async for event in _progress_until(task, progress):
                yield event
        finally:
            task.cancel()
        yield ToolCallFinished(call, task.result(), time.monotonic() - started)

    async def _execute(self, tool: Tool, arguments: dict[str, Any]) -> ToolResult:
        name = tool.spec.name
        try:
            return await asyncio.wait_for(_contained(tool, arguments), self.timeout)
        except asyncio.TimeoutError:
            return ToolResult.error(f"{name} timed out after {self.timeout:g} s")
        except asyncio.CancelledError:
            # The turn's own cancellation stops the task that awaits this one (and nobody
            # reads this result then); a cancellation that reaches here otherwise came from
            # the tool's own code, and is the tool's failure.
            return ToolResult.error(f"{name} was cancelled by its own code before it finished")
        except _ToolExit as exc:
            return ToolResult.error(f"{name} raised {exc}")
        except Exception as exc:  # a tool's failure is a result the model sees
            return ToolResult.error(f"{name} raised {type(exc).__name__}: {exc}")


async def _preview(call: ToolCall, tool: Tool, arguments: dict[str, Any]) -> ToolPreview | None:
    """Ask a :class:`PreviewedTool` what the call will change (in the call's context)."""
    if not isinstance(tool, PreviewedTool):
        return None
    with call_entered(CallContext(call.id, call.name, lambda *_: None)):
        return await tool.preview(arguments)


class _ToolExit(Exception):
    """A tool raised ``SystemExit`` or ``KeyboardInterrupt``: its failure, not the kernel's."""


async def _contained(tool: Tool, arguments: dict[str, Any]) -> ToolResult:
    try:
        return await tool.call(arguments)
    except (SystemExit, KeyboardInterrupt) as exc:
        # Left alone, either would escape the task and stop the kernel's event loop.
        kind = type(exc).__name__
        raise _ToolExit(f"{kind}({exc})" if str(exc) else kind) from None


CallNews = ToolCallProgressed | ToolCallElicited
"""What a running call reports before its result."""


def _reporters(
    call: ToolCall, queue: asyncio.Queue[CallNews]
) -> tuple[ProgressReporter, ElicitationNote]:
    """Return the call's progress reporter and elicitation note (safe from any thread)."""
    loop = asyncio.get_running_loop()

    def put(event: CallNews) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            queue.put_nowait(event)
        else:  # a sync tool in a worker thread
            loop.call_soon_threadsafe(queue.put_nowait, event)

    def report(progress: float, total: float | None = None, message: str | None = None) -> None:
        put(ToolCallProgressed(call, float(progress), total, message))

    def elicited(entry: dict[str, Any]) -> None:
        put(ToolCallElicited(call, entry))

    return report, elicited


async def _progress_until(
    task: asyncio.Future[ToolResult], queue: asyncio.Queue[CallNews]
) -> AsyncIterator[CallNews]:
    """Yield the call's progress reports until ``task`` is done."""
    while not task.done():
        getter: asyncio.Future[Any] = asyncio.ensure_future(queue.get())
        try:
            await asyncio.wait({task, getter}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            getter.cancel()
        if getter.done() and not getter.cancelled():
            yield getter.result()
    while not queue.empty():
        yield queue.get_nowait()


def _finished(call: ToolCall, result: ToolResult) -> ToolCallFinished:
    return ToolCallFinished(call, result)


def _rejection_text(decision: Decision) -> str:
    who = {
        "user": "The user rejected this tool call",
        "expired": "The approval request expired",
        "headless": "The tool call was not approved",
        "policy": "This tool is denied by policy",
        "replay": "The tool call was rejected (recorded decision)",
        "session": "The tool call was rejected",
        "always": "The tool call was rejected",
    }[decision.by]
    return f"{who}: {decision.reason}" if decision.reason else f"{who}."
