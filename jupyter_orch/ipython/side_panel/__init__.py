"""The JupyterLab side panel's kernel side: bridge methods for threads, turns, tools, usage.

``%load_ext`` calls :func:`install` once the bridge is set up. Loading stays light: the
methods are registered by name, and the code that answers them (:mod:`.service`) is imported
at the first request. With no page connected they are never asked (``docs/bridge.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .hook import METHODS, ThreadHook

if TYPE_CHECKING:
    from ...bridge import Bridge, Page
    from ...turns import TurnStart
    from ..extension import Extension
    from .service import SidePanel

__all__ = ["METHODS", "PanelMethods", "install"]


def install(ext: Extension) -> PanelMethods | None:
    """Register the panel's methods on the extension's bridge (``None`` without one)."""
    bridge = ext.bridge
    if bridge is None:
        return None
    methods = PanelMethods(ext, bridge)
    for name in METHODS:
        bridge.on_request(name, methods.handler(name))
    ext.runner.hooks.append(methods.hook)
    ext.panels.append(methods)  # its running turns stop with the extension
    return methods


class PanelMethods:
    """The panel's methods on one bridge, answered by a :class:`SidePanel` made on first use.

    Parameters
    ----------
    ext
        The loaded extension.
    bridge
        The channel to the pages.
    """

    def __init__(self, ext: Extension, bridge: Bridge) -> None:
        self.ext = ext
        self.bridge = bridge
        self._panel: SidePanel | None = None

    @property
    def panel(self) -> SidePanel:
        """The object that answers the methods (made at the first request)."""
        if self._panel is None:
            from .service import SidePanel

            self._panel = SidePanel(self.ext, self.bridge)
        return self._panel

    def handler(self, name: str) -> Any:
        """Return the bridge handler of method ``name``."""

        def answer(params: Any, page: Page) -> Any:
            return self.panel.handlers()[name](params, page)

        return answer

    def hook(self, start: TurnStart) -> ThreadHook:
        """Turn-hook factory: tells the pages when a turn starts and ends on a thread."""
        return ThreadHook(self.bridge, start)

    def stop(self) -> None:
        """Cancel the panel's running turns (``%unload_ext``)."""
        if self._panel is not None:
            self._panel.stop()
