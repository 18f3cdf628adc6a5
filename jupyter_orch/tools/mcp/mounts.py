"""Many MCP servers mounted into one session: started together, published as tools.

:class:`McpMounts` is the engine behind ``%mcp``; it knows nothing about magics. It starts
servers concurrently (at most ``max_concurrent`` at once), so one slow or broken server
neither holds up nor breaks the others, and it keeps the session's registry, policies and
instructions in step with what each server offers.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from mcp_types import LoggingLevel

from ...core.errors import UsageError
from ...session import Session
from .apps import AppLauncher
from .auth import AuthFactory
from .config import ServerConfig, check_name
from .server import MountedServer
from .tools import McpTool, is_app_only, tool_name


class McpMounts:
    """The MCP servers of one session.

    Parameters
    ----------
    session
        Where tools, policies and instructions are published; the mounts register their
        cleanup with it (:meth:`Session.on_close`).
    log_dir
        Folder for the servers' stderr logs (default: a new temporary folder, removed on
        close).
    start_timeout
        Seconds a server may take to connect and list its tools.
    call_timeout
        Seconds to wait for any one answer (``None``: only the orchestrator's tool timeout).
    max_concurrent
        How many servers may be starting at once.
    roots
        Returns the folders offered to servers that ask for roots (default: the current
        folder).
    log_level
        The least severe log messages asked of the servers (their ``%mcp log``).
    auth
        Gives an HTTP server its OAuth flow (``None``: servers get no sign-in).
    apps
        Shows the MCP Apps of the servers' tools (``None``: only their text).
    """

    def __init__(
        self,
        session: Session,
        *,
        log_dir: str | Path | None = None,
        start_timeout: float = 30.0,
        call_timeout: float | None = None,
        max_concurrent: int = 5,
        roots: Callable[[], list[Path]] | None = None,
        log_level: LoggingLevel | None = "info",
        auth: AuthFactory | None = None,
        apps: AppLauncher | None = None,
    ) -> None:
        self.session = session
        self.auth = auth
        self.apps = apps
        self.roots = roots
        self.log_level: LoggingLevel | None = log_level
        self.start_timeout = start_timeout
        self.call_timeout = call_timeout
        self.max_concurrent = max_concurrent
        self._own_log_dir = log_dir is None
        self.log_dir = Path(log_dir or tempfile.mkdtemp(prefix="jupyter-orch-mcp-"))
        self._servers: dict[str, MountedServer] = {}
        self._auto_tools: dict[str, list[str]] = {}
        self._closed = False
        session.on_close(self.aclose, now=self.close_now)

    def servers(self) -> list[MountedServer]:
        """Return the mounted servers in the order they were added."""
        return list(self._servers.values())

    def get(self, name: str) -> MountedServer:
        """Return the server ``name``, or raise a one-line :class:`UsageError`."""
        server = self._servers.get(name)
        if server is None:
            known = ", ".join(self._servers) or "none"
            raise UsageError(f"no MCP server named {name!r}; mounted: {known}")
        return server

    async def add(self, config: ServerConfig) -> MountedServer:
        """Mount and start one server; a failure leaves it listed as ``failed``."""
        if config.disabled:
            raise UsageError(f"MCP server {config.name!r} is disabled in its config")
        return (await self.add_many([config]))[0]

    async def add_many(self, configs: Iterable[ServerConfig]) -> list[MountedServer]:
        """Mount and start ``configs`` concurrently; return the servers (disabled ones skipped).

        Re-adding a server with the same config is not an error (a re-run cell): a connected
        one is kept, a failed one is tried again. A different server under a mounted name
        is an error, raised before anything starts.
        """
        if self._closed:
            raise UsageError("the MCP mounts are closed (the extension was unloaded)")
        wanted = [c for c in configs if not c.disabled]
        to_start = self._admit(wanted)
        gate = asyncio.Semaphore(self.max_concurrent)

        async def start(server: MountedServer) -> None:
            async with gate:
                await server.start()

        try:
            await asyncio.gather(*(start(s) for s in to_start))
        finally:
            # Published in the order given, so a clash of tool names always resolves the
            # same way, whichever server happened to answer first.
            for server in to_start:
                self._publish(server)
        return [self._servers[c.name] for c in wanted]

    async def remove(self, name: str) -> None:
        """Stop the server ``name`` and withdraw its tools, policies and instructions."""
        server = self.get(name)
        await server.stop()
        self._unpublish(server)
        del self._servers[name]

    async def restart(self, name: str) -> MountedServer:
        """Stop and start the server ``name`` again; its tools are listed afresh."""
        server = self.get(name)
        await server.restart()
        self._publish(server)
        return server

    async def aclose(self) -> None:
        """Stop every server and remove the logs folder (when it is ours)."""
        self._closed = True
        servers = self.servers()
        await asyncio.gather(*(s.stop() for s in servers), return_exceptions=True)
        self._forget_all()

    def close_now(self) -> None:
        """Kill every server's processes without an event loop (kernel shutdown, atexit)."""
        self._closed = True
        for server in self.servers():
            server.kill_now()
        self._forget_all()

    def _admit(self, configs: list[ServerConfig]) -> list[MountedServer]:
        names = [check_name(c.name) for c in configs]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise UsageError(f"MCP server names given twice: {', '.join(twice)}")
        for config in configs:
            old = self._servers.get(config.name)
            if old is not None and old.config != config and old.state in ("failed", "stopped"):
                # A failed add may be retried under the same name with a corrected config.
                self._unpublish(old)
                del self._servers[config.name]
            elif old is not None and old.config != config:
                raise UsageError(
                    f"MCP server {config.name!r} is already mounted ({old.config.origin}); "
                    f"%mcp remove {config.name} first"
                )
        to_start = []
        for config in configs:
            server = self._servers.get(config.name)
            if server is None:
                server = self._new_server(config)
                self._servers[config.name] = server
            if server.state in ("failed", "stopped"):
                to_start.append(server)
        return to_start

    def _new_server(self, config: ServerConfig) -> MountedServer:
        return MountedServer(
            config,
            log_path=self.log_dir / f"{config.name}.log",
            start_timeout=self.start_timeout,
            call_timeout=self.call_timeout,
            on_change=self._publish,
            roots=self.roots,
            log_level=self.log_level,
            auth=self.auth(config) if self.auth is not None else None,
        )

    def _publish(self, server: MountedServer) -> None:
        """Make the session offer exactly what ``server`` offers now."""
        if self._servers.get(server.name) is not server:
            return  # removed while it was starting
        self._unpublish(server)
        session, config = self.session, server.config
        if config.approve is not None:
            session.policy.per_source[server.source] = config.approve
        taken = set(session.registry.names())
        auto = self._auto_tools.setdefault(server.name, [])
        for tool in server.tools:
            if is_app_only(tool):
                continue
            name = tool_name(server.name, tool.name, taken)
            taken.add(name)
            session.registry.add(McpTool(server, tool, name, self.apps))
            if tool.name in config.auto_approve:
                session.policy.per_tool[name] = "auto"
                auto.append(name)
        if server.instructions:
            session.instructions[server.source] = server.instructions

    def _unpublish(self, server: MountedServer) -> None:
        session = self.session
        session.registry.remove_source(server.source)
        session.instructions.pop(server.source, None)
        if server.config.approve is not None:
            session.policy.per_source.pop(server.source, None)
        for name in self._auto_tools.pop(server.name, []):
            session.policy.per_tool.pop(name, None)

    def _forget_all(self) -> None:
        for server in self.servers():
            self._unpublish(server)
        self._servers.clear()
        if self._own_log_dir:
            shutil.rmtree(self.log_dir, ignore_errors=True)
