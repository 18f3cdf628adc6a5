"""The retry settings both OpenAI-format providers take, and the pause between attempts."""

from __future__ import annotations

import asyncio

MAX_PAUSE = 8.0


class Retrying:
    """Retries after a 429 or 5xx before the first chunk arrives.

    A stream already under way is never retried: the user has seen part of it.

    Parameters
    ----------
    max_retries
        Retries after a 429 or 5xx before the first chunk arrives.
    retry_backoff
        Seconds before the first retry; doubled each time, at most 8 s.
    timeout
        Seconds to wait for the model (overridden by a ``timeout`` parameter).
    """

    def __init__(
        self, *, max_retries: int = 2, retry_backoff: float = 1.0, timeout: float = 120.0
    ) -> None:
        self.max_retries = max_retries
        self.retry_backoff = retry_backoff
        self.timeout = timeout

    def may_retry(self, attempt: int) -> bool:
        """Whether a failed ``attempt`` (counted from 0) leaves another one."""
        return attempt < self.max_retries

    async def pause(self, attempt: int) -> None:
        """Wait before the attempt after ``attempt``: the backoff, doubled each time."""
        await asyncio.sleep(min(self.retry_backoff * 2**attempt, MAX_PAUSE))
