"""Opening an SDK client for a server config: stdio, streamable HTTP with SSE fallback, SSE.

Every transport is wrapped so that the end of the server's stream is reported: a crashed
stdio server or a dropped HTTP session is noticed at once, not at the next call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TextIO

import anyio
import httpx2
from mcp import Client
from mcp.client import advertise
from mcp.client._transport import ReadStream, TransportStreams
from mcp.client.session import (
    ElicitationFnT,
    IncomingMessage,
    ListRootsFnT,
    LoggingFnT,
    MessageHandlerFnT,
    SamplingFnT,
)
from mcp.client.sse import sse_client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp_types import Implementation, LoggingLevel

from ..._version import __version__
from ...core.errors import OrchError
from .apps import EXTENSION_ID, advertised
from .config import ServerConfig

CLIENT_INFO = Implementation(name="jupyter-orch", version=__version__)


class _WatchedReadStream:
    """A transport's read stream that calls ``on_end`` when the server's side ends."""

    def __init__(self, inner: ReadStream[Any], on_end: Callable[[], None]) -> None:
        self._inner = inner
        self._on_end = on_end

    @property
    def last_context(self) -> Any:
        """The sender's context, as the SDK's context-aware streams carry it."""
        return getattr(self._inner, "last_context", None)

    async def receive(self) -> Any:
        try:
            return await self._inner.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError, anyio.BrokenResourceError):
            self._on_end()
            raise

    async def aclose(self) -> None:
        await self._inner.aclose()

    def __aiter__(self) -> _WatchedReadStream:
        return self

    async def __anext__(self) -> Any:
        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    async def __aenter__(self) -> _WatchedReadStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        await self.aclose()


@asynccontextmanager
async def _watched(
    inner: AbstractAsyncContextManager[TransportStreams], on_end: Callable[[], None]
) -> AsyncIterator[TransportStreams]:
    async with inner as (read, write):
        yield _WatchedReadStream(read, on_end), write


@dataclass
class ClientOptions:
    """What every client of one mount shares: callbacks, timeouts, where stderr goes.

    Registering the elicitation, sampling and roots callbacks is what declares those
    capabilities to the server; ``log_level`` asks a 2026-07-28 server for its log
    messages (without it none arrive).
    """

    on_end: Callable[[], None]
    message_handler: MessageHandlerFnT
    logging_callback: LoggingFnT
    errlog: TextIO
    env: dict[str, str]
    command: str
    elicitation_callback: ElicitationFnT | None = None
    sampling_callback: SamplingFnT | None = None
    list_roots_callback: ListRootsFnT | None = None
    log_level: LoggingLevel | None = None
    auth: httpx2.Auth | None = None
    mode: str = "auto"

    def client(self, transport: AbstractAsyncContextManager[TransportStreams]) -> Client:
        """Return an SDK client over ``transport``, not yet entered."""
        return Client(
            _watched(transport, self.on_end),
            message_handler=self.message_handler,
            logging_callback=self.logging_callback,
            elicitation_callback=self.elicitation_callback,
            sampling_callback=self.sampling_callback,
            list_roots_callback=self.list_roots_callback,
            log_level=self.log_level,
            mode=self.mode,
            client_info=CLIENT_INFO,
            # MCP Apps: servers send their rich results; the text stays for the model.
            extensions=[advertise(EXTENSION_ID, advertised())],
            # Listings are refetched on list_changed; a response cache would only go stale.
            cache=None,
        )


async def open_client(
    stack: AsyncExitStack, config: ServerConfig, options: ClientOptions
) -> Client:
    """Connect to ``config``'s server inside ``stack`` and return the entered client.

    ``http`` tries streamable HTTP first and falls back to the older SSE transport, as the
    MCP specification suggests for servers of either generation.
    """
    if config.transport == "stdio":
        params = StdioServerParameters(
            command=options.command, args=list(config.args), env=options.env, cwd=config.cwd
        )
        transport = stdio_client(params, errlog=options.errlog)
        return await stack.enter_async_context(options.client(transport))
    url = config.url or ""
    headers = dict(config.headers)
    if config.transport == "sse":
        return await stack.enter_async_context(
            options.client(sse_client(url, headers=headers, auth=options.auth))
        )
    try:
        streamable = _streamable(url, headers, options.auth)
        return await stack.enter_async_context(options.client(streamable))
    except Exception as first:
        if unauthorized(first) or _sign_in_failure(first) is not None:
            raise  # a server that wants a sign-in is not an SSE server
        options.errlog.write(f"streamable HTTP failed ({describe_error(first)}); trying SSE\n")
        try:
            return await stack.enter_async_context(
                options.client(sse_client(url, headers=headers, auth=options.auth))
            )
        except Exception as second:
            raise OrchError(
                f"cannot connect: streamable HTTP: {describe_error(first)}; "
                f"SSE: {describe_error(second)}",
                "connection",
            ) from None


@asynccontextmanager
async def _streamable(
    url: str, headers: dict[str, str], auth: httpx2.Auth | None
) -> AsyncIterator[TransportStreams]:
    async with (
        create_mcp_http_client(headers=headers, auth=auth) as http,
        streamable_http_client(url, http_client=http) as streams,
    ):
        yield streams


def _sign_in_failure(exc: BaseException) -> OrchError | None:
    for inner in getattr(exc, "exceptions", ()) or ():
        found = _sign_in_failure(inner)
        if found is not None:
            return found
    if isinstance(exc, OrchError) and exc.kind == "auth":
        return exc
    cause = exc.__cause__ or exc.__context__
    return _sign_in_failure(cause) if cause is not None and cause is not exc else None


def unauthorized(exc: BaseException) -> bool:
    """Whether ``exc`` (or an error inside it) is an HTTP 401 from the server."""
    for inner in getattr(exc, "exceptions", ()) or ():
        if unauthorized(inner):
            return True
    if isinstance(exc, httpx2.HTTPStatusError):
        return exc.response.status_code == 401
    cause = exc.__cause__ or exc.__context__
    return cause is not None and cause is not exc and unauthorized(cause)


def describe_error(exc: BaseException) -> str:
    """Return one line for ``exc``, looking inside exception groups for the first real cause."""
    inner = getattr(exc, "exceptions", None)
    if inner:
        return describe_error(inner[0])
    if isinstance(exc, OrchError):
        return exc.message
    if isinstance(exc, FileNotFoundError) and exc.filename:
        return f"command not found: {exc.filename!r}"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


__all__ = ["ClientOptions", "IncomingMessage", "describe_error", "open_client", "unauthorized"]
