"""A server's log file: its stderr goes there, never to the kernel's terminal."""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from pathlib import Path
from typing import TextIO

_CURRENT: ContextVar[ServerLog | None] = ContextVar("jupyter_orch_mcp_log", default=None)


class ServerLog:
    """The log of one mounted server: the child's stderr plus our notes about it.

    Parameters
    ----------
    path
        The file; each start appends a header line, so earlier runs stay readable.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._run_start = 0

    def open_run(self, target: str) -> TextIO:
        """Open the file for a new run of the server (its stderr); mark where the run begins."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        log = self.path.open("a", encoding="utf-8", buffering=1)
        log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting {target}\n")
        self._run_start = log.tell()
        return log

    def note(self, text: str) -> None:
        """Append one line of our own."""
        try:
            with self.path.open("a", encoding="utf-8") as log:
                log.write(f"[jupyter-orch] {text}\n")
        except OSError:
            pass  # a note about the server must never break the server

    def text(self, max_chars: int = 50_000) -> str:
        """Return the end of the log."""
        try:
            return self.path.read_text(encoding="utf-8", errors="replace")[-max_chars:]
        except OSError:
            return ""

    def tail(self, lines: int = 10) -> str:
        """Return the last ``lines`` lines written since the current run began."""
        try:
            with self.path.open("rb") as log:
                log.seek(self._run_start)
                text = log.read().decode("utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.rstrip().splitlines()[-lines:])


class _SdkLogHandler(logging.Handler):
    """Writes the SDK's own log records to the log of the server they are about."""

    def emit(self, record: logging.LogRecord) -> None:
        log = _CURRENT.get()
        if log is None:
            return  # not about a mounted server: nowhere useful to show it
        text = record.getMessage().splitlines()
        cause = record.exc_info[1] if record.exc_info else None
        why = f": {type(cause).__name__}: {str(cause).splitlines()[0] if str(cause) else ''}"
        log.note(f"sdk {record.levelname.lower()}: {text[0] if text else ''}{why if cause else ''}")


_HANDLER = _SdkLogHandler(logging.WARNING)


def route_sdk_logs() -> None:
    """Send the SDK's warnings to the servers' logs, never to the kernel's output.

    A server that prints garbage on its stdout makes the SDK log a traceback per line;
    in a notebook that traceback would land in whatever cell runs.
    """
    sdk = logging.getLogger("mcp")
    if _HANDLER not in sdk.handlers:
        sdk.addHandler(_HANDLER)
        sdk.propagate = False


def log_here(log: ServerLog) -> None:
    """Route the SDK's records made in the calling task (and tasks it starts) to ``log``."""
    _CURRENT.set(log)
