"""MCP round trips and connects outside any kernel: the bare SDK, and our adapter alone.

Run by case 4 as a subprocess; prints one JSON line::

    python -m benchmarks.mcp_bare --calls 200 --servers 5

``sdk``: ``mcp.Client`` over stdio to server-everything, ``echo`` called ``calls`` times;
one server connected, then ``servers`` connected together. ``adapter``: the same through
``McpMounts`` / ``McpTool`` (validation and result conversion included), no kernel.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EVERYTHING = (
    ROOT / "tests/support/npm/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
)
ARGS = {"message": "benchmark"}


def everything_command() -> list[str] | None:
    """``[node, index.js, "stdio"]`` for server-everything, or ``None`` if not installed."""
    node = shutil.which("node")
    if node is None or not EVERYTHING.is_file():
        return None
    return [node, str(EVERYTHING), "stdio"]


async def _sdk(calls: int, servers: int) -> dict[str, Any]:
    from mcp import Client, StdioServerParameters

    command = everything_command() or []
    params = StdioServerParameters(command=command[0], args=command[1:])
    out: dict[str, Any] = {}
    async with Client(params) as client:
        out["call_ms"] = await _timed(lambda: client.call_tool("echo", ARGS), calls)
    out["connect_one_s"] = await _connect_together(params, 1)
    out["connect_many_s"] = await _connect_together(params, servers)
    return out


async def _connect_together(params: Any, n: int) -> float:
    """Seconds until ``n`` clients, started at once, have connected and listed tools."""
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    readies: list[asyncio.Future[None]] = [loop.create_future() for _ in range(n)]
    started = time.perf_counter()
    # Each client lives in its own task: the SDK's contexts are left in the task that entered.
    tasks = [loop.create_task(_hold(params, ready, done)) for ready in readies]
    try:
        await asyncio.gather(*readies)
        return time.perf_counter() - started
    finally:
        done.set()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _hold(params: Any, ready: asyncio.Future[None], done: asyncio.Event) -> None:
    from mcp import Client

    try:
        async with Client(params) as client:
            await client.list_tools()
            ready.set_result(None)
            await done.wait()
    except Exception as exc:
        if ready.done():
            raise
        ready.set_exception(exc)


async def _adapter(calls: int) -> dict[str, Any]:
    from jupyter_orch.session import Session
    from jupyter_orch.tools.mcp.config import ServerConfig
    from jupyter_orch.tools.mcp.mounts import McpMounts

    command = everything_command() or []
    session = Session()
    mounts = McpMounts(session)
    config = ServerConfig("ev", "stdio", command=command[0], args=tuple(command[1:]))
    try:
        started = time.perf_counter()
        await mounts.add(config)
        connect = time.perf_counter() - started
        tool = session.registry.get("echo")
        if tool is None:
            raise RuntimeError("server-everything offered no echo tool")

        async def call() -> object:
            return await tool.call(tool.validate(dict(ARGS)))

        return {"connect_one_s": connect, "call_ms": await _timed(call, calls)}
    finally:
        await mounts.aclose()


async def _timed(call: Any, calls: int) -> list[float]:
    for _ in range(min(20, calls)):  # warm-up: schema validators, first-call paths
        await call()
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    """Measure the bare SDK and the adapter alone; print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--servers", type=int, default=5)
    args = parser.parse_args()
    if everything_command() is None:
        raise SystemExit("server-everything is not installed: npm ci --prefix tests/support/npm")
    result = {
        "sdk": asyncio.run(_sdk(args.calls, args.servers)),
        "adapter": asyncio.run(_adapter(args.calls)),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
