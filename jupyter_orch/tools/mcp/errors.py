"""A failed request to a server, in one line that says what to do."""

from __future__ import annotations

import anyio
from mcp.shared.exceptions import MCPError
from mcp_types import CONNECTION_CLOSED, REQUEST_TIMEOUT

from ...core.errors import OrchError
from .transports import describe_error


class McpCallError(OrchError):
    """A request to a server failed: it is not connected, it crashed, timed out or refused."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "connection")


def call_error(
    exc: BaseException, name: str, what: str, call_timeout: float | None
) -> McpCallError:
    """Return the one-line error for ``exc``, raised by request ``what`` to server ``name``."""
    if isinstance(exc, MCPError):
        if exc.code == CONNECTION_CLOSED:
            return McpCallError(
                f"MCP server {name!r} closed the connection during {what} (it may have "
                f"crashed); see %mcp log {name}, then %mcp restart {name}"
            )
        if exc.code == REQUEST_TIMEOUT:
            return McpCallError(
                f"MCP server {name!r} did not answer {what} within {call_timeout or 0:g} s"
            )
        return McpCallError(f"MCP server {name!r} refused {what}: {exc}")
    if isinstance(exc, (OSError, anyio.BrokenResourceError, anyio.ClosedResourceError)):
        return McpCallError(f"MCP server {name!r} failed during {what}: {describe_error(exc)}")
    # The SDK checks structured content against the tool's output schema (RuntimeError).
    return McpCallError(f"MCP server {name!r} answered {what} wrongly: {exc}")
