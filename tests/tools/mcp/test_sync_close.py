"""Kernel shutdown: the servers are killed with no event loop running."""

from __future__ import annotations

import asyncio

import psutil

from jupyter_orch.session import Session
from jupyter_orch.tools.mcp.mounts import McpMounts
from tests.tools.mcp.conftest import Kit


def test_close_now_kills_every_server_process_without_a_running_loop(kit: Kit) -> None:
    loop = asyncio.new_event_loop()
    try:
        session = Session()
        mounts = McpMounts(session)
        servers = loop.run_until_complete(
            mounts.add_many([kit.everything(), kit.time(), kit.tiny()])
        )
        assert [s.state for s in servers] == ["connected"] * 3
        processes = [psutil.Process(s.pid) for s in servers if s.pid is not None]
        assert len(processes) == 3
        session.close_now()  # as atexit does: the loop is not running
        _, alive = psutil.wait_procs(processes, timeout=5)
        assert alive == []
        assert session.registry.names() == [] and not mounts.log_dir.exists()
    finally:
        # The owner tasks notice their servers are gone once the loop runs again.
        pending = asyncio.all_tasks(loop)
        if pending:
            loop.run_until_complete(asyncio.wait(pending, timeout=15))
        loop.close()
