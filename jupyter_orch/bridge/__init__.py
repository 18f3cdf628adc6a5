"""The bridge between the kernel's orchestrator and the page (JupyterLab, Notebook 7).

``%load_ext jupyter_orch`` calls :func:`install`: it registers the comm target, announces the
kernel to open pages (no network, no process) and adds the status turn hook. Features check
:meth:`Bridge.offers` and fall back when no page offers what they need. See docs/bridge.md.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .bridge import Bridge, BridgeError, Handler
from .pages import Channel, Page
from .protocol import KERNEL_TARGET, PAGE_TARGET, PROTOCOL, card_class
from .status import StatusBoard

if TYPE_CHECKING:
    from ..tools.mcp.app_host import McpAppHost

__all__ = [
    "KERNEL_TARGET",
    "PAGE_TARGET",
    "PROTOCOL",
    "Bridge",
    "BridgeError",
    "BridgeSetup",
    "Channel",
    "Handler",
    "Page",
    "StatusBoard",
    "card_class",
    "install",
    "uninstall",
]


@dataclass
class BridgeSetup:
    """The bridge of one loaded extension, with what serves it.

    Parameters
    ----------
    bridge
        The channel to the pages.
    board
        The status board (a turn hook, and the page's ``approval.decide``).
    comms
        The kernel's comm target, in a kernel (``None`` in terminal IPython).
    apps
        The host of MCP Apps (the page's ``mcp_apps.*`` requests; a turn hook).
    """

    bridge: Bridge
    board: StatusBoard
    comms: Any = None
    apps: McpAppHost | None = None


def install(ext: Any) -> BridgeSetup:
    """Give the loaded extension ``ext`` its bridge; in a kernel, open it to the pages.

    The status board and the MCP Apps host join the turn runner's hooks; nothing waits
    for a page.
    """
    from .._version import __version__

    bridge = Bridge({"jupyter_orch": __version__, "protocol": PROTOCOL})
    board = StatusBoard(bridge)
    ext.runner.hooks.append(board.hook)
    apps = _install_apps(ext, bridge, board)
    comms = None
    kernel = getattr(ext.shell, "kernel", None)
    if kernel is not None:
        from .comms import KernelComms

        # A frontend that can answer (allow_stdin) may have a page extension to tell.
        comms = KernelComms(bridge, announce=bool(getattr(kernel, "_allow_stdin", False)))
        comms.start()
    return BridgeSetup(bridge, board, comms, apps)


def _install_apps(ext: Any, bridge: Bridge, board: StatusBoard) -> McpAppHost:
    from ..tools.mcp.app_calls import CallLimits
    from ..tools.mcp.app_host import McpAppHost

    def limits() -> CallLimits:
        settings = ext.runner.settings
        return CallLimits(settings.tool_timeout, settings.approval_ttl)

    session = ext.session
    apps = McpAppHost(
        bridge, session.policy, offered=lambda: session.registry, board=board, limits=limits
    )
    ext.runner.hooks.append(apps.hook)
    ext.shell.events.register("pre_run_cell", apps.pre_run_cell)
    return apps


def uninstall(ext: Any, setup: BridgeSetup) -> None:
    """Close the bridge: apps closed, goodbye to the pages, target unregistered, hooks removed."""
    if setup.board.hook in ext.runner.hooks:
        ext.runner.hooks.remove(setup.board.hook)
    if setup.apps is not None:
        setup.apps.close_all("the extension was unloaded")
        if setup.apps.hook in ext.runner.hooks:
            ext.runner.hooks.remove(setup.apps.hook)
        with contextlib.suppress(ValueError):  # already unregistered
            ext.shell.events.unregister("pre_run_cell", setup.apps.pre_run_cell)
    setup.bridge.close_all("unloaded")
    if setup.comms is not None:
        setup.comms.stop()
