"""Tools decorated with ``@jupyter_orch.tool``, on their way to the loaded extension.

The decorator knows nothing of the extension: it puts the tool here, and the extension takes
the queue's tools into its session at ``%load_ext``, before each turn and for ``%chat tools``.
This module stays light (no pydantic): ``%load_ext`` imports it to drain the queue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jupyter_orch.session import Session

if TYPE_CHECKING:
    from .functions import FunctionTool

# Tools decorated and not yet taken by a loaded extension.
PENDING: list[FunctionTool] = []


def register(session: Session, made: FunctionTool) -> None:
    """Add ``made`` to ``session``; a policy given to the decorator becomes a per-tool setting."""
    session.registry.add(made)
    if made.spec.default_policy is not None:
        session.policy.per_tool[made.spec.name] = made.spec.default_policy


def drain_pending() -> list[FunctionTool]:
    """Return the tools decorated since the last drain, and forget them."""
    drained = list(PENDING)
    PENDING.clear()
    return drained


def install_pending(session: Session) -> list[FunctionTool]:
    """Register every pending tool into ``session`` (what the extension does before a turn)."""
    drained = drain_pending()
    for made in drained:
        register(session, made)
    return drained


def queue(made: FunctionTool) -> None:
    """Keep ``made`` until an extension takes it."""
    # A re-run cell redefines the function: the newer tool replaces the older one.
    PENDING[:] = [t for t in PENDING if t.spec.name != made.spec.name]
    PENDING.append(made)
