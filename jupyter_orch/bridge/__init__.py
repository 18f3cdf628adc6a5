"""The bridge between the kernel's orchestrator and the page (JupyterLab, Notebook 7).

``%load_ext jupyter_orch`` calls :func:`install`: it registers the comm target, announces the
kernel to open pages (no network, no process) and adds the status turn hook. Features check
:meth:`Bridge.offers` and fall back when no page offers what they need. See docs/bridge.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .bridge import Bridge, BridgeError, Handler
from .pages import Channel, Page
from .protocol import KERNEL_TARGET, PAGE_TARGET, PROTOCOL, card_class
from .status import StatusBoard

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
    """

    bridge: Bridge
    board: StatusBoard
    comms: Any = None


def install(ext: Any) -> BridgeSetup:
    """Give the loaded extension ``ext`` its bridge; in a kernel, open it to the pages.

    The status board joins the turn runner's hooks; nothing waits for a page.
    """
    from .._version import __version__

    bridge = Bridge({"jupyter_orch": __version__, "protocol": PROTOCOL})
    board = StatusBoard(bridge)
    ext.runner.hooks.append(board.hook)
    comms = None
    kernel = getattr(ext.shell, "kernel", None)
    if kernel is not None:
        from .comms import KernelComms

        # A frontend that can answer (allow_stdin) may have a page extension to tell.
        comms = KernelComms(bridge, announce=bool(getattr(kernel, "_allow_stdin", False)))
        comms.start()
    return BridgeSetup(bridge, board, comms)


def uninstall(ext: Any, setup: BridgeSetup) -> None:
    """Close the bridge: goodbye to the pages, target unregistered, hook removed."""
    if setup.board.hook in ext.runner.hooks:
        ext.runner.hooks.remove(setup.board.hook)
    setup.bridge.close_all("unloaded")
    if setup.comms is not None:
        setup.comms.stop()
