"""Turning litellm's exceptions into one-line :class:`ProviderError` messages."""

from __future__ import annotations

import re
from typing import Any

from ...core.errors import ErrorKind, ProviderError
from ...core.redaction import Redactor

_PREFIX = re.compile(r"^(litellm\.)?\w+(Error|Exception)?:\s*(\w+(Error|Exception):\s*)?")
_VENDOR = re.compile(r"^\w+Exception\s*-\s*")

_KINDS: tuple[tuple[str, ErrorKind, bool], ...] = (
    ("ContextWindowExceededError", "context_window", False),
    ("AuthenticationError", "auth", False),
    ("PermissionDeniedError", "auth", False),
    ("RateLimitError", "rate_limit", True),
    ("Timeout", "timeout", False),
    ("NotFoundError", "unknown_model", False),
    ("InternalServerError", "provider", True),
    ("ServiceUnavailableError", "provider", True),
    ("BadGatewayError", "provider", True),
    ("APIConnectionError", "connection", False),
    ("BadRequestError", "bad_request", False),
)


def clean_message(exc: BaseException) -> str:
    """Return the first meaningful line of a litellm error, without its prefixes."""
    text = str(exc).strip() or type(exc).__name__
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), text)
    line = _VENDOR.sub("", _PREFIX.sub("", line, count=1)).strip()
    line = line.removeprefix("Error code: ").strip()
    return line[:300]


def redact(text: str, params: dict[str, Any]) -> str:
    """Hide secrets in an error text: keys in ``params``, secret environment values, key shapes."""
    return Redactor.build(params=params).text(text)


def to_provider_error(exc: BaseException, model: str, params: dict[str, Any]) -> ProviderError:
    """Map a litellm exception to a one-line :class:`ProviderError`."""
    carried = getattr(exc, "orch_error", None)
    if isinstance(carried, ProviderError):
        return carried  # the local provider's own one-line message, carried through litellm
    names = {c.__name__ for c in type(exc).__mro__}
    detail = redact(clean_message(exc), params)
    if "Connection error" in detail or "Connection refused" in detail:
        # litellm reports a refused connection as a 500; retrying it only delays the news.
        return ProviderError(sentence("connection", model, detail, params), "connection")
    if "LLM Provider NOT provided" in str(exc):
        return ProviderError(
            sentence("unknown_model", model, "no such provider", params), "unknown_model"
        )
    for name, kind, retryable in _KINDS:
        if name in names:
            return ProviderError(sentence(kind, model, detail, params), kind, retryable)
    status = getattr(exc, "status_code", None)
    retryable = isinstance(status, int) and (status == 429 or status >= 500)
    return ProviderError(f"{model}: {detail}", "provider", retryable)


def sentence(kind: ErrorKind, model: str, detail: str, params: dict[str, Any]) -> str:
    """Return the one-line message for a failure of ``kind``."""
    where = params.get("api_base") or model.split("/", 1)[0]
    if kind == "auth":
        return f"Authentication failed for {model}: {detail}"
    if kind == "rate_limit":
        return f"Rate limited by {where} (429), even after retries: {detail}"
    if kind == "timeout":
        return f"{model} did not answer in time ({params.get('timeout', '?')} s): {detail}"
    if kind == "connection":
        return f"Cannot reach {where}: {detail}"
    if kind == "unknown_model":
        return (
            f"Unknown model or provider {model!r}: name it as provider/model, "
            f"e.g. openai/gpt-4o-mini or anthropic/claude-sonnet-4-5 ({detail})"
        )
    if kind == "context_window":
        return f"The conversation is longer than {model}'s context window: {detail}"
    return f"{model}: {detail}"
