"""Capturing what one task prints, and only that task.

``contextlib.redirect_stdout`` swaps the process-wide ``sys.stdout``: held across an
``await``, it would take the output of every other task (a chat panel's turn, a tool in a
worker thread) too. :func:`captured` instead installs, once, a thin router in front of the
streams; writes from the capturing task (and what it starts) go to its buffers, every other
write goes where it went before.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any, TextIO

_targets: ContextVar[tuple[io.StringIO, io.StringIO] | None] = ContextVar(
    "jupyter_orch_capture", default=None
)


class _Router(io.TextIOBase):
    """Writes to the capturing task's buffer, or to the stream it stands in front of."""

    def __init__(self, index: int, fallback: TextIO) -> None:
        super().__init__()
        self._index = index
        self.fallback = fallback

    def write(self, text: str) -> int:
        targets = _targets.get()
        if targets is not None:
            return targets[self._index].write(text)
        return self.fallback.write(text)

    def flush(self) -> None:
        if _targets.get() is None:
            self.fallback.flush()

    def __getattr__(self, name: str) -> Any:
        # Everything else (encoding, fileno, isatty, ipykernel's own attributes) is the
        # real stream's.
        return getattr(self.fallback, name)


def _install() -> None:
    if not isinstance(sys.stdout, _Router):
        sys.stdout = _Router(0, sys.stdout)
    if not isinstance(sys.stderr, _Router):
        sys.stderr = _Router(1, sys.stderr)


@contextlib.contextmanager
def captured() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """Capture what this task prints inside the block; yield its stdout and stderr buffers."""
    _install()
    buffers = (io.StringIO(), io.StringIO())
    token = _targets.set(buffers)
    try:
        yield buffers
    finally:
        _targets.reset(token)
