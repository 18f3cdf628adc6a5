"""The bridge between the kernel's orchestrator and the page (JupyterLab, Notebook 7).

``%load_ext jupyter_orch`` calls :func:`install`: it registers the comm target, announces the
kernel to open pages (no network, no process) and adds the status turn hook. Features check
:meth:`Bridge.offers` and fall back when no page offers what they need. See docs/bridge.md.
"""

from __future__ import annotations

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
    "Channel",
    "Handler",
    "Page",
    "StatusBoard",
    "card_class",
    "current",
    "install",
    "uninstall",
]

_installed: tuple[Bridge, StatusBoard, Any] | None = None


def current() -> Bridge | None:
    """Return the loaded extension's bridge (``None`` before ``%load_ext``)."""
    return _installed[0] if _installed is not None else None


def install(ext: Any) -> Bridge:
    """Give the loaded extension ``ext`` its bridge; in a kernel, open it to the pages."""
    global _installed
    from .._version import __version__

    if _installed is not None:
        uninstall(ext)
    bridge = Bridge({"jupyter_orch": __version__, "protocol": PROTOCOL})
    board = StatusBoard(bridge)
    ext.turn_hooks.append(board.hook)
    comms = None
    if getattr(ext.shell, "kernel", None) is not None:
        from .comms import KernelComms

        comms = KernelComms(bridge)
        comms.start()
    _installed = (bridge, board, comms)
    return bridge


def uninstall(ext: Any) -> None:
    """Close the bridge: goodbye to the pages, target unregistered, hook removed."""
    global _installed
    if _installed is None:
        return
    bridge, board, comms = _installed
    _installed = None
    if board.hook in ext.turn_hooks:
        ext.turn_hooks.remove(board.hook)
    bridge.close_all("unloaded")
    if comms is not None:
        comms.stop()
