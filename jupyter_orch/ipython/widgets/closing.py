"""Closing widgets when a turn ends, so their comms and models do not pile up in the kernel."""

from __future__ import annotations

from typing import Any

import ipywidgets as w


def close_tree(widget: Any) -> None:
    """Close ``widget`` and every widget under it, their layouts and styles included."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    parts = [getattr(widget, name, None) for name in ("layout", "style")]
    widget.close()
    for part in parts:
        if isinstance(part, w.Widget):
            part.close()
