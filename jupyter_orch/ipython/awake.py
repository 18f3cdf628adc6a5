"""Keeping the kernel's event loop turning while a turn waits.

ipykernel's SIGINT handler schedules its cancellation with a callback that does not wake an
idle event loop, and a widget click's callback alone does not wake it either: a cell or a
panel turn awaiting a click would not notice the interrupt (or the click) until something
else woke the loop. A light ticker keeps the loop turning while a turn runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

TICK_SECONDS = 0.1


async def _tick() -> None:
    while True:
        await asyncio.sleep(TICK_SECONDS)


@asynccontextmanager
async def loop_awake() -> AsyncIterator[None]:
    """Keep the loop awake (every 100 ms) for the duration of the block."""
    ticker = asyncio.ensure_future(_tick())
    try:
        yield
    finally:
        ticker.cancel()
