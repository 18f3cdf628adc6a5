"""Tools, their policies and the MCP servers, as the side panel lists and changes them.

A policy set from the panel is the same setting as ``%chat policy NAME auto|ask|deny``: a
per-tool policy in the session's table, so ``%chat tools`` shows it at once. Server strings
(names, errors) are untrusted on the page: it shows them as text; errors are redacted here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...core.errors import UsageError
from ...core.policy import check_policy
from ...core.redaction import Redactor
from ...core.tools import Tool
from ...session import Session
from ..display.summary import source_words

if TYPE_CHECKING:
    from ...tools.mcp.mounts import McpMounts

DESCRIPTION_CHARS = 300
ALWAYS_ASKS = ("run_python",)
"""Tools that run code: never automatic, whatever is asked (as ``%chat policy`` says)."""


def tool_list(session: Session) -> dict[str, Any]:
    """Return every tool with its source and the policy that applies to it now."""
    return {
        "default": session.policy.default,
        "tools": [tool_entry(session, tool) for tool in session.registry],
    }


def tool_entry(session: Session, tool: Tool) -> dict[str, Any]:
    """Return one tool as the panel lists it."""
    spec = tool.spec
    verdict = session.policy.verdict(spec)
    return {
        "name": spec.name,
        "title": spec.title or "",
        "source": spec.source,
        "source_words": source_words(spec.source),
        "description": spec.description[:DESCRIPTION_CHARS],
        "policy": verdict.policy,
        "fixed": verdict.fixed,
        "allowed": verdict.allowed or "",
        "changed": verdict.changed,
        "locked": spec.name in ALWAYS_ASKS,
    }


def set_policy(session: Session, params: Any) -> dict[str, Any]:
    """Set one tool's policy (``{"name", "policy"}``); return its new entry."""
    if not isinstance(params, dict):
        raise UsageError("tools.policy needs a name and a policy")
    name, policy = params.get("name"), params.get("policy")
    tool = session.registry.get(name) if isinstance(name, str) else None
    if tool is None:
        raise UsageError(f"no tool {name!r}; see %chat tools")
    chosen = check_policy(str(policy))
    if chosen == "auto" and tool.spec.name in ALWAYS_ASKS:
        raise UsageError("run_python always asks before it runs code: it cannot be set to auto")
    session.policy.set(tool.spec.name, chosen, sources=[])
    return tool_entry(session, tool)


def server_list(mounts: McpMounts | None, redactor: Redactor) -> dict[str, Any]:
    """Return the mounted MCP servers with their state (none before the first ``%mcp``)."""
    servers = mounts.servers() if mounts is not None else []
    return {"servers": [server_entry(server, redactor) for server in servers]}


def server_entry(server: Any, redactor: Redactor) -> dict[str, Any]:
    """Return one server as the panel lists it."""
    about = " ".join(str(w) for w in (server.server_name, server.server_version) if w)
    error = redactor.text(" ".join(str(server.error or "").split()))[:300]
    return {
        "name": server.name,
        "source": server.source,
        "state": server.state,
        "error": error,
        "server": about,
        "tools": len(server.tools),
    }


async def restart(mounts: McpMounts | None, params: Any, redactor: Redactor) -> dict[str, Any]:
    """Restart one server (``{"name"}``); return its entry (a failure is its state)."""
    name = params.get("name") if isinstance(params, dict) else None
    if mounts is None or not isinstance(name, str):
        raise UsageError(f"no MCP server named {name!r}")
    server = await mounts.restart(name)
    return server_entry(server, redactor)
