"""Requests a server makes while one of its tools runs, routed to that tool call.

A server asks the user a question (elicitation), asks for the user's folders (roots) or
asks our model to write something (sampling) in the middle of a tool call. The SDK runs
those callbacks in the server's owner task (or, on 2026-07-28 connections, inside the
caller's ``call_tool``), not in the turn's task, so the turn's context is captured when a
call starts (:meth:`ActiveCalls.entered`) and looked up when the server asks.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcp.client.session import ClientRequestContext
from mcp_types import (
    INVALID_PARAMS,
    CreateMessageRequestParams,
    CreateMessageResult,
    ElicitRequestFormParams,
    ElicitRequestParams,
    ElicitResult,
    ErrorData,
    ListRootsResult,
    Root,
)
from pydantic import FileUrl

from ...core.context import CallContext, TurnContext, current_call, current_turn
from ...core.elicitation import ElicitationRequest, ElicitationResponse
from .log import ServerLog
from .sampling import answer_sampling

NO_TURN = "no chat turn is running to ask the user (the request came outside a tool call)"


@dataclass
class CallScope:
    """One tool call under way on a server: the turn and call it runs for."""

    tool: str
    turn: TurnContext | None
    call: CallContext | None
    started: float = field(default_factory=time.monotonic)


class ActiveCalls:
    """The tool calls under way on one server, newest last."""

    def __init__(self) -> None:
        self._scopes: list[CallScope] = []

    @contextlib.contextmanager
    def entered(self, tool: str) -> Iterator[CallScope]:
        """Capture the calling task's turn and call for the duration of the block."""
        scope = CallScope(tool, current_turn(), current_call())
        self._scopes.append(scope)
        try:
            yield scope
        finally:
            self._scopes.remove(scope)

    def current(self) -> CallScope | None:
        """Return the call a server request belongs to (``None``: no call is running).

        The caller's own task knows its call (a 2026-07-28 connection runs the callbacks
        there); otherwise the request comes from the SDK's receive loop and belongs to the
        newest call under way (a server asks while it serves a call).
        """
        mine = current_call()
        for scope in reversed(self._scopes):
            if mine is not None and scope.call is mine:
                return scope
        return self._scopes[-1] if self._scopes else None


@dataclass(frozen=True)
class ElicitationRecord:
    """One question a server asked and what was answered (secrets redacted)."""

    source: str
    tool: str | None
    mode: str
    message: str
    fields: tuple[str, ...]
    url: str | None
    action: str
    content: dict[str, Any] | None
    reason: str

    def entry(self) -> dict[str, Any]:
        """Return what the turn record keeps of it (the tool call it belongs to is known)."""
        entry: dict[str, Any] = {"source": self.source, "mode": self.mode}
        entry |= {"message": self.message, "fields": list(self.fields), "url": self.url}
        return entry | {"action": self.action, "content": self.content, "reason": self.reason}


class ServerRequests:
    """The callbacks one server's SDK client is given: elicitation, sampling and roots.

    Parameters
    ----------
    source
        The server's tool source, ``mcp:<name>``.
    log
        The server's log (each request is noted there, redacted).
    roots
        Returns the folders to offer as roots (read at each request).
    """

    def __init__(
        self, source: str, log: ServerLog, roots: Callable[[], list[Path]] | None = None
    ) -> None:
        self.source = source
        self.log = log
        self.calls = ActiveCalls()
        self.roots = roots or (lambda: [Path.cwd()])
        self.elicitations: list[ElicitationRecord] = []

    async def elicit(
        self, context: ClientRequestContext, params: ElicitRequestParams
    ) -> ElicitResult | ErrorData:
        """Ask the turn's elicitor; with no turn running, decline with the reason."""
        scope = self.calls.current()
        request = _to_request(self.source, params)
        if scope is None or scope.turn is None:
            response = ElicitationResponse("decline", reason=NO_TURN)
        else:
            response = await scope.turn.elicitor.elicit(request)
        self._record(scope, request, response)
        if response.action == "accept" and request.mode == "form":
            return ElicitResult(action="accept", content=response.content or {})
        if response.action not in ("accept", "decline", "cancel"):
            return ErrorData(code=INVALID_PARAMS, message="unknown elicitation answer")
        return ElicitResult(action=response.action)

    async def sample(
        self, context: ClientRequestContext, params: CreateMessageRequestParams
    ) -> CreateMessageResult | ErrorData:
        """Answer a sampling request through the turn's approval and model."""
        scope = self.calls.current()
        answer = await answer_sampling(self.source, scope.turn if scope else None, params)
        outcome = answer.message if isinstance(answer, ErrorData) else "answered"
        self.log.note(f"sampling request: {outcome}")
        return answer

    async def list_roots(self, context: ClientRequestContext) -> ListRootsResult:
        """Return the configured folders as ``file://`` roots."""
        roots = [
            Root(uri=FileUrl(path.resolve().as_uri()), name=path.name or str(path))
            for path in self.roots()
        ]
        return ListRootsResult(roots=roots)

    def _record(
        self, scope: CallScope | None, request: ElicitationRequest, response: ElicitationResponse
    ) -> None:
        redact = scope.turn.redact if scope is not None and scope.turn is not None else _same
        content = redact(response.content) if response.content is not None else None
        record = ElicitationRecord(
            source=self.source,
            tool=scope.tool if scope is not None else None,
            mode=request.mode,
            message=str(redact(request.message)),
            fields=tuple(request.schema.get("properties", {}) or {}),
            url=request.url,
            action=response.action,
            content=content,
            reason=response.reason,
        )
        self.elicitations.append(record)
        if scope is not None and scope.call is not None:
            scope.call.elicited(record.entry())
        why = f" ({record.reason})" if record.reason else ""
        self.log.note(f"elicitation ({record.mode}) answered {record.action}{why}")


def _to_request(source: str, params: ElicitRequestParams) -> ElicitationRequest:
    if isinstance(params, ElicitRequestFormParams):
        return ElicitationRequest(source, params.message, "form", dict(params.requested_schema))
    return ElicitationRequest(source, params.message, "url", url=params.url)


def _same(value: Any) -> Any:
    return value
