"""Making Kernel > Interrupt reach an awaiting cell promptly.

ipykernel's SIGINT handler schedules its cancellation with a callback that does not wake an
idle event loop: a cell awaiting a click would not notice the interrupt until something else
woke the loop. A light ticker keeps the loop turning while a chat runs.
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
async def interruptible() -> AsyncIterator[None]:
    """Keep the loop awake (every 100 ms) for the duration of the block."""
    ticker = asyncio.ensure_future(_tick())
    try:
        yield
    finally:
        ticker.cancel()
