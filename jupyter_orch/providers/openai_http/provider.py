"""``openai/...`` models spoken to directly over HTTP, with httpx.

``import litellm`` takes seconds. For OpenAI-compatible endpoints (model names ``openai/...``)
this provider speaks the OpenAI chat-completions protocol itself, with the same request body,
the same retries and the same one-line errors as the litellm path, so the first turns after
``%load_ext`` need not wait for that import (:mod:`jupyter_orch.providers.router` picks it per
call, visibly).
"""

from __future__ import annotations

import json
import os
import ssl
from collections.abc import AsyncIterator
from typing import Any

from ...core.errors import ErrorKind, ProviderError
from ...core.provider import (
    FinishChunk,
    ModelCapabilities,
    ProviderChunk,
    ProviderRequest,
    TextChunk,
)
from ..common.chunks import MalformedChunk, completion_chunks, convert
from ..common.errors import check_base_url, redact, sentence
from ..common.retries import Retrying

# Parameters that configure the client, not the request body.
_CLIENT = {"api_base", "base_url", "api_key", "timeout", "max_retries", "retry_backoff", "headers"}
DEFAULT_BASE = "https://api.openai.com/v1"


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


class OpenAIHTTPProvider(Retrying):
    """Streams ``openai/...`` models over HTTP, without litellm.

    Parameters
    ----------
    max_retries, retry_backoff, timeout
        As for :class:`~jupyter_orch.providers.common.retries.Retrying`.
    """

    name = "openai-http"

    def __init__(
        self, *, max_retries: int = 2, retry_backoff: float = 1.0, timeout: float = 120.0
    ) -> None:
        super().__init__(max_retries=max_retries, retry_backoff=retry_backoff, timeout=timeout)
        self._tls: ssl.SSLContext | None = None

    def prepare(self) -> None:
        """Do the slow set-up of the first call now: import httpx, load the TLS certificates."""
        self._tls_context()

    def capabilities(self, model: str) -> ModelCapabilities:
        """OpenAI-compatible models choose tools on their own."""
        return ModelCapabilities()

    async def context_window(self, model: str) -> int | None:
        """Unknown without litellm's model table (no trimming of a few turns' history)."""
        return None

    async def supports_images(self, model: str) -> bool:
        """Unknown without litellm's model table: treated as text-only."""
        return False

    async def stream(self, request: ProviderRequest) -> AsyncIterator[ProviderChunk]:
        """Yield the answer's chunks; raise :class:`ProviderError` with one line on failure."""
        import httpx

        url, headers = _endpoint(request.model, request.params)
        seconds = float(request.params.get("timeout") or self.timeout)
        # A plain-HTTP endpoint (a local server) needs no certificates.
        verify: ssl.SSLContext | bool = self._tls_context() if url.startswith("https:") else False
        timeout = httpx.Timeout(seconds, connect=min(seconds, 10.0))
        async with httpx.AsyncClient(timeout=timeout, verify=verify) as client:
            attempt = 0
            while True:
                try:
                    async for chunk in _attempt(client, url, headers, request, seconds):
                        yield chunk
                    return
                except _Retry as retry:
                    if not self.may_retry(attempt):
                        raise retry.error from None
                await self.pause(attempt)
                attempt += 1

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            import httpx

            self._tls = httpx.create_ssl_context()
        return self._tls


class _Retry(Exception):
    """A retryable failure (429, 5xx) before the first chunk."""

    def __init__(self, error: ProviderError) -> None:
        super().__init__(error.message)
        self.error = error


async def _attempt(
    client: Any, url: str, headers: dict[str, str], request: ProviderRequest, seconds: float
) -> AsyncIterator[ProviderChunk]:
    """Send the request once; yield its chunks, or raise (``_Retry`` when worth retrying)."""
    import httpx

    model, params = request.model, request.params
    try:
        async with client.stream("POST", url, json=body(request), headers=headers) as response:
            if response.status_code >= 400:
                error = _status_error(response.status_code, await response.aread(), model, params)
                raise _Retry(error) if error.retryable else error
            async for chunk in _answer(response, model):
                yield chunk
    except httpx.ConnectError as exc:
        raise _error("connection", model, str(exc) or "connection refused", params) from None
    except httpx.TimeoutException:
        raise _error("timeout", model, "no answer", {**params, "timeout": seconds}) from None


async def _answer(response: Any, model: str) -> AsyncIterator[ProviderChunk]:
    """Yield the chunks of a successful response, by its content type."""
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "text/event-stream":
        async for chunk in read_stream(response, model):
            yield chunk
        return
    raw = await response.aread()
    if kind == "application/json":
        # Some servers answer a streaming request with one whole completion.
        try:
            chunks = completion_chunks(json.loads(raw))
        except (ValueError, MalformedChunk) as exc:
            raise ProviderError(f"{model}: the answer is not a chat completion ({exc})") from None
        for chunk in chunks:
            yield chunk
        return
    raise ProviderError(
        f"{model}: the endpoint answered with {kind or 'no content type'} instead of a stream "
        "(is api_base an OpenAI-compatible API? a login page or proxy answers like this)",
        "provider",
    )


def _endpoint(model: str, params: dict[str, Any]) -> tuple[str, dict[str, str]]:
    base = (
        params.get("api_base")
        or params.get("base_url")
        or os.environ.get("OPENAI_API_BASE")
        or os.environ.get("OPENAI_BASE_URL")
        or DEFAULT_BASE
    )
    base = check_base_url(base)
    key = params.get("api_key") or os.environ.get("OPENAI_API_KEY")
    if not key:
        raise ProviderError(
            f"Missing API key for {model}: set OPENAI_API_KEY in the kernel's environment "
            f"(or pass api_key through JupyterOrch.params)",
            "missing_key",
        )
    headers = {"Authorization": f"Bearer {key}", **dict(params.get("headers") or {})}
    return f"{base.rstrip('/')}/chat/completions", headers


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


def _cut(model: str, received: int, why: str) -> ProviderError:
    return ProviderError(
        f"The stream from {model} was cut after {received} characters: {why}", "stream_cut"
    )


async def read_stream(response: Any, model: str) -> AsyncIterator[ProviderChunk]:
    """Yield the chunks of an SSE response; a clean end needs ``[DONE]`` or a finish reason."""
    import httpx

    received = 0
    finished = False
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
                finished = finished or isinstance(item, FinishChunk)
                yield item
    except MalformedChunk as exc:
        raise ProviderError(f"{model}: {exc}", "provider") from None
    except (httpx.HTTPError, ValueError) as exc:
        raise _cut(model, received, f"{type(exc).__name__}: {exc}") from None
    if not finished:
        raise _cut(model, received, "it ended without [DONE]")
