"""Listing what a server offers, page after page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import Prompt, Resource, ResourceTemplate, Tool

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


@dataclass
class Inventory:
    """What a server offers: its tools, resources, resource templates and prompts."""

    tools: list[Tool] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    templates: list[ResourceTemplate] = field(default_factory=list)
    prompts: list[Prompt] = field(default_factory=list)

    @classmethod
    async def of(cls, client: Client, log: ServerLog) -> Inventory:
        """List what ``client``'s server declares; what it does not offer stays empty."""
        caps = client.server_capabilities
        found = cls()
        if caps.tools is not None:
            found.tools = await pages(lambda c: client.list_tools(cursor=c), lambda p: p.tools)
        if caps.resources is not None:
            found.resources = await listed_or_empty(
                log, lambda c: client.list_resources(cursor=c), lambda p: p.resources
            )
            found.templates = await listed_or_empty(
                log,
                lambda c: client.list_resource_templates(cursor=c),
                lambda p: p.resource_templates,
            )
        if caps.prompts is not None:
            found.prompts = await listed_or_empty(
                log, lambda c: client.list_prompts(cursor=c), lambda p: p.prompts
            )
        return found
