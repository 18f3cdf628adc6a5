"""Running ``%%chat`` cells and async line magics as awaited code on the kernel's own loop.

ipykernel 7.4 handles widget messages while a cell runs only when the cell is async and
awaits. An input transformer rewrites a cell that begins with ``%%chat`` into a top-level
``await``, and a column-0 line of a registered async line magic (``%mcp ...``) likewise; the
cell then runs as a task on the kernel's loop, keeping "Run All" order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from ..core.errors import UsageError

CellHandler = Callable[[str, str], Awaitable[object]]
LineHandler = Callable[[str], Awaitable[object]]

_cell_handlers: dict[str, CellHandler] = {}
_line_handlers: dict[str, LineHandler] = {}
_CALL = "await __import__('jupyter_orch.ipython.cells', fromlist=['_']).{fn}({args})\n"


def register_async_cell_magic(name: str, handler: CellHandler) -> None:
    """Make cells beginning with ``%%name`` run ``await handler(line, body)``."""
    _cell_handlers[name] = handler


def register_async_line_magic(name: str, handler: LineHandler) -> None:
    """Make column-0 lines ``%name args`` run ``await handler(args)``."""
    _line_handlers[name] = handler


def unregister(name: str) -> None:
    """Forget the async handlers called ``name``."""
    _cell_handlers.pop(name, None)
    _line_handlers.pop(name, None)


def transform(lines: list[str]) -> list[str]:
    """IPython input transformer (cleanup stage): rewrite our magics into awaits."""
    if not lines:
        return lines
    first = lines[0]
    if first.startswith("%%"):
        name, _, line = first[2:].rstrip("\n").partition(" ")
        if name in _cell_handlers:
            args = f"{name!r}, {line.strip()!r}, {''.join(lines[1:])!r}"
            return [_CALL.format(fn="run_cell", args=args)]
        return lines
    return [_rewrite_line(line) for line in lines]


def _rewrite_line(line: str) -> str:
    if not line.startswith("%") or line.startswith("%%"):
        return line
    name, _, rest = line[1:].rstrip("\n").partition(" ")
    if name not in _line_handlers:
        return line
    return _CALL.format(fn="run_line", args=f"{name!r}, {rest.strip()!r}")


async def run_cell(name: str, line: str, body: str) -> None:
    """Run the async handler of cell magic ``name`` (called by transformed cells)."""
    await _cell_handlers[name](line, body)


async def run_line(name: str, line: str) -> None:
    """Run the async handler of line magic ``name`` (called by transformed lines)."""
    await _line_handlers[name](line)


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
