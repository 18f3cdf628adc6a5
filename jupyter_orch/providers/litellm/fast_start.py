"""Streaming ``openai/...`` models directly over HTTP while litellm is still importing.

``import litellm`` takes seconds; a ``%%chat`` run right after ``%load_ext`` would wait for
it. For OpenAI-compatible endpoints (model names ``openai/...``) the first turns speak the
OpenAI chat-completions protocol directly with httpx, with the same request body, the same
retries and the same one-line errors as the litellm path; once litellm is loaded, every call
goes through it.
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
from collections.abc import AsyncIterator
from typing import Any

from ...core.errors import ErrorKind, ProviderError
from ...core.provider import ProviderChunk, ProviderRequest, TextChunk
from .chunks import convert
from .errors import redact, sentence

# Parameters that configure the client, not the request body.
_CLIENT = {"api_base", "base_url", "api_key", "timeout", "max_retries", "retry_backoff", "headers"}


_tls_context: ssl.SSLContext | None = None


def prepare() -> None:
    """Do the slow set-up of the first call now: import httpx, load the TLS certificates."""
    _tls()


def _tls() -> ssl.SSLContext:
    """Return the TLS context every client shares (loading certificates takes ~0.1 s)."""
    global _tls_context
    if _tls_context is None:
        import httpx

        _tls_context = httpx.create_ssl_context()
    return _tls_context


def eligible(model: str) -> bool:
    """Whether ``model`` speaks the OpenAI protocol as it is named (``openai/...``)."""
    return model.startswith("openai/")


def body(request: ProviderRequest) -> dict[str, Any]:
    """Return the JSON body litellm would send for ``request`` to an OpenAI endpoint."""
    out: dict[str, Any] = {
        "model": request.model.split("/", 1)[1],
        "messages": request.messages,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    out.update({k: v for k, v in request.params.items() if k not in _CLIENT and v is not None})
    if request.tools:
        out["tools"] = request.tools
        if request.tool_choice is not None:
            out["tool_choice"] = request.tool_choice
    return out


async def stream(
    request: ProviderRequest, *, timeout: float, max_retries: int, retry_backoff: float
) -> AsyncIterator[ProviderChunk]:
    """Yield the answer's chunks; raise :class:`ProviderError` with one line on failure."""
    import httpx

    params = request.params
    url, headers = _endpoint(request.model, params)
    seconds = float(params.get("timeout") or timeout)
    # A plain-HTTP endpoint (a local server) needs no certificates.
    verify: ssl.SSLContext | bool = _tls() if url.startswith("https:") else False
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(seconds, connect=min(seconds, 10.0)), verify=verify
    ) as client:
        attempt = 0
        while True:
            try:
                async with client.stream(
                    "POST", url, json=body(request), headers=headers
                ) as response:
                    if response.status_code < 400:
                        async for chunk in _chunks(response, request.model):
                            yield chunk
                        return
                    error = _status_error(
                        response.status_code, await response.aread(), request.model, params
                    )
            except httpx.ConnectError as exc:
                raise _error(
                    "connection", request.model, str(exc) or "connection refused", params
                ) from None
            except httpx.TimeoutException:
                raise _error(
                    "timeout", request.model, "no answer", {**params, "timeout": seconds}
                ) from None
            if not error.retryable or attempt >= max_retries:
                raise error
            await asyncio.sleep(min(retry_backoff * 2**attempt, 8.0))
            attempt += 1


def _endpoint(model: str, params: dict[str, Any]) -> tuple[str, dict[str, str]]:
    base = (
        params.get("api_base")
        or params.get("base_url")
        or os.environ.get("OPENAI_API_BASE")
        or os.environ.get("OPENAI_BASE_URL")
        or "https://api.openai.com/v1"
    )
    key = params.get("api_key") or os.environ.get("OPENAI_API_KEY")
    if not key:
        raise ProviderError(
            f"Missing API key for {model}: set OPENAI_API_KEY in the kernel's environment "
            f"(or pass api_key through JupyterOrch.params)",
            "missing_key",
        )
    headers = {"Authorization": f"Bearer {key}", **dict(params.get("headers") or {})}
    return f"{str(base).rstrip('/')}/chat/completions", headers


async def _chunks(response: Any, model: str) -> AsyncIterator[ProviderChunk]:
    import httpx

    received = 0
    try:
        async for line in response.aiter_lines():
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                return
            for item in convert(json.loads(data)):
                if isinstance(item, TextChunk):
                    received += len(item.text)
                yield item
    except (httpx.HTTPError, ValueError) as exc:
        raise ProviderError(
            f"The stream from {model} was cut after {received} characters: "
            f"{type(exc).__name__}: {exc}",
            "stream_cut",
        ) from None
    raise ProviderError(
        f"The stream from {model} was cut after {received} characters: it ended without [DONE]",
        "stream_cut",
    )


def _status_error(status: int, raw: bytes, model: str, params: dict[str, Any]) -> ProviderError:
    try:
        detail = str(json.loads(raw)["error"]["message"])
    except (ValueError, KeyError, TypeError):
        detail = raw.decode("utf-8", "replace")[:300] or f"HTTP {status}"
    detail = f"{status} - {detail}"
    if status in (401, 403):
        return _error("auth", model, detail, params)
    if status == 404:
        return _error("unknown_model", model, detail, params)
    if status == 429:
        return _error("rate_limit", model, detail, params, retryable=True)
    if status >= 500:
        return _error("provider", model, detail, params, retryable=True)
    kind: ErrorKind = "context_window" if "context" in detail.lower() else "bad_request"
    return _error(kind, model, detail, params)


def _error(
    kind: ErrorKind, model: str, detail: str, params: dict[str, Any], *, retryable: bool = False
) -> ProviderError:
    return ProviderError(sentence(kind, model, redact(detail, params), params), kind, retryable)
