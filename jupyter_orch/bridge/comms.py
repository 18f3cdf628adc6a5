"""The bridge over Jupyter comms (ipykernel): the kernel's target and its announcement.

JupyterLab 4.4+ sends comm messages on a kernel subshell when the kernel has them
(ipykernel 7: one thread and event loop per subshell). The bridge, the turns and the MCP
sessions live on the main shell's loop, so every message is handed to that loop: a
decision or an app's request that arrived on a subshell's thread would otherwise settle
the main loop's futures from another thread, unseen until something else woke it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from .bridge import Bridge
from .protocol import KERNEL_TARGET, PAGE_TARGET, PROTOCOL


class _CommChannel:
    """A :class:`~jupyter_orch.bridge.pages.Channel` over one comm."""

    def __init__(self, comm: Any) -> None:
        self.comm = comm

    def send(self, data: dict[str, Any]) -> None:
        self.comm.send(data)

    def close(self, data: dict[str, Any] | None = None) -> None:
        self.comm.close(data)


class KernelComms:
    """Connects a :class:`Bridge` to the kernel's comm manager.

    Parameters
    ----------
    bridge
        The bridge that the pages' comms feed.
    """

    def __init__(self, bridge: Bridge, *, announce: bool = True) -> None:
        self.bridge = bridge
        self.announce = announce
        self._comms: dict[str, Any] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        """Register the kernel's target and announce the kernel to the open pages.

        Called on the main shell's thread (``%load_ext``): its loop is the bridge's. Headless
        runs (nbclient, papermill, nbconvert) have no page: nothing is announced there, so
        their consoles stay free of "no handler for comm target" warnings.
        """
        import comm

        self._loop = _running_loop()
        comm.get_comm_manager().register_target(KERNEL_TARGET, self._opened)
        if self.announce:
            self._announce(comm)

    def stop(self) -> None:
        """Unregister the target; the bridge says goodbye to the pages itself."""
        import comm

        with contextlib.suppress(KeyError):  # never registered (start failed)
            comm.get_comm_manager().unregister_target(KERNEL_TARGET, self._opened)

    def _announce(self, comm: Any) -> None:
        # Pages that loaded before %load_ext have nothing to connect to yet: a short comm to
        # their target tells them to open theirs. A frontend without it just closes it.
        note = comm.create_comm(
            target_name=PAGE_TARGET,
            data={"protocol": PROTOCOL, "kernel": self.bridge.kernel},
        )
        note.close()

    def _opened(self, comm: Any, message: dict[str, Any]) -> None:
        # JupyterLab 4.4+ sends a comm's messages to a kernel subshell, which ipykernel 7
        # handles on a thread (and event loop) of its own; the bridge's state, its tasks and
        # the turns it starts belong to the kernel's main loop. ipykernel routes a comm's
        # later messages to the subshell its `_reply_subshell_for` names: the main shell.
        comm._reply_subshell_for = lambda data, default: None
        comm_id = str(comm.comm_id)
        self._comms[comm_id] = comm
        comm.on_msg(lambda msg: self._on_main(self.bridge.receive, comm_id, msg["content"]["data"]))
        comm.on_close(lambda _msg: self._on_main(self._closed, comm_id))
        data = message.get("content", {}).get("data")
        self._on_main(self.bridge.open, comm_id, _CommChannel(comm), data)

    def _on_main(self, action: Callable[..., Any], *args: Any) -> None:
        """Run ``action`` on the main shell's loop (now, when already there)."""
        loop = self._loop
        if loop is None or loop.is_closed() or _running_loop() is loop:
            action(*args)
        else:
            loop.call_soon_threadsafe(action, *args)

    def _closed(self, comm_id: str) -> None:
        self._comms.pop(comm_id, None)
        self.bridge.closed(comm_id)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
