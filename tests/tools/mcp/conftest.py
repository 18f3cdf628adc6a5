"""Real MCP servers for the MCP adapter's tests, and a guard that none outlives its test.

Servers nobody here wrote: ``@modelcontextprotocol/server-everything`` (npm, pinned in
tests/support/npm; install with ``npm ci --prefix tests/support/npm``) and
``mcp-server-time`` (PyPI, in the test extra). Misbehaving ones of our own live in
``servers/tiny_server.py``.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import psutil
import pytest

from jupyter_orch.tools.mcp.config import ServerConfig

ROOT = Path(__file__).resolve().parents[3]
EVERYTHING = (
    ROOT / "tests/support/npm/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
)
BASIC_APP = (
    ROOT
    / "tests/support/npm/node_modules/@modelcontextprotocol/server-basic-vanillajs/dist/index.js"
)
TINY = Path(__file__).resolve().parent / "servers" / "tiny_server.py"
FEATURES = Path(__file__).resolve().parent / "servers" / "feature_server.py"
APPS = Path(__file__).resolve().parent / "servers" / "apps_server.py"
T = TypeVar("T")


class Kit:
    """What the MCP tests share: configs of real servers, running and waiting helpers."""

    tiny_path = TINY

    @staticmethod
    def everything(name: str = "everything", transport: str = "stdio") -> ServerConfig:
        """server-everything (``transport`` is its own launcher argument)."""
        node = shutil.which("node")
        if node is None or not EVERYTHING.is_file():
            pytest.fail("server-everything is not installed: run npm ci --prefix tests/support/npm")
        return ServerConfig(name, "stdio", command=node, args=(str(EVERYTHING), transport))

    @staticmethod
    def time(name: str = "time") -> ServerConfig:
        """mcp-server-time from this Python's environment."""
        command = Path(sys.executable).parent / "mcp-server-time"
        return ServerConfig(name, "stdio", command=str(command))

    @staticmethod
    def tiny(name: str = "tiny", *flags: str, **options: Any) -> ServerConfig:
        """Our misbehaving server, started with ``flags``."""
        args = (str(TINY), "--name", name, *flags)
        return ServerConfig(name, "stdio", command=sys.executable, args=args, **options)

    @staticmethod
    def features(name: str = "features", **options: Any) -> ServerConfig:
        """Our SDK server that asks, reports progress, logs, samples and changes its tools."""
        return ServerConfig(name, "stdio", command=sys.executable, args=(str(FEATURES),), **options)

    @staticmethod
    def apps(name: str = "counter", **options: Any) -> ServerConfig:
        """Our MCP App server on the SDK's ``mcp.server.apps`` (a counter and its app)."""
        return ServerConfig(name, "stdio", command=sys.executable, args=(str(APPS),), **options)

    @staticmethod
    def basic_app(name: str = "basic") -> ServerConfig:
        """``@modelcontextprotocol/server-basic-vanillajs``: ``get-time`` and its app (npm)."""
        node = shutil.which("node")
        if node is None or not BASIC_APP.is_file():
            pytest.fail(
                "server-basic-vanillajs is not installed: run npm ci --prefix tests/support/npm"
            )
        return ServerConfig(name, "stdio", command=node, args=(str(BASIC_APP), "--stdio"))

    @staticmethod
    def run(coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run ``coro`` on a fresh loop; fail if it takes longer than ``timeout``."""

        async def bounded() -> T:
            return await asyncio.wait_for(coro, timeout)

        return asyncio.run(bounded())

    @staticmethod
    async def until(condition: Callable[[], bool], timeout: float = 10, what: str = "") -> None:
        """Wait until ``condition()`` holds, checking between loop turns, up to ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            if loop.time() > deadline:
                raise AssertionError(f"timed out waiting for {what or condition}")
            await asyncio.sleep(0.01)


@pytest.fixture
def kit() -> Kit:
    return Kit()


def descendants() -> set[int]:
    """PIDs of this process's live descendants (zombies excluded)."""
    alive = set()
    for proc in psutil.Process().children(recursive=True):
        try:
            if proc.status() != psutil.STATUS_ZOMBIE:
                alive.add(proc.pid)
        except psutil.Error:
            continue
    return alive


@pytest.fixture(autouse=True)
def no_server_outlives_its_test() -> Iterator[None]:
    """Fail a test that leaves a child process behind (the servers must all be closed)."""
    before = descendants()
    yield
    left = [psutil.Process(pid) for pid in descendants() - before if psutil.pid_exists(pid)]
    _, alive = psutil.wait_procs(left, timeout=5)
    names = []
    for proc in alive:
        try:
            names.append(f"{proc.pid} {' '.join(proc.cmdline())}")
        finally:
            proc.kill()
    assert not names, f"processes left behind: {names}"
