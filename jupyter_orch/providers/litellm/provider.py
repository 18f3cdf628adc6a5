"""The LiteLLM provider: ``litellm.acompletion(stream=True)`` with retries, usage and cost."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from ...core.errors import ProviderError
from ...core.messages import Usage
from ...core.provider import (
    ModelCapabilities,
    ProviderChunk,
    ProviderRequest,
    TextChunk,
    ToolCallChunk,
    UsageChunk,
)
from ..common.chunks import MalformedChunk, convert
from ..common.errors import check_base_url, clean_message, redact, to_provider_error
from ..common.retries import Retrying
from .loader import load_litellm, quiet_logs

_OURS = ("max_retries", "retry_backoff")


class LiteLLMProvider(Retrying):
    """Streams any LiteLLM model.

    Parameters
    ----------
    max_retries, retry_backoff, timeout
        As for :class:`~jupyter_orch.providers.common.retries.Retrying`.
    """

    name = "litellm"

    def __init__(
        self, *, max_retries: int = 2, retry_backoff: float = 1.0, timeout: float = 120.0
    ) -> None:
        super().__init__(max_retries=max_retries, retry_backoff=retry_backoff, timeout=timeout)
        self._windows: dict[str, int | None] = {}
        self._images: dict[str, bool] = {}

    def capabilities(self, model: str) -> ModelCapabilities:
        """Local models (``local/...``) cannot pick tools on their own; the rest can."""
        if model.startswith("local/"):
            from ..local import capabilities

            return capabilities(model)
        return ModelCapabilities()

    async def context_window(self, model: str) -> int | None:
        """Return the model's input window from litellm's model table, or ``None``."""
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
        if model not in self._images:
            litellm = await _litellm()
            try:
                self._images[model] = bool(litellm.supports_vision(model=model))
            except Exception:  # unknown models are treated as text-only
                self._images[model] = False
        return self._images[model]

    async def stream(self, request: ProviderRequest) -> AsyncIterator[ProviderChunk]:
        """Yield the answer's chunks; raise :class:`ProviderError` with one line on failure."""
        litellm = await _litellm()
        kwargs = self._kwargs(litellm, request)
        with quiet_logs():  # no yield inside: the context variable stays in this task
            response = await self._open(litellm, request, kwargs)
        async for item in self._chunks(litellm, request, response):
            yield item

    async def _chunks(
        self, litellm: Any, request: ProviderRequest, response: Any
    ) -> AsyncIterator[ProviderChunk]:
        seen = _Seen()
        try:
            async for chunk in response:
                for item in convert(chunk):
                    if isinstance(item, UsageChunk):
                        item = UsageChunk(_with_cost(litellm, request.model, item.usage))
                    seen.add(item)
                    yield item
        except (asyncio.CancelledError, GeneratorExit):
            raise
        except MalformedChunk as exc:
            raise ProviderError(f"{request.model}: {exc}", "provider") from None
        except Exception as exc:  # anything mid-stream is a cut stream
            raise ProviderError(
                f"The stream from {request.model} was cut after {seen.chars} characters: "
                f"{redact(clean_message(exc), request.params)}",
                "stream_cut",
            ) from None
        if not seen.answer and not seen.usage:
            # An endpoint that is not a streaming chat API (a login page, a JSON reply to a
            # streaming request) gives litellm an empty stream rather than an error; a real
            # empty answer still reports its usage.
            raise ProviderError(
                f"{request.model}: the endpoint sent no answer (is it an OpenAI-compatible "
                "streaming chat API?)",
                "provider",
            )
        if not seen.usage:
            yield UsageChunk(Usage())

    def _kwargs(self, litellm: Any, request: ProviderRequest) -> dict[str, Any]:
        params = {k: v for k, v in request.params.items() if k not in _OURS and v is not None}
        for key in ("api_base", "base_url"):
            if key in params:
                check_base_url(params[key], key)
        _check_model(litellm, request.model, params)
        kwargs: dict[str, Any] = {
            "model": request.model,
            "messages": request.messages,
            "stream": True,
            "stream_options": {"include_usage": True},
            "timeout": self.timeout,
            "max_retries": 0,  # retries are ours: only before the first chunk, with backoff
            # A parameter one provider lacks must not fail the whole call (per call: the
            # user's own litellm calls in this kernel keep litellm's defaults).
            "drop_params": True,
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
                if not error.retryable or not self.may_retry(attempt):
                    raise error from None
            await self.pause(attempt)
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


class _Seen:
    """What a stream has brought so far."""

    def __init__(self) -> None:
        self.chars = 0
        self.answer = False
        self.usage = False

    def add(self, item: ProviderChunk) -> None:
        if isinstance(item, TextChunk):
            self.chars += len(item.text)
        if isinstance(item, (TextChunk, ToolCallChunk)):
            self.answer = True
        self.usage = self.usage or isinstance(item, UsageChunk)
