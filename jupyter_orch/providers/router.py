"""Choosing, per call and visibly, which provider serves a model.

LiteLLM serves every model once it has been imported. Until then (the import takes seconds
and runs in a background thread after ``%load_ext``), ``openai/...`` models are served by
:class:`~jupyter_orch.providers.openai_http.OpenAIHTTPProvider`, which speaks the same
protocol with the same body, retries and errors. :meth:`ProviderRouter.route` says which one
a call takes; ``prefer`` forces either (tests and benchmarks pin a path this way).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Literal

from ..core.provider import ModelCapabilities, ProviderChunk, ProviderRequest
from .litellm import LiteLLMProvider, is_loaded, is_warming
from .openai_http import OpenAIHTTPProvider, eligible

Route = Literal["litellm", "openai-http"]
Prefer = Literal["auto", "litellm", "openai-http"]


class ProviderRouter:
    """A provider that hands each call to LiteLLM or to the OpenAI-over-HTTP path.

    Parameters
    ----------
    litellm
        Serves every model once litellm is ready.
    http
        Serves ``openai/...`` models while litellm is still importing.
    prefer
        ``auto`` (the rule above), or a path to use always (``openai-http`` only serves
        ``openai/...`` models; others still go to LiteLLM).
    ready
        Whether litellm is ready now (default: imported and no longer warming up).
    """

    def __init__(
        self,
        litellm: LiteLLMProvider,
        http: OpenAIHTTPProvider,
        *,
        prefer: Prefer = "auto",
        ready: Callable[[], bool] | None = None,
    ) -> None:
        self.litellm = litellm
        self.http = http
        self.prefer = prefer
        self._ready = ready or (lambda: is_loaded() and not is_warming())
        self.last_route: Route | None = None
        """The route the latest call took."""

    def route(self, model: str) -> Route:
        """Return the provider that would serve a call to ``model`` now."""
        if not eligible(model) or self.prefer == "litellm":
            return "litellm"
        if self.prefer == "openai-http" or not self._ready():
            return "openai-http"
        return "litellm"

    def _provider(self, model: str) -> LiteLLMProvider | OpenAIHTTPProvider:
        return self.http if self.route(model) == "openai-http" else self.litellm

    def capabilities(self, model: str) -> ModelCapabilities:
        """Return the capabilities the serving provider reports."""
        return self._provider(model).capabilities(model)

    async def context_window(self, model: str) -> int | None:
        """Return the input window the serving provider knows (``None`` on the HTTP path)."""
        return await self._provider(model).context_window(model)

    async def supports_images(self, model: str) -> bool:
        """Ask litellm's model table (waiting for its import, off the event loop)."""
        return await self.litellm.supports_images(model)

    async def stream(self, request: ProviderRequest) -> AsyncIterator[ProviderChunk]:
        """Stream through the provider :meth:`route` picks now."""
        provider = self._provider(request.model)
        self.last_route = "openai-http" if provider is self.http else "litellm"
        async for chunk in provider.stream(request):
            yield chunk
