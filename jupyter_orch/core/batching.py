"""Streamed text in batches: the first piece at once, then at most ``hz`` sends a second."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class TextBatcher:
    """Collect pieces of text and hand them on joined, throttled.

    Parameters
    ----------
    send
        Called with the text that arrived since the last send (never empty).
    hz
        Sends per second at most after the first; 0 sends every piece at once.
    """

    def __init__(self, send: Callable[[str], None], hz: float) -> None:
        self._send = send
        self._interval = 1.0 / hz if hz > 0 else 0.0
        self._pending: list[str] = []
        self._last = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self.sends = 0

    def add(self, text: str) -> None:
        """Take a piece of text; it is sent now (the first one) or at the next tick."""
        if not text:
            return
        self._pending.append(text)
        wait = self._last + self._interval - time.monotonic()
        if self.sends == 0 or wait <= 0:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(wait, self.flush)

    def flush(self) -> None:
        """Send what arrived since the last send, if anything did."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        text = "".join(self._pending)
        self._pending.clear()
        self._send(text)
        self._last = time.monotonic()
        self.sends += 1
