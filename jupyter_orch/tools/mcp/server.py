"""One mounted MCP server: an owner task that holds the SDK's session across cells.

The SDK's ``async with`` blocks must be entered and left in the same task, but a notebook
session lives across cells, each its own task. So each server gets an owner task: it
connects, lists what the server offers, then waits until it is told to stop or the server
goes away, and leaves the SDK's context managers itself. Calls are sent from the caller's
task (the SDK's dispatcher serves many tasks at once), so interrupting a cell cancels its
call and the SDK tells the server.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, Literal, TextIO, TypeVar

import anyio
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import (
    CONNECTION_CLOSED,
    CallToolResult,
    GetPromptResult,
    LoggingLevel,
    LoggingMessageNotificationParams,
    Prompt,
    PromptListChangedNotification,
    ReadResourceResult,
    Resource,
    ResourceListChangedNotification,
    ResourceTemplate,
    Tool,
    ToolListChangedNotification,
)

from ...core.errors import OrchError
from . import process
from .auth import ServerAuth, needs_sign_in_text
from .calls import ServerRequests
from .config import ServerConfig
from .errors import McpCallError, call_error
from .inventory import Inventory
from .log import ServerLog, log_here, route_sdk_logs
from .transports import (
    ClientOptions,
    IncomingMessage,
    describe_error,
    open_client,
    unauthorized,
)

ServerState = Literal["starting", "connected", "failed", "stopped"]
_T = TypeVar("_T")


class MountedServer:
    """A server of one :class:`ServerConfig`, its state and what it offers.

    Parameters
    ----------
    config
        How to start or reach the server.
    log_path
        File that receives the server's stderr (and our notes about it): :attr:`log`.
    start_timeout
        Seconds to connect and list the server's tools before it counts as failed.
    call_timeout
        Seconds to wait for any one answer (``None``: no limit of our own; the
        orchestrator's tool timeout still applies).
    on_change
        Called after the server's tool, resource or prompt lists changed (a restart, a
        ``list_changed`` notification), so the mounts can update the registry.
    roots
        Returns the folders offered to the server as roots.
    log_level
        The least severe log messages asked of the server (``None``: the server's choice).
    auth
        The OAuth flow of an HTTP server (``None``: no sign-in); while the user signs in,
        the start timeout waits.

    Attributes
    ----------
    state
        ``starting``, ``connected``, ``failed`` or ``stopped``.
    error, stderr_at_failure
        Why it failed (one line), and the last lines of its stderr at that moment.
    server_name, server_version, protocol_version, instructions
        What the server said about itself when it connected.
    tools, resources, templates, prompts
        What it offers, as the SDK lists them.
    pid
        The process of a stdio server (``None`` for HTTP).
    connect_seconds
        How long the last start took, to connected.
    """

    def __init__(
        self,
        config: ServerConfig,
        *,
        log_path: Path,
        start_timeout: float = 30.0,
        call_timeout: float | None = None,
        on_change: Callable[[MountedServer], None] | None = None,
        roots: Callable[[], list[Path]] | None = None,
        log_level: LoggingLevel | None = "info",
        auth: ServerAuth | None = None,
    ) -> None:
        self.config = config
        self.auth = auth
        self.log = ServerLog(log_path)
        self.requests = ServerRequests(self.source, self.log, roots)
        self.log_level: LoggingLevel | None = log_level
        self.start_timeout = start_timeout
        self.call_timeout = call_timeout
        self.on_change = on_change
        self.state: ServerState = "stopped"
        self.error: str | None = None
        self.stderr_at_failure = ""
        self.server_name: str | None = None
        self.server_version: str | None = None
        self.instructions: str | None = None
        self.protocol_version: str | None = None
        self.tools: list[Tool] = []
        self.resources: list[Resource] = []
        self.templates: list[ResourceTemplate] = []
        self.prompts: list[Prompt] = []
        self.pid: int | None = None
        self.connect_seconds: float | None = None
        self._marker = process.new_marker()
        self._client: Client | None = None
        self._task: asyncio.Task[None] | None = None
        self._scope: anyio.CancelScope | None = None
        self._wake = asyncio.Event()
        self._why_stopping: str | None = None
        self._ended = False
        self._background: set[asyncio.Task[None]] = set()

    @property
    def name(self) -> str:
        """The mount's name."""
        return self.config.name

    @property
    def source(self) -> str:
        """The tool source of this server, ``mcp:<name>``."""
        return f"mcp:{self.config.name}"

    async def start(self) -> bool:
        """Connect and list what the server offers; return whether it is connected.

        A failure (a missing command, a crash, the start timeout) leaves the server in the
        ``failed`` state with :attr:`error` saying why and the tail of its stderr.
        """
        if self._task is not None and not self._task.done():
            raise OrchError(f"MCP server {self.name!r} is already running", "usage")
        self._reset()
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        started = time.perf_counter()
        self._task = asyncio.get_running_loop().create_task(self._own(ready))
        try:
            await self._until_ready(ready)
        except asyncio.TimeoutError:
            await self._abandon(f"did not start within {self.start_timeout:g} s")
        except asyncio.CancelledError:
            self._cancel_owner("start interrupted")
            self._fail("start interrupted")
            raise
        if self.state == "connected":
            self.connect_seconds = time.perf_counter() - started
        return self.state == "connected"

    async def _until_ready(self, ready: asyncio.Future[None]) -> None:
        while True:
            try:
                await asyncio.wait_for(asyncio.shield(ready), self.start_timeout)
                return
            except asyncio.TimeoutError:
                if self.auth is None or not self.auth.waiting_for_user:
                    raise
                # The user is signing in: that has its own limit (the sign-in's).

    async def stop(self) -> None:
        """Close the session and stop the server's process (idempotent)."""
        task = self._task
        if task is None or task.done():
            if self.state != "failed":
                self.state = "stopped"
            return
        self._why_stopping = self._why_stopping or "stopped"
        self._wake.set()
        if self.state == "starting":
            self._cancel_owner("stopped")
        await asyncio.shield(task)

    async def restart(self) -> bool:
        """Stop the server if it runs, then start it again."""
        await self.stop()
        return await self.start()

    def kill_now(self) -> list[int]:
        """Kill the server's processes without an event loop (kernel shutdown); return PIDs."""
        self._why_stopping = "stopped"
        self.state = "stopped"
        return process.kill_marked(self._marker)

    async def call_tool(self, name: str, arguments: dict[str, Any]) -> CallToolResult:
        """Call the server's tool ``name`` (its own name, not the registry's).

        The calling task's turn and call are captured for the call's duration: a question
        the server asks meanwhile goes to the turn's elicitor, and its progress
        notifications to the call's card.
        """
        client = self._connected_client()
        with self.requests.calls.entered(name) as scope:
            report = scope.call.report if scope.call is not None else None

            async def progress(progress: float, total: float | None, message: str | None) -> None:
                if report is not None:
                    report(progress, total, message)

            return await self._request(
                f"tools/call {name!r}",
                lambda: client.call_tool(
                    name,
                    arguments,
                    read_timeout_seconds=self.call_timeout,
                    progress_callback=progress,
                ),
            )

    async def read_resource(self, uri: str) -> ReadResourceResult:
        """Read the resource at ``uri``."""
        client = self._connected_client()
        return await self._request(f"resources/read {uri!r}", lambda: client.read_resource(uri))

    async def get_prompt(self, name: str, arguments: dict[str, str]) -> GetPromptResult:
        """Get the prompt ``name`` filled in with ``arguments``."""
        client = self._connected_client()
        return await self._request(
            f"prompts/get {name!r}", lambda: client.get_prompt(name, arguments or None)
        )

    def log_text(self, max_chars: int = 50_000) -> str:
        """Return the end of the server's log (its stderr and our notes)."""
        return self.log.text(max_chars)

    # -- the owner task ----------------------------------------------------------------

    async def _own(self, ready: asyncio.Future[None]) -> None:
        log = self.log.open_run(self.config.describe_target())
        route_sdk_logs()
        log_here(self.log)
        try:
            with anyio.CancelScope() as scope:
                self._scope = scope
                if self._why_stopping is not None:
                    scope.cancel()
                async with AsyncExitStack() as stack:
                    client = await open_client(stack, self.config, self._options(log))
                    await self._take_inventory(client)
                    self._client = client
                    self.state = "connected"
                    _settle(ready)
                    await self._wake.wait()
        except Exception as exc:
            self._fail(self._explain(exc))
        finally:
            self._client = None
            self._scope = None
            log.close()
            self._settle_state()
            _settle(ready)

    def _options(self, log: TextIO) -> ClientOptions:
        env: dict[str, str] = {}
        command = ""
        if self.config.transport == "stdio":
            env = process.server_env(self.config.env, self._marker)
            command = process.resolve_command(self.config.command or "", env, self.config.cwd)
        return ClientOptions(
            on_end=self._on_end,
            message_handler=self._on_message,
            logging_callback=self._on_log,
            errlog=log,
            env=env,
            command=command,
            elicitation_callback=self.requests.elicit,
            sampling_callback=self.requests.sample,
            list_roots_callback=self.requests.list_roots,
            log_level=self.log_level,
            mode=self.config.connect_mode(),
            auth=self.auth.provider() if self.auth is not None else None,
        )

    async def _take_inventory(self, client: Client) -> None:
        info = client.server_info
        self.server_name = info.name if info else None
        self.server_version = info.version if info else None
        self.instructions = client.instructions
        self.protocol_version = client.protocol_version
        offered = await Inventory.of(client, self.log)
        self.tools, self.resources = offered.tools, offered.resources
        self.templates, self.prompts = offered.templates, offered.prompts
        if self.config.transport == "stdio":
            found = process.marked_processes(self._marker)
            self.pid = found[0].pid if found else None

    # -- events from the SDK -----------------------------------------------------------

    def _on_end(self) -> None:
        self._ended = True
        self._wake.set()

    async def _on_message(self, message: IncomingMessage) -> None:
        if isinstance(message, Exception):
            self.log.note(f"transport error: {describe_error(message)}")
        elif isinstance(
            message,
            ToolListChangedNotification
            | ResourceListChangedNotification
            | PromptListChangedNotification,
        ):
            # Listing from inside the SDK's receive loop would wait on itself: do it apart.
            task = asyncio.get_running_loop().create_task(self._refresh())
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _on_log(self, params: LoggingMessageNotificationParams) -> None:
        source = f" {params.logger}" if params.logger else ""
        self.log.note(f"[{params.level}{source}] {params.data}")

    async def _refresh(self) -> None:
        client = self._client
        if client is None:
            return
        try:
            await self._take_inventory(client)
        except (MCPError, OSError) as exc:
            self.log.note(f"refreshing the lists failed: {exc}")
            return
        if self.on_change is not None:
            self.on_change(self)

    # -- helpers -----------------------------------------------------------------------

    async def _request(self, what: str, send: Callable[[], Awaitable[_T]]) -> _T:
        try:
            return await send()
        except (
            MCPError,
            RuntimeError,
            OSError,
            anyio.BrokenResourceError,
            anyio.ClosedResourceError,
        ) as exc:
            if isinstance(exc, MCPError) and exc.code == CONNECTION_CLOSED:
                self._ended = True
                self._wake.set()
            raise call_error(exc, self.name, what, self.call_timeout) from None

    def _connected_client(self) -> Client:
        if self._client is None or self.state != "connected":
            why = f": {self.error}" if self.error else ""
            raise McpCallError(
                f"MCP server {self.name!r} is {self.state}{why}; try %mcp restart {self.name}"
            )
        return self._client

    def _reset(self) -> None:
        self.state = "starting"
        self.error = None
        self.stderr_at_failure = ""
        self.pid = None
        self.connect_seconds = None
        self._why_stopping = None
        self._ended = False
        self._wake = asyncio.Event()

    def _cancel_owner(self, why: str) -> None:
        self._why_stopping = self._why_stopping or why
        if self._scope is not None:
            self._scope.cancel()

    async def _abandon(self, why: str) -> None:
        self._cancel_owner(why)
        if self._task is not None:
            await asyncio.shield(self._task)

    def _explain(self, exc: Exception) -> str:
        if self._ended:
            return "the server exited before it finished starting"
        if unauthorized(exc):
            return needs_sign_in_text(self.name, self.config.url or "")
        return describe_error(exc)

    def _fail(self, why: str) -> None:
        if self.state == "failed":
            return
        self.state = "failed"
        self.error = why
        self.stderr_at_failure = self.log.tail()
        self.log.note(f"failed: {why}")

    def _settle_state(self) -> None:
        why = self._why_stopping
        if self.state == "failed":
            return
        if why == "stopped":
            self.state = "stopped"
        elif why is not None:
            self._fail(why)
        elif self._ended:
            self._fail("the server closed the connection (its process exited?)")
        else:
            self.state = "stopped"


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
