"""Servers reached by URL: streamable HTTP, and the older SSE transport as a fallback."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest

from jupyter_orch.session import Session
from jupyter_orch.tools.mcp.config import ServerConfig
from jupyter_orch.tools.mcp.mounts import McpMounts
from tests.tools.mcp.conftest import Kit


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the HTTP server exited"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port} after {timeout} s")


@pytest.fixture(params=["streamableHttp", "sse"])
def http_everything(request: pytest.FixtureRequest, kit: Kit) -> Iterator[tuple[str, str]]:
    """server-everything listening on 127.0.0.1; yields (mode, base URL)."""
    stdio = kit.everything()
    port = _free_port()
    proc = subprocess.Popen(
        [str(stdio.command), stdio.args[0], request.param],
        env={"PATH": os.environ["PATH"], "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, proc)
        yield request.param, f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_server_is_reached_by_url_over_streamable_http_or_sse(
    http_everything: tuple[str, str], kit: Kit
) -> None:
    mode, base = http_everything
    url = f"{base}/mcp" if mode == "streamableHttp" else f"{base}/sse"

    async def scenario() -> None:
        session = Session()
        mounts = McpMounts(session)
        # "http" tries streamable HTTP first; an SSE-only server is reached by the fallback.
        server = await mounts.add(ServerConfig("web", "http", url=url, headers={"X-Test": "1"}))
        assert server.state == "connected", (server.error, server.log_text())
        echo = session.registry.get("echo")
        assert echo is not None and echo.spec.source == "mcp:web"
        assert (await echo.call({"message": "over http"})).content == "Echo: over http"
        if mode == "sse":
            assert "trying SSE" in server.log_text()
        await session.aclose()

    kit.run(scenario())


def test_an_url_where_nothing_listens_fails_with_both_transports_named(kit: Kit) -> None:
    url = f"http://127.0.0.1:{_free_port()}/mcp"

    async def scenario() -> None:
        session = Session()
        server = await McpMounts(session, start_timeout=10).add(
            ServerConfig("off", "http", url=url)
        )
        assert server.state == "failed"
        assert server.error is not None
        assert server.error.startswith("cannot connect: streamable HTTP: ConnectError")
        assert "; SSE: " in server.error
        await session.aclose()

    kit.run(scenario())
