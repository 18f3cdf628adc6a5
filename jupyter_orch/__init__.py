"""jupyter-orch: a tool-using LLM orchestrator inside the Jupyter kernel.

``%load_ext jupyter_orch`` adds ``%%chat`` and ``%chat`` (and ``%mcp``). The package root stays
tiny: the IPython, widget, LiteLLM and MCP parts are imported only when they are used.
"""

from __future__ import annotations

from typing import Any

from ._version import __version__

__all__ = ["Chat", "__version__", "load_ipython_extension", "tool", "unload_ipython_extension"]


def load_ipython_extension(ipython: Any) -> None:
    """Load the extension (``%load_ext jupyter_orch``)."""
    from .ipython.loader import load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Unload the extension (``%unload_ext``), closing everything it opened."""
    from .ipython.loader import unload

    unload(ipython)


def __getattr__(name: str) -> Any:
    if name == "tool":
        from .tools.python.decorator import tool

        return tool
    if name == "Chat":
        from .api import Chat

        return Chat
    raise AttributeError(f"module 'jupyter_orch' has no attribute {name!r}")
