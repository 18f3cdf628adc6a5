"""MCP server configurations: the two file formats users have, and ``${VAR}`` expansion.

``{"mcpServers": {...}}`` is the format of Claude Desktop, Cursor and Claude Code (with
``autoApprove`` and ``disabled``); ``{"servers": {...}}`` with a ``type`` is VS Code's
``mcp.json`` (comments and trailing commas allowed). Every error names the file and the
place in it. This module imports nothing from the MCP SDK: parsing a file costs nothing.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ...core.errors import OrchError
from ...core.policy import POLICIES
from ...core.tools import PolicyName

TransportName = Literal["stdio", "http", "sse"]

PROTOCOLS = ("auto", "legacy", "2026-07-28")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_TRANSPORTS: dict[str, TransportName] = {
    "stdio": "stdio",
    "http": "http",
    "streamable-http": "http",
    "streamableHttp": "http",
    "sse": "sse",
}


@dataclass(frozen=True)
class ServerConfig:
    """How to start or reach one MCP server.

    Parameters
    ----------
    name
        The mount's name (``[A-Za-z0-9_.-]``, at most 64 characters); tools get the source
        ``mcp:<name>``.
    transport
        ``stdio`` (a command), ``http`` (streamable HTTP, SSE as fallback) or ``sse``.
    command, args, cwd
        The command of a stdio server.
    env
        Environment variables given to the server, on top of a small allowlist.
    url, headers
        The endpoint of an HTTP or SSE server.
    approve
        Policy for every tool of the server (``None``: the global default).
    auto_approve
        Tool names (as the server names them) that run without asking.
    disabled
        The entry is in the file but switched off; loading skips it.
    oauth
        OAuth settings of an HTTP server: ``client_id`` and ``client_secret`` of a client
        registered in advance, ``scope``, ``client_metadata_url`` (a client ID metadata
        document), ``disabled`` (no sign-in flow). Empty: dynamic registration.
    protocol
        How the connection starts: ``auto`` (ask the server whether it speaks 2026-07-28,
        else the ``initialize`` handshake), ``legacy`` (the handshake), or a revision such
        as ``2026-07-28``. ``None``: ``legacy`` for stdio servers (a server may then ask
        the user a question or send log and list-changed notifications at any time),
        ``auto`` for HTTP ones.
    origin
        Where the entry came from, for messages (``"mcp.json: mcpServers.time"``).
    """

    name: str
    transport: TransportName
    command: str | None = None
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str | None = None
    url: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    approve: PolicyName | None = None
    auto_approve: tuple[str, ...] = ()
    disabled: bool = False
    protocol: str | None = None
    oauth: Mapping[str, Any] = field(default_factory=dict)
    origin: str = field(default="%mcp add", compare=False)

    def connect_mode(self) -> str:
        """Return the SDK client's ``mode`` for this server (see ``protocol``)."""
        if self.protocol is not None:
            return self.protocol
        return "legacy" if self.transport == "stdio" else "auto"

    def describe_target(self) -> str:
        """Return the command line or URL, for listings."""
        if self.transport == "stdio":
            return " ".join([self.command or "", *self.args])
        return self.url or ""


def check_protocol(value: str, where: str = "") -> str:
    """Return ``value`` if it can be a server's ``protocol``, else raise a one-line error."""
    if value in PROTOCOLS:
        return value
    prefix = f"{where}: " if where else ""
    raise OrchError(f"{prefix}protocol must be one of {', '.join(PROTOCOLS)}, not {value!r}")


def check_name(name: str, where: str = "") -> str:
    """Return ``name`` if it can name a mount, else raise a one-line :class:`OrchError`."""
    if not NAME_PATTERN.match(name):
        prefix = f"{where}: " if where else ""
        raise OrchError(
            f"{prefix}server name {name!r} must be 1-64 letters, digits, '_', '.' or '-'"
        )
    return name


def load_config(path: str | Path, environ: Mapping[str, str] | None = None) -> list[ServerConfig]:
    """Read a config file in either format.

    Parameters
    ----------
    path
        A JSON (or VS Code JSONC) file.
    environ
        Variables for ``${VAR}`` expansion (default: the process environment).

    Returns
    -------
    list[ServerConfig]
        One entry per server, in file order, disabled ones included.
    """
    file = Path(path).expanduser()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise OrchError(f"cannot read MCP config {file}: {exc.strerror or exc}") from None
    return parse_config(text, source=str(file), environ=environ, base=_workspace_of(file))


def parse_config(
    text: str,
    *,
    source: str = "<config>",
    environ: Mapping[str, str] | None = None,
    base: Path | None = None,
) -> list[ServerConfig]:
    """Parse config ``text``; ``source`` names it in errors, ``base`` is VS Code's workspace."""
    try:
        data = json.loads(_strip_jsonc(text))
    except json.JSONDecodeError as exc:
        raise OrchError(f"{source} line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    env = os.environ if environ is None else environ
    key, servers = _servers_of(data, source)
    parser = _EntryParser(source, env, base)
    return [parser.parse(name, entry, f"{key}.{name}") for name, entry in servers.items()]


def _servers_of(data: Any, source: str) -> tuple[str, dict[str, Any]]:
    if isinstance(data, dict):
        if isinstance(data.get("mcp"), dict) and "servers" in data["mcp"]:
            data = data["mcp"]  # VS Code's settings.json nests the servers under "mcp"
        for key in ("mcpServers", "servers"):
            if key in data:
                servers = data[key]
                if not isinstance(servers, dict):
                    raise OrchError(f"{source}: {key}: must be an object of servers by name")
                return key, servers
    raise OrchError(
        f'{source}: expected {{"mcpServers": {{...}}}} (Claude, Cursor) '
        f'or {{"servers": {{...}}}} (VS Code) at the top level'
    )


class _EntryParser:
    """Turns one server entry into a :class:`ServerConfig`, naming the place of any error."""

    def __init__(self, source: str, environ: Mapping[str, str], base: Path | None) -> None:
        self.source = source
        self.environ = environ
        self.base = base

    def fail(self, where: str, message: str) -> OrchError:
        return OrchError(f"{self.source}: {where}: {message}")

    def parse(self, name: str, entry: Any, where: str) -> ServerConfig:
        check_name(name, f"{self.source}: {where}")
        if not isinstance(entry, dict):
            raise self.fail(where, "must be an object")
        transport = self._transport(entry, where)
        stdio = transport == "stdio"
        return ServerConfig(
            name=name,
            transport=transport,
            command=self._string(entry, "command", where, required=True) if stdio else None,
            args=tuple(self._strings(entry, "args", where)) if stdio else (),
            env=self._mapping(entry, "env", where),
            cwd=self._string(entry, "cwd", where) if stdio else None,
            url=None if stdio else self._string(entry, "url", where, required=True),
            headers={} if stdio else self._mapping(entry, "headers", where),
            approve=self._policy(entry, where),
            auto_approve=self._names(entry, where),
            disabled=self._flag(entry, "disabled", where),
            protocol=self._protocol(entry, where),
            oauth={} if stdio else self._oauth(entry, where),
            origin=f"{Path(self.source).name}: {where}",
        )

    def _transport(self, entry: dict[str, Any], where: str) -> TransportName:
        kind = entry.get("type", entry.get("transport"))
        if kind is None:
            if "command" in entry:
                return "stdio"
            if "url" in entry or "serverUrl" in entry:
                return "http"
            raise self.fail(where, 'needs "command" (a stdio server) or "url" (an HTTP server)')
        if not isinstance(kind, str) or kind not in _TRANSPORTS:
            raise self.fail(f"{where}.type", f"must be stdio, http or sse, not {kind!r}")
        return _TRANSPORTS[kind]

    def _string(
        self, entry: dict[str, Any], key: str, where: str, *, required: bool = False
    ) -> str | None:
        value = entry.get(key)
        if value is None and key == "url":
            value = entry.get("serverUrl")  # Windsurf's spelling
        if value is None:
            if required:
                raise self.fail(where, f'missing "{key}"')
            return None
        if not isinstance(value, str):
            raise self.fail(f"{where}.{key}", "must be a string")
        return self.expand(value, f"{where}.{key}")

    def _strings(self, entry: dict[str, Any], key: str, where: str) -> list[str]:
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{where}.{key}", "must be a list of strings")
        return [self.expand(v, f"{where}.{key}[{i}]") for i, v in enumerate(value)]

    def _mapping(self, entry: dict[str, Any], key: str, where: str) -> dict[str, str]:
        value = entry.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(f"{where}.{key}", "must be an object of strings")
        out: dict[str, str] = {}
        for k, v in value.items():
            if isinstance(v, bool) or not isinstance(v, (str, int, float)):
                raise self.fail(f"{where}.{key}.{k}", "must be a string")
            out[k] = self.expand(str(v), f"{where}.{key}.{k}")
        return out

    def _names(self, entry: dict[str, Any], where: str) -> tuple[str, ...]:
        key = "autoApprove" if "autoApprove" in entry else "alwaysAllow"
        return tuple(self._strings(entry, key, where)) if key in entry else ()

    def _flag(self, entry: dict[str, Any], key: str, where: str) -> bool:
        value = entry.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", "must be true or false")
        return value

    def _oauth(self, entry: dict[str, Any], where: str) -> dict[str, Any]:
        value = entry.get("oauth", {})
        if value is False:
            return {"disabled": True}
        if not isinstance(value, dict):
            raise self.fail(f"{where}.oauth", "must be an object (clientId, clientSecret, scope)")
        keys = {
            "clientId": "client_id",
            "clientSecret": "client_secret",
            "scope": "scope",
            "clientMetadataUrl": "client_metadata_url",
        }
        out: dict[str, Any] = {}
        for key, name in keys.items():
            if key in value:
                if not isinstance(value[key], str):
                    raise self.fail(f"{where}.oauth.{key}", "must be a string")
                out[name] = self.expand(value[key], f"{where}.oauth.{key}")
        return out

    def _protocol(self, entry: dict[str, Any], where: str) -> str | None:
        value = entry.get("protocol")
        if value is None:
            return None
        return check_protocol(str(value), f"{self.source}: {where}.protocol")

    def _policy(self, entry: dict[str, Any], where: str) -> PolicyName | None:
        value = entry.get("approve")
        if value is None:
            return None
        if value not in POLICIES:
            raise self.fail(f"{where}.approve", f"must be one of {', '.join(POLICIES)}")
        return value  # type: ignore[no-any-return]  # checked against the policy names above

    def expand(self, value: str, where: str) -> str:
        """Expand ``${VAR}``, ``${VAR:-default}``, ``${env:VAR}``, ``${userHome}``..."""
        return _VARIABLE.sub(lambda m: self._variable(m.group(1), where), value)

    def _variable(self, body: str, where: str) -> str:
        if body.startswith("input:"):
            raise self.fail(
                where,
                f"VS Code input variables (${{{body}}}) are not supported; put the value in env",
            )
        if body == "userHome":
            return str(Path.home())
        if body in ("workspaceFolder", "workspaceRoot"):
            return str(self.base or Path.cwd())
        name, sep, default = body.removeprefix("env:").partition(":-")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise self.fail(where, f"cannot expand ${{{body}}}")
        value = self.environ.get(name, "")
        if value or sep:
            return value or default
        if name in self.environ:
            return ""
        raise self.fail(
            where,
            f"environment variable {name} is not set (write ${{{name}:-default}} for a default)",
        )


def _workspace_of(file: Path) -> Path:
    folder = file.resolve().parent
    return folder.parent if folder.name == ".vscode" else folder


def _strip_jsonc(text: str) -> str:
    """Blank out ``//`` and ``/* */`` comments and trailing commas, keeping every position.

    VS Code's ``mcp.json`` is JSON with comments; keeping offsets keeps error lines right.
    """
    out = list(text)
    i, n, in_string = 0, len(text), False
    last_comma: int | None = None
    while i < n:
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 2
                continue
            in_string = ch != '"'
        elif ch == '"':
            in_string, last_comma = True, None
        elif text.startswith("//", i) or text.startswith("/*", i):
            end = _comment_end(text, i)
            for j in range(i, end):
                out[j] = out[j] if text[j] == "\n" else " "
            i = end
            continue
        elif ch == ",":
            last_comma = i
        elif ch in "}]":
            if last_comma is not None:
                out[last_comma] = " "
            last_comma = None
        elif not ch.isspace():
            last_comma = None
        i += 1
    return "".join(out)


def _comment_end(text: str, start: int) -> int:
    if text.startswith("//", start):
        end = text.find("\n", start)
        return len(text) if end == -1 else end
    end = text.find("*/", start + 2)
    return len(text) if end == -1 else end + 2
