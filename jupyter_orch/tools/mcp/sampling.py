"""A server asking our model to write (MCP sampling), behind the turn's approval.

Older servers ask the client's model for a completion in the middle of a tool call. It
costs the user tokens and shows the model text the server chose, so it is an approval
like a tool call: a :class:`~jupyter_orch.core.approval.PendingApproval` for the
pseudo-tool ``sampling`` from ``mcp:NAME``, decided by the turn's approver (a card, a
prompt, or the headless policy), then answered by the turn's provider and model. Outside
a turn, or rejected, the request is declined with the reason.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from mcp_types import (
    INVALID_REQUEST,
    CreateMessageRequestParams,
    CreateMessageResult,
    ErrorData,
    SamplingMessage,
    TextContent,
)

from ...core.approval import PendingApproval
from ...core.context import TurnContext
from ...core.messages import ToolCall
from ...core.provider import ProviderRequest, TextChunk
from ...core.tools import ToolSpec

APPROVAL_SECONDS = 600.0


def sampling_spec(source: str) -> ToolSpec:
    """Return the pseudo-tool a sampling request is approved as."""
    return ToolSpec(
        name="sampling",
        description="The MCP server asks the model to write a message (it costs tokens).",
        parameters={"type": "object"},
        source=source,
    )


async def answer_sampling(
    source: str, turn: TurnContext | None, params: CreateMessageRequestParams
) -> CreateMessageResult | ErrorData:
    """Ask the turn's approver, then the turn's model; decline outside a turn or on a no."""
    if turn is None:
        return _declined("no chat turn is running to approve it")
    arguments = _shown(params)
    call = ToolCall(f"sampling-{uuid.uuid4().hex[:12]}", "sampling", json.dumps(arguments))
    pending = PendingApproval(call, sampling_spec(source), turn.redact(arguments), APPROVAL_SECONDS)
    decision = await turn.approver.decide(pending)
    if not decision.approved:
        return _declined(decision.reason or "the user rejected it")
    # The turn's own parameters (api_base, keys) with the server's choices over them.
    request = ProviderRequest(
        model=turn.model,
        messages=_messages(params),
        params={**turn.params, **_parameters(params)},
    )
    pieces = [c.text async for c in turn.provider.stream(request) if isinstance(c, TextChunk)]
    return CreateMessageResult(
        role="assistant",
        content=TextContent(type="text", text="".join(pieces)),
        model=turn.model,
        stop_reason="endTurn",
    )


def _declined(why: str) -> ErrorData:
    return ErrorData(code=INVALID_REQUEST, message=f"sampling was declined: {why}")


def _text(message: SamplingMessage) -> str:
    blocks = message.content if isinstance(message.content, list) else [message.content]
    return "\n".join(
        b.text if isinstance(b, TextContent) else f"[{getattr(b, 'type', 'content')}]"
        for b in blocks
    )


def _messages(params: CreateMessageRequestParams) -> list[dict[str, Any]]:
    messages = [{"role": "system", "content": params.system_prompt}] if params.system_prompt else []
    messages += [{"role": m.role, "content": _text(m)} for m in params.messages]
    return messages


def _parameters(params: CreateMessageRequestParams) -> dict[str, Any]:
    out: dict[str, Any] = {"max_tokens": params.max_tokens}
    if params.temperature is not None:
        out["temperature"] = params.temperature
    if params.stop_sequences:
        out["stop"] = list(params.stop_sequences)
    return out


def _shown(params: CreateMessageRequestParams) -> dict[str, Any]:
    # What the approval shows: the messages the model would read, and the token budget.
    shown: dict[str, Any] = {
        "messages": [{"role": m.role, "text": _text(m)} for m in params.messages],
        "max_tokens": params.max_tokens,
    }
    if params.system_prompt:
        shown["system"] = params.system_prompt
    return shown
