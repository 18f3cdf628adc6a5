"""Tools decorated before the extension loads, kept until it does.

This module stays light (no pydantic): ``%load_ext`` imports it to drain the queue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jupyter_orch.session import Session

if TYPE_CHECKING:
    from .functions import FunctionTool

# Tools decorated before the extension was loaded; the extension adds them at load.
PENDING: list[FunctionTool] = []


def register(session: Session, made: FunctionTool) -> None:
    """Add ``made`` to ``session``; a policy given to the decorator becomes a per-tool setting."""
    session.registry.add(made)
    if made.spec.default_policy is not None:
        session.policy.per_tool[made.spec.name] = made.spec.default_policy


def drain_pending() -> list[FunctionTool]:
    """Return the tools decorated before the extension loaded, and forget them."""
    drained = list(PENDING)
    PENDING.clear()
    return drained


def install_pending(session: Session) -> list[FunctionTool]:
    """Register every pending tool into ``session`` (what the extension does at load)."""
    drained = drain_pending()
    for made in drained:
        register(session, made)
    return drained


def queue(made: FunctionTool) -> None:
    """Keep ``made`` until the extension loads."""
    # A re-run cell redefines the function: the newer tool replaces the older one.
    PENDING[:] = [t for t in PENDING if t.spec.name != made.spec.name]
    PENDING.append(made)
