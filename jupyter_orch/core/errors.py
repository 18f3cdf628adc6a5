"""Errors with a one-line message meant for the notebook user."""

from __future__ import annotations

from typing import Literal

ErrorKind = Literal[
    "config",
    "no_model",
    "unknown_model",
    "missing_key",
    "auth",
    "rate_limit",
    "timeout",
    "connection",
    "stream_cut",
    "bad_request",
    "context_window",
    "provider",
    "usage",
]


class OrchError(Exception):
    """Base of every error jupyter-orch reports to the user in one line.

    Parameters
    ----------
    message
        One line, naming what went wrong and, where possible, what to do.
    kind
        A stable tag tests and renderers can branch on.
    """

    def __init__(self, message: str, kind: ErrorKind = "config") -> None:
        super().__init__(message)
        self.message = message
        self.kind: ErrorKind = kind

    def __str__(self) -> str:
        return self.message


class ProviderError(OrchError):
    """A provider call failed (auth, rate limit, timeout, connection, unknown model...).

    Parameters
    ----------
    message
        One line for the user.
    kind
        The failure's tag.
    retryable
        Whether trying the same call again later may succeed (429 and 5xx).
    """

    def __init__(self, message: str, kind: ErrorKind = "provider", retryable: bool = False) -> None:
        super().__init__(message, kind)
        self.retryable = retryable


class UsageError(OrchError):
    """The user asked for something malformed (bad option, missing ``{var}``, unknown tool)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "usage")
