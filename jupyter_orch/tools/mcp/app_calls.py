"""An app's own ``tools/call``: through the session's policy and an approval, to its server.

The app's request runs through the core's :class:`~jupyter_orch.core.toolcalls.ToolRunner`
exactly as a model's call does (validation, policy, approval, timeout), over a one-tool
registry: only the app's own server is ever reached, and tools kept from the model
(visibility ``["app"]``) are callable here. The app receives MCP's raw ``CallToolResult``
(its ``structuredContent`` included), not the text the model would read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...core.approval import Approver
from ...core.events import ToolCallFinished
from ...core.messages import ToolCall, ToolResult
from ...core.policy import PolicyTable
from ...core.toolcalls import ToolRunner
from ...core.tools import ToolRegistry, ToolSpec
from .apps import error_json, result_json

if TYPE_CHECKING:
    from mcp_types import CallToolResult, Tool

    from .server import MountedServer
    from .tools import McpTool


@dataclass(frozen=True)
class AppCall:
    """One ``tools/call`` an app asked for.

    Parameters
    ----------
    call_id
        Our id for it (the card's and the page's).
    server
        The app's own server: the only one it may reach.
    tool
        The server's tool, as listed.
    arguments
        What the app sent.
    """

    call_id: str
    server: MountedServer
    tool: Tool
    arguments: dict[str, Any]


@dataclass(frozen=True)
class CallLimits:
    """How long an app's call may wait for its approval, then run."""

    tool_timeout: float = 60.0
    approval_ttl: float = 600.0


class _AppTool:
    """A server's tool called for its app: the raw result is kept for the app."""

    def __init__(self, inner: McpTool) -> None:
        self.inner = inner
        self.raw: CallToolResult | None = None

    @property
    def spec(self) -> ToolSpec:
        return self.inner.spec

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        return self.inner.validate(arguments)

    async def call(self, arguments: dict[str, Any]) -> ToolResult:
        from .errors import McpCallError
        from .tools import to_tool_result

        try:
            raw = await self.inner.server.call_tool(self.inner.tool.name, arguments)
        except McpCallError as exc:
            return ToolResult.error(exc.message)
        self.raw = raw
        return to_tool_result(raw)


async def run_app_call(
    call: AppCall,
    *,
    offered: Iterable[Any],
    policy: PolicyTable,
    approver: Approver,
    limits: CallLimits,
) -> dict[str, Any]:
    """Run the app's call under ``policy`` and ``approver``; return ``CallToolResult`` JSON.

    ``offered`` are the tools the model is offered: a tool of the app's server found there
    is decided under the name the model knows it by, so "allow for this session" given to
    the model's call holds for the app's too, and the other way round.
    """
    from .tools import McpTool

    name = _policy_name(call, list(offered))
    tool = _AppTool(McpTool(call.server, call.tool, name))
    registry = ToolRegistry()
    registry.add(tool)
    runner = ToolRunner(
        registry, policy, approver, timeout=limits.tool_timeout, approval_ttl=limits.approval_ttl
    )
    request = ToolCall(call.call_id, name, json.dumps(call.arguments, default=str))
    finished: ToolCallFinished | None = None
    async for event in runner.run(request, {name}):
        if isinstance(event, ToolCallFinished):
            finished = event
    if tool.raw is not None:
        return result_json(tool.raw)
    text = finished.result.text() if finished is not None else "the call did not run"
    return error_json(text)


def _policy_name(call: AppCall, offered: list[Any]) -> str:
    from .tools import tool_name

    for known in offered:
        if getattr(known, "server", None) is call.server and (
            getattr(getattr(known, "tool", None), "name", None) == call.tool.name
        ):
            return str(known.spec.name)
    taken = {str(t.spec.name) for t in offered}
    return tool_name(call.server.name, call.tool.name, taken)
