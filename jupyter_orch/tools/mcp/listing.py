"""Plain-text tables of mounted servers and what they offer (``%mcp list``, ``tools``...)."""

from __future__ import annotations

from collections.abc import Sequence

from ...session import Session
from .server import MountedServer
from .tools import McpTool

_DESCRIPTION_WIDTH = 60


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Return ``rows`` under ``headers`` as aligned columns (numbers right-aligned)."""
    cells = [[str(c) for c in headers], *[[_cell(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    numeric = [
        bool(rows) and all(isinstance(row[i], int) for row in rows) for i in range(len(headers))
    ]
    lines = []
    for r in cells:
        parts = [
            c.rjust(w) if numeric[i] and r is not cells[0] else c.ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def servers_table(servers: Sequence[MountedServer]) -> str:
    """Return ``%mcp list``: name, transport, state, counts, server name and version."""
    if not servers:
        return "no MCP servers mounted (add one with %mcp add NAME -- COMMAND, or %mcp load PATH)"
    rows = []
    for s in servers:
        up = s.state == "connected"
        rows.append(
            [
                s.name,
                s.config.transport,
                s.state,
                len(s.tools) if up else "-",
                len(s.resources) + len(s.templates) if up else "-",
                len(s.prompts) if up else "-",
                " ".join(x for x in (s.server_name, s.server_version) if x) or "-",
            ]
        )
    text = table(["NAME", "TRANSPORT", "STATE", "TOOLS", "RESOURCES", "PROMPTS", "SERVER"], rows)
    notes = [f"  {s.name}: {s.error}" for s in servers if s.state == "failed" and s.error]
    return "\n".join([text, *notes])


def tools_table(session: Session, servers: Sequence[MountedServer]) -> str:
    """Return ``%mcp tools``: each tool as offered to the model, its server and policy."""
    wanted = {s.source for s in servers}
    rows = []
    for tool in session.registry:
        if isinstance(tool, McpTool) and tool.spec.source in wanted:
            renamed = (
                f" (server's name: {tool.tool.name})" if tool.tool.name != tool.spec.name else ""
            )
            rows.append(
                [
                    tool.spec.name,
                    tool.server.name,
                    session.policy.decide(tool.spec),
                    _short(tool.spec.description) + renamed,
                ]
            )
    if not rows:
        return "no MCP tools"
    return table(["TOOL", "SERVER", "POLICY", "DESCRIPTION"], rows)


def resources_table(servers: Sequence[MountedServer]) -> str:
    """Return ``%mcp resources``: resources and resource templates of each server."""
    rows: list[list[object]] = []
    for s in servers:
        for r in s.resources:
            rows.append([s.name, r.uri, r.mime_type or "-", _short(r.title or r.name)])
        for t in s.templates:
            rows.append([s.name, t.uri_template, t.mime_type or "-", _short(t.title or t.name)])
    if not rows:
        return "no MCP resources"
    return table(["SERVER", "URI", "MIME", "NAME"], rows)


def prompts_table(servers: Sequence[MountedServer]) -> str:
    """Return ``%mcp prompts``: each prompt with its arguments (``*`` marks required)."""
    rows: list[list[object]] = []
    for s in servers:
        for p in s.prompts:
            args = " ".join(a.name + ("*" if a.required else "") for a in p.arguments or [])
            rows.append([s.name, p.name, args or "-", _short(p.description or p.title or "")])
    if not rows:
        return "no MCP prompts"
    return table(["SERVER", "PROMPT", "ARGUMENTS", "DESCRIPTION"], rows)


def mounted_line(session: Session, server: MountedServer) -> str:
    """Return the summary printed after a server connected (and any renamed tools)."""
    renamed = {
        t.tool.name: t.spec.name
        for t in session.registry
        if isinstance(t, McpTool) and t.server is server and t.tool.name != t.spec.name
    }
    who = " ".join(x for x in (server.server_name, server.server_version) if x)
    seconds = f" in {server.connect_seconds:.2f} s" if server.connect_seconds else ""
    text = (
        f"Mounted {server.name} ({server.config.transport}, {who or 'unnamed server'}){seconds}: "
        f"{_count(len(server.tools), 'tool')}, "
        f"{_count(len(server.resources) + len(server.templates), 'resource')}, "
        f"{_count(len(server.prompts), 'prompt')}"
    )
    if renamed:
        pairs = ", ".join(f"{old} as {new}" for old, new in renamed.items())
        text += f"\n  names taken, offered as: {pairs}"
    return text


def failure_text(server: MountedServer) -> str:
    """Return why ``server`` failed, with the tail of its stderr and where the log is."""
    error = server.error or "unknown error"
    named = error.startswith(f"MCP server {server.name!r} ")
    lines = [error if named else f"MCP server {server.name!r} failed: {error}"]
    lines += [f"    {line}" for line in server.stderr_at_failure.splitlines()]
    lines.append(f"  (full log: %mcp log {server.name})")
    return "\n".join(lines)


def _cell(value: object) -> str:
    return str(value).replace("\n", " ")


def _short(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    if len(first) > _DESCRIPTION_WIDTH:
        return first[: _DESCRIPTION_WIDTH - 3] + "..."
    return first


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
