"""The LiteLLM provider: ``litellm.acompletion(stream=True)`` with retries, usage and cost."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from ...core.errors import ProviderError
from ...core.messages import Usage
from ...core.provider import ProviderChunk, ProviderRequest, TextChunk, UsageChunk
from . import fast_start
from .chunks import convert
from .errors import clean_message, redact, to_provider_error
from .loader import is_loaded, is_warming, load_litellm

_OURS = ("max_retries", "retry_backoff")


class LiteLLMProvider:
    """Streams any LiteLLM model.

    Parameters
    ----------
    max_retries
        Retries after a 429 or 5xx before the first chunk arrives (a stream already under
        way is never retried: the user has seen part of it).
    retry_backoff
        Seconds before the first retry; doubled each time, at most 8 s.
    timeout
        Seconds litellm waits for the model (overridden by a ``timeout`` parameter).
    fast_start
        Stream ``openai/...`` models directly until litellm has been imported.
    """

    def __init__(
        self,
        *,
        max_retries: int = 2,
        retry_backoff: float = 1.0,
        timeout: float = 120.0,
        fast_start: bool = True,
    ) -> None:
        self.max_retries = max_retries
        self.retry_backoff = retry_backoff
        self.timeout = timeout
        self.fast_start = fast_start
        self._windows: dict[str, int | None] = {}

    async def context_window(self, model: str) -> int | None:
        """Return the model's input window from litellm's model table, or ``None``.

        While the fast start is in use the window is not known yet (``None``: no trimming of
        what is at most a few turns old).
        """
        if self._direct(model):
            return None
        if model not in self._windows:
            litellm = await _litellm()
            try:
                info = litellm.get_model_info(model)
                self._windows[model] = info.get("max_input_tokens") or info.get("max_tokens")
            except Exception:  # unknown to the table: no trimming
                self._windows[model] = None
        return self._windows[model]

    async def supports_images(self, model: str) -> bool:
        """Return litellm's opinion of whether ``model`` reads images (``False`` when unsure)."""
        litellm = await _litellm()
        try:
            return bool(litellm.supports_vision(model=model))
        except Exception:  # unknown models are treated as text-only
            return False

    async def stream(self, request: ProviderRequest) -> AsyncIterator[ProviderChunk]:
        """Yield the answer's chunks; raise :class:`ProviderError` with one line on failure.

        While litellm is still importing (or its warm-up still runs), ``openai/...`` models
        are streamed directly (see :mod:`.fast_start`) so the first turn after ``%load_ext``
        does not wait for it.
        """
        if self._direct(request.model):
            async for item in fast_start.stream(
                request,
                timeout=self.timeout,
                max_retries=self.max_retries,
                retry_backoff=self.retry_backoff,
            ):
                yield item
            return
        litellm = await _litellm()
        kwargs = self._kwargs(litellm, request)
        response = await self._open(litellm, request, kwargs)
        usage_seen = False
        received = 0
        try:
            async for chunk in response:
                for item in convert(chunk):
                    if isinstance(item, UsageChunk):
                        usage_seen = True
                        item = UsageChunk(_with_cost(litellm, request.model, item.usage))
                    elif isinstance(item, TextChunk):
                        received += len(item.text)
                    yield item
        except (asyncio.CancelledError, GeneratorExit):
            raise
        except Exception as exc:  # anything mid-stream is a cut stream
            raise ProviderError(
                f"The stream from {request.model} was cut after {received} characters: "
                f"{redact(clean_message(exc), request.params)}",
                "stream_cut",
            ) from None
        if not usage_seen:
            yield UsageChunk(Usage())

    def _direct(self, model: str) -> bool:
        """Whether ``model`` is streamed by the fast start now (litellm not ready yet)."""
        cold = not is_loaded() or is_warming()
        return self.fast_start and cold and fast_start.eligible(model)

    def _kwargs(self, litellm: Any, request: ProviderRequest) -> dict[str, Any]:
        params = {k: v for k, v in request.params.items() if k not in _OURS and v is not None}
        _check_model(litellm, request.model, params)
        kwargs: dict[str, Any] = {
            "model": request.model,
            "messages": request.messages,
            "stream": True,
            "stream_options": {"include_usage": True},
            "timeout": self.timeout,
            "max_retries": 0,  # retries are ours: only before the first chunk, with backoff
            **params,
        }
        if request.tools:
            kwargs["tools"] = request.tools
            if request.tool_choice is not None:
                kwargs["tool_choice"] = request.tool_choice
        return kwargs

    async def _open(self, litellm: Any, request: ProviderRequest, kwargs: dict[str, Any]) -> Any:
        attempt = 0
        while True:
            try:
                return await litellm.acompletion(**kwargs)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # mapped to one line below
                error = to_provider_error(exc, request.model, kwargs)
                if not error.retryable or attempt >= self.max_retries:
                    raise error from None
            await asyncio.sleep(min(self.retry_backoff * 2**attempt, 8.0))
            attempt += 1


async def _litellm() -> Any:
    try:
        return await asyncio.to_thread(load_litellm)
    except ImportError as exc:
        raise ProviderError(f"litellm could not be imported: {exc}", "config") from None


def _check_model(litellm: Any, model: str, params: dict[str, Any]) -> None:
    """Fail early, in one line, on an unknown provider or a missing API key."""
    try:
        provider = litellm.get_llm_provider(model)[1]
    except Exception as exc:  # litellm's own message is long; ours is one line
        raise to_provider_error(exc, model, params) from None
    if params.get("api_key") or params.get("api_base") or provider in ("local", "ollama"):
        return
    try:
        missing = litellm.validate_environment(model=model).get("missing_keys") or []
    except Exception:  # providers it cannot check are tried as they are
        return
    if missing:
        names = " or ".join(missing)
        raise ProviderError(
            f"Missing API key for {model}: set {names} in the kernel's environment "
            f"(or pass api_key through JupyterOrch.params)",
            "missing_key",
        )


def _with_cost(litellm: Any, model: str, usage: Usage) -> Usage:
    try:
        prompt, completion = litellm.cost_per_token(
            model=model,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
        )
    except Exception:  # a model without a price has no cost
        return usage
    return Usage(usage.prompt_tokens, usage.completion_tokens, float(prompt + completion))
