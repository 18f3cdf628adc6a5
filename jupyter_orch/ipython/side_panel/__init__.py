"""The JupyterLab side panel's kernel side: bridge methods for threads, turns, tools, usage.

``%load_ext`` calls :func:`install` once the bridge is set up; with no page connected the
methods are simply never asked (see ``docs/bridge.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .service import SidePanel

if TYPE_CHECKING:
    from ..extension import Extension

__all__ = ["SidePanel", "install"]


def install(ext: Extension) -> SidePanel | None:
    """Register the panel's methods on the extension's bridge (``None`` without one)."""
    bridge = ext.bridge
    if bridge is None:
        return None
    panel = SidePanel(ext, bridge)
    panel.install()
    return panel
