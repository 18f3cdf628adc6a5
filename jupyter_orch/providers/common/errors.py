"""One-line :class:`ProviderError` messages: from litellm's exceptions, and for endpoints."""

from __future__ import annotations

import ipaddress
import os
import re
from typing import Any
from urllib.parse import urlsplit

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


_NESTED = re.compile(r"\.?\s*(Original exception|Received Model Group|LiteLLM Retried)\b.*$")


def clean_message(exc: BaseException) -> str:
    """Return the first meaningful line of a litellm error, without its prefixes.

    litellm nests the same error several times ("... Original exception: APIConnectionError:
    litellm.APIConnectionError: ..."); only the first telling is kept.
    """
    text = str(exc).strip() or type(exc).__name__
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), text)
    for _ in range(3):  # "litellm.X: X: OpenAIException - ..." peels in a few steps
        line = _VENDOR.sub("", _PREFIX.sub("", line, count=1)).strip()
    line = _NESTED.sub("", line).strip()
    line = line.removeprefix("Error code: ").strip()
    return line[:300] or type(exc).__name__


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


def endpoint(model: str, params: dict[str, Any]) -> str:
    """Return where calls for ``model`` go.

    That is its ``api_base``, the OpenAI base URL from the environment for ``openai/...``
    models, else the provider's name.
    """
    base = params.get("api_base") or params.get("base_url")
    if not base and model.startswith("openai/"):
        base = os.environ.get("OPENAI_API_BASE") or os.environ.get("OPENAI_BASE_URL")
    return str(base) if base else model.split("/", 1)[0]


def check_base_url(value: Any, setting: str = "api_base") -> str:
    """Return ``value`` if it is an http(s) URL with a host; else raise a one-line error.

    A bad base URL (no scheme, ``ftp://``, a broken IPv6 literal) otherwise surfaces as a
    long traceback from deep inside the HTTP client.
    """
    text = str(value).strip()
    problem = ""
    try:
        parts = urlsplit(text)
        host = parts.hostname
        if parts.scheme not in ("http", "https"):
            problem = "it must start with http:// or https://"
        elif not host:
            problem = "it names no host"
        elif ":" in host:
            ipaddress.IPv6Address(host)
        parts.port  # noqa: B018  # raises ValueError for a malformed port
    except ValueError as exc:
        problem = str(exc) or "it is not a valid URL"
    if problem:
        raise ProviderError(
            f"{setting} {text!r} is not a usable URL: {problem} "
            "(set it with -p api_base=... or JupyterOrch.params)",
            "config",
        )
    return text


def sentence(kind: ErrorKind, model: str, detail: str, params: dict[str, Any]) -> str:
    """Return the one-line message for a failure of ``kind``."""
    where = endpoint(model, params)
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
