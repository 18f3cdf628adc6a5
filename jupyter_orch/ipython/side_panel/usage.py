"""Usage and models for the side panel: tokens and cost, the context gauge, the model list."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from ...core.messages import Usage
from ...core.thread import Thread, estimate_tokens
from ...session import Session
from .renderer import usage_data

RECENT_MODELS = 8

Window = Callable[[str], Awaitable[int | None]]
"""Returns a model's context window in tokens (``None`` when unknown)."""


async def usage(
    session: Session, name: str, model: str, window: Window, configured: int | None
) -> dict[str, Any]:
    """Return thread ``name``'s usage, the kernel's total, and how full the context is.

    The context's fill is the next request's estimated size (the system prompt, the
    instructions of mounted servers and the thread's messages) against the model's window:
    ``JupyterOrch.context_window`` when set, else what the provider knows of the model.
    """
    thread = session.threads.get(name) or Thread(name=name)
    total = Usage()
    for one in session.threads.values():
        total = total + one.usage
    messages = thread.request_messages(system_extra=session.system_extra())
    used = sum(estimate_tokens(m) for m in messages)
    size = configured or (await window(model) if model else None)
    return {
        "thread": name,
        "usage": usage_data(thread.usage),
        "all": usage_data(total),
        "context": {"used": used, "window": size, "model": model},
    }


def models(configured: str, threads: Iterable[Thread], used: Iterable[str]) -> dict[str, Any]:
    """Return the configured model and the models used recently (newest first)."""
    recent: list[str] = []
    seen = [turn.model for thread in threads for turn in thread.turns if turn.model]
    for model in [*reversed(list(used)), *reversed(seen)]:
        if model and model not in recent:
            recent.append(model)
    return {"configured": configured, "recent": recent[:RECENT_MODELS]}
