"""The project's fake OpenAI server, scripted per request and timed on this process's clock.

Times are ``time.monotonic()`` of the benchmark process: the server runs in a thread here,
and the benchmark's iopub reader stamps each kernel message with the same clock when it
arrives, so "first visible token minus first byte" needs no clock conversion.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

from jupyter_orch.testing.openai_server import OpenAIServer, Reply

MODEL = "bench"


class BenchServer:
    """An :class:`OpenAIServer` whose replies are queued here and whose requests are timed.

    Every request reaches :meth:`_respond` (the server's queue stays empty), which records
    when it arrived and takes the next reply, or answers ``ok`` when none is queued.
    """

    def __init__(self) -> None:
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self.arrivals: list[float] = []
        self.server = OpenAIServer(self._respond, model=MODEL)

    @property
    def url(self) -> str:
        """The base URL (``.../v1``) for ``api_base`` / ``base_url``."""
        return self.server.url

    @property
    def count(self) -> int:
        """How many chat requests arrived so far."""
        with self._lock:
            return len(self.arrivals)

    def expect(self, *replies: Reply) -> None:
        """Queue the replies of the next requests, in order."""
        with self._lock:
            self._replies.extend(replies)

    def first_byte(self, index: int, timeout: float = 30.0) -> float:
        """Return when the first body byte of response ``index`` (0-based) was written."""
        deadline = time.monotonic() + timeout
        while True:
            times = self.server.first_byte_times
            if len(times) > index:
                return times[index]
            if time.monotonic() > deadline:
                raise TimeoutError(f"response {index} never started ({len(times)} did)")
            time.sleep(0.005)  # polling a list filled by the server's thread

    def last_byte(self, index: int) -> float | None:
        """When the last piece of response ``index`` was written, if the server records it.

        ``OpenAIServer`` records only first bytes today; see :func:`paced_last_piece`.
        """
        times = getattr(self.server, "last_byte_times", None)
        if times is None or len(times) <= index:
            return None
        return float(times[index])

    def close(self) -> None:
        """Stop the server."""
        self.server.stop()

    def __enter__(self) -> BenchServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _respond(self, request: dict[str, Any]) -> Reply:
        with self._lock:
            self.arrivals.append(time.monotonic())
            return self._replies.popleft() if self._replies else Reply.text("ok")


def paced_last_piece(first_byte: float, pieces: int, rate: float) -> float:
    """When a paced server sends its last piece: piece ``i`` leaves at ``start + i / rate``.

    The server writes piece 0 at once and sleeps until each later piece's time, so the
    schedule is exact to the wake-up jitter of a sleeping thread.
    """
    return first_byte + (pieces - 1) / rate
