"""The provider seam: how the orchestrator talks to a model.

A provider turns a :class:`ProviderRequest` into an async stream of chunks. The LiteLLM adapter
is the real one; :mod:`jupyter_orch.providers.scripted` ships a fake beside this seam.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from .messages import Usage


@dataclass(frozen=True, slots=True)
class ProviderRequest:
    """Everything one model call needs.

    Parameters
    ----------
    model
        A LiteLLM model name such as ``openai/gpt-4o-mini``.
    messages
        OpenAI-format message dicts, system prompt first.
    tools
        OpenAI-format tool schemas offered to the model (empty: none).
    tool_choice
        ``None`` (provider default), ``"auto"``, ``"none"``, or a forced
        ``{"type": "function", "function": {"name": ...}}``.
    params
        Model parameters (temperature, max_tokens, seed, api_base...), passed through.
    """

    model: str
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] = field(default_factory=list)
    tool_choice: str | dict[str, Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TextChunk:
    """A piece of the answer's text."""

    text: str


@dataclass(frozen=True, slots=True)
class ToolCallChunk:
    """A piece of a tool call; pieces with the same ``index`` join into one call."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""


@dataclass(frozen=True, slots=True)
class UsageChunk:
    """Token counts (and cost when known) of the call, usually at the end of the stream."""

    usage: Usage


@dataclass(frozen=True, slots=True)
class FinishChunk:
    """The provider's finish reason (``stop``, ``tool_calls``, ``length``...)."""

    reason: str


ProviderChunk = TextChunk | ToolCallChunk | UsageChunk | FinishChunk


@dataclass(frozen=True, slots=True)
class ModelCapabilities:
    """What a model can do, as its provider knows it.

    Parameters
    ----------
    chooses_tools
        The model picks tools on its own (``tool_choice="auto"``). Small local models cannot:
        they are offered tools only when one is forced.
    """

    chooses_tools: bool = True


@runtime_checkable
class Provider(Protocol):
    """Streams a model's answer.

    Implementations raise :class:`jupyter_orch.core.errors.ProviderError` with a one-line
    message on failure; anything else is treated as a bug and reported as such.
    """

    def stream(self, request: ProviderRequest) -> AsyncIterator[ProviderChunk]:
        """Yield the answer's chunks for ``request``."""
        ...

    async def context_window(self, model: str) -> int | None:
        """Return the model's input window in tokens, or ``None`` when unknown."""
        ...

    async def supports_images(self, model: str) -> bool:
        """Return whether the model reads images (tool results' images are then passed on)."""
        ...


def capabilities_of(provider: object, model: str) -> ModelCapabilities:
    """Return ``provider``'s capabilities for ``model`` (the defaults when it reports none)."""
    report = getattr(provider, "capabilities", None)
    return report(model) if callable(report) else ModelCapabilities()
