"""Servers that fail: a missing command, an early exit, silence, a crash mid-call, slowness."""

from __future__ import annotations

import asyncio
import time

from jupyter_orch.core.tools import Tool
from jupyter_orch.session import Session
from jupyter_orch.tools.mcp.config import ServerConfig
from jupyter_orch.tools.mcp.mounts import McpMounts
from tests.tools.mcp.conftest import Kit


def _tool(session: Session, name: str) -> Tool:
    tool = session.registry.get(name)
    assert tool is not None, session.registry.names()
    return tool


def test_a_command_that_does_not_exist_fails_at_once_with_a_clear_reason(kit: Kit) -> None:
    async def scenario() -> None:
        session = Session()
        server = await McpMounts(session).add(ServerConfig("ghost", "stdio", command="no-such-mcp"))
        assert server.state == "failed"
        assert server.error == "command not found: 'no-such-mcp' (not on PATH)"
        assert session.registry.names() == []
        await session.aclose()

    kit.run(scenario())


def test_a_server_that_exits_at_start_is_reported_with_the_tail_of_its_stderr(kit: Kit) -> None:
    async def scenario() -> None:
        session = Session()
        server = await McpMounts(session).add(kit.tiny("dies", "--exit-at-start", "2"))
        assert server.state == "failed"
        assert server.error == "the server exited before it finished starting"
        assert "fatal: cannot start (exit 2)" in server.stderr_at_failure
        assert "fatal: cannot start" in server.log_text()
        await session.aclose()

    kit.run(scenario())


def test_a_server_that_never_answers_fails_after_the_start_timeout(kit: Kit) -> None:
    async def scenario() -> float:
        session = Session()
        started = time.perf_counter()
        server = await McpMounts(session, start_timeout=0.5).add(kit.tiny("mute", "--hang-on-init"))
        took = time.perf_counter() - started
        assert server.state == "failed"
        assert server.error == "did not start within 0.5 s"
        assert "mute: starting" in server.stderr_at_failure
        await session.aclose()
        return took

    took = kit.run(scenario())
    assert took < 5, took


def test_a_crash_in_the_middle_of_a_call_is_an_error_result_and_restart_recovers(kit: Kit) -> None:
    async def scenario() -> None:
        session = Session()
        mounts = McpMounts(session)
        server = await mounts.add(kit.tiny())
        old_pid = server.pid
        crashed = await _tool(session, "crash").call({})
        assert crashed.is_error and "closed the connection" in crashed.text()
        await kit.until(lambda: server.state == "failed", what="the server marked failed")
        assert "crashing in the middle of a call" in server.stderr_at_failure
        after = await _tool(session, "echo").call({"message": "x"})
        assert after.is_error and "%mcp restart tiny" in after.text()
        await mounts.restart("tiny")
        assert server.state == "connected" and server.pid != old_pid
        assert (await _tool(session, "echo").call({"message": "x"})).content == "Echo: x"
        await session.aclose()

    kit.run(scenario())


def test_a_call_that_is_never_answered_times_out_as_an_error_result(kit: Kit) -> None:
    async def scenario() -> None:
        session = Session()
        await McpMounts(session, call_timeout=0.3).add(kit.tiny())
        result = await _tool(session, "hang").call({})
        assert result.is_error
        assert result.text() == "MCP server 'tiny' did not answer tools/call 'hang' within 0.3 s"
        assert (await _tool(session, "echo").call({"message": "still"})).content == "Echo: still"
        await session.aclose()

    kit.run(scenario())


def test_cancelling_a_call_tells_the_server_and_leaves_the_session_usable(kit: Kit) -> None:
    async def scenario() -> None:
        session = Session()
        server = await McpMounts(session).add(kit.tiny())
        call = asyncio.ensure_future(_tool(session, "hang").call({}))
        await kit.until(lambda: "hanging on this call" in server.log_text(), what="the call")
        call.cancel()
        try:
            await call
        except asyncio.CancelledError:
            pass
        else:
            raise AssertionError("the cancelled call returned")
        await kit.until(lambda: "tiny_server: cancelled" in server.log_text(), what="the cancel")
        assert server.state == "connected"
        assert (await _tool(session, "echo").call({"message": "on"})).content == "Echo: on"
        await session.aclose()

    kit.run(scenario())


def test_one_broken_server_does_not_hold_up_or_break_the_others(kit: Kit) -> None:
    async def scenario() -> None:
        session = Session()
        mounts = McpMounts(session, start_timeout=2)
        servers = await mounts.add_many(
            [
                kit.tiny("mute", "--hang-on-init"),
                kit.tiny("good"),
                ServerConfig("x", "stdio", command="nope"),
            ]
        )
        assert [s.state for s in servers] == ["failed", "connected", "failed"]
        good = servers[1]
        assert good.connect_seconds is not None and good.connect_seconds < 2
        assert (await _tool(session, "echo").call({"message": "x"})).content == "Echo: x"
        await session.aclose()

    kit.run(scenario())


def test_five_servers_connect_together_in_about_the_time_of_the_slowest(kit: Kit) -> None:
    configs = [kit.tiny(f"slow{i}", "--delay-start", "0.6") for i in range(5)]

    async def one_by_one() -> float:
        total = 0.0
        for config in configs:
            session = Session()
            started = time.perf_counter()
            (server,) = await McpMounts(session).add_many([config])
            total += time.perf_counter() - started
            assert server.state == "connected"
            await session.aclose()
        return total

    async def together(bound: int) -> float:
        session = Session()
        started = time.perf_counter()
        servers = await McpMounts(session, max_concurrent=bound).add_many(configs)
        took = time.perf_counter() - started
        assert [s.state for s in servers] == ["connected"] * 5
        await session.aclose()
        return took

    summed = kit.run(one_by_one())
    concurrent = kit.run(together(5))
    assert concurrent < 0.5 * summed, (concurrent, summed)
    # With a bound of one they start in turn: never faster than five start delays.
    assert kit.run(together(1)) >= 5 * 0.6
