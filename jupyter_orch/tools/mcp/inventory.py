"""Listing what a server offers, page after page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from mcp.shared.exceptions import MCPError

from .log import ServerLog

_T = TypeVar("_T")
MAX_PAGES = 100


async def pages(
    fetch: Callable[[str | None], Awaitable[Any]], items: Callable[[Any], list[_T]]
) -> list[_T]:
    """Return the items of every page ``fetch(cursor)`` gives (at most :data:`MAX_PAGES`)."""
    found: list[_T] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        page = await fetch(cursor)
        found.extend(items(page))
        cursor = page.next_cursor
        if not cursor:
            break
    return found


async def listed_or_empty(
    log: ServerLog, fetch: Callable[[str | None], Awaitable[Any]], items: Callable[[Any], list[_T]]
) -> list[_T]:
    """Return :func:`pages`, or nothing when the server refuses (noted in ``log``).

    A server whose resources or prompts cannot be listed still has usable tools.
    """
    try:
        return await pages(fetch, items)
    except MCPError as exc:
        log.note(f"listing failed: {exc}")
        return []
