"""Running ``%%chat`` cells and async line magics as awaited code on the kernel's own loop.

ipykernel 7.4 handles widget messages while a cell runs only when the cell is async and
awaits. An input transformer rewrites a cell that begins with ``%%chat`` into a top-level
``await``, and a column-0 line of a registered async line magic (``%mcp ...``) likewise; the
cell then runs as a task on the kernel's loop, keeping "Run All" order. The rewritten code
reaches the handlers through a hidden name in the user's namespace, set while the extension
is loaded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from ..core.errors import UsageError

CellHandler = Callable[[str, str], Awaitable[object]]
LineHandler = Callable[[str], Awaitable[object]]
HANDLE = "__jupyter_orch_cells__"
"""The hidden user-namespace name of the loaded extension's :class:`AsyncMagics`."""


class AsyncMagics:
    """The async magics of one loaded extension, and the input transformer that calls them."""

    def __init__(self) -> None:
        self._cells: dict[str, CellHandler] = {}
        self._lines: dict[str, LineHandler] = {}

    def cell(self, name: str, handler: CellHandler) -> None:
        """Make cells beginning with ``%%name`` run ``await handler(line, body)``."""
        self._cells[name] = handler

    def line(self, name: str, handler: LineHandler) -> None:
        """Make column-0 lines ``%name args`` run ``await handler(args)``."""
        self._lines[name] = handler

    def install(self, shell: Any) -> None:
        """Put the transformer and the hidden handle into ``shell``."""
        shell.user_ns[HANDLE] = self
        shell.user_ns_hidden[HANDLE] = self
        if self.transform not in shell.input_transformers_cleanup:
            shell.input_transformers_cleanup.append(self.transform)

    def uninstall(self, shell: Any) -> None:
        """Take them out again."""
        if self.transform in shell.input_transformers_cleanup:
            shell.input_transformers_cleanup.remove(self.transform)
        for namespace in (shell.user_ns, shell.user_ns_hidden):
            if namespace.get(HANDLE) is self:
                del namespace[HANDLE]

    def transform(self, lines: list[str]) -> list[str]:
        """IPython input transformer (cleanup stage): rewrite our magics into awaits."""
        if not lines:
            return lines
        first = lines[0]
        if first.startswith("%%"):
            name, _, line = first[2:].rstrip("\n").partition(" ")
            if name in self._cells:
                args = f"{name!r}, {line.strip()!r}, {''.join(lines[1:])!r}"
                return [f"await {HANDLE}.run_cell({args})\n"]
            return lines
        return [self._rewrite_line(line) for line in lines]

    def _rewrite_line(self, line: str) -> str:
        if not line.startswith("%") or line.startswith("%%"):
            return line
        name, _, rest = line[1:].rstrip("\n").partition(" ")
        if name not in self._lines:
            return line
        return f"await {HANDLE}.run_line({name!r}, {rest.strip()!r})\n"

    async def run_cell(self, name: str, line: str, body: str) -> None:
        """Run the async handler of cell magic ``name`` (called by transformed cells)."""
        await self._cells[name](line, body)

    async def run_line(self, name: str, line: str) -> None:
        """Run the async handler of line magic ``name`` (called by transformed lines)."""
        await self._lines[name](line)


def run_sync(coro: Coroutine[Any, Any, object]) -> object:
    """Run ``coro`` from a synchronous magic call.

    Outside a running loop (``run_line_magic`` in a script, terminal IPython) it runs on
    IPython's own asyncio loop, the one top-level ``await`` uses, so tasks it starts live on.
    Inside a running loop it cannot block: the user is told how to call it instead.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        from IPython.core.async_helpers import get_asyncio_loop

        return get_asyncio_loop().run_until_complete(coro)
    coro.close()
    raise UsageError(
        "this magic awaits the event loop: put it at the start of a line in its own cell "
        "(not inside a block or a function), or use `await` with the Python API"
    )
