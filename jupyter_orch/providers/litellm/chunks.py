"""Turning OpenAI-format stream chunks into provider chunks.

The same converter reads litellm's chunk objects and the plain JSON of the fast-start path,
so both paths produce exactly the same chunks.
"""

from __future__ import annotations

from typing import Any

from ...core.messages import Usage
from ...core.provider import FinishChunk, ProviderChunk, TextChunk, ToolCallChunk, UsageChunk


def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def convert(chunk: Any) -> list[ProviderChunk]:
    """Return the provider chunks in one OpenAI-format stream chunk (object or dict)."""
    out: list[ProviderChunk] = []
    for choice in _get(chunk, "choices") or []:
        delta = _get(choice, "delta")
        if delta is not None:
            text = _get(delta, "content")
            if text:
                out.append(TextChunk(text))
            for call in _get(delta, "tool_calls") or []:
                function = _get(call, "function")
                out.append(
                    ToolCallChunk(
                        _get(call, "index") or 0,
                        _get(call, "id"),
                        _get(function, "name"),
                        _get(function, "arguments") or "",
                    )
                )
        reason = _get(choice, "finish_reason")
        if reason:
            out.append(FinishChunk(str(reason)))
    usage = _get(chunk, "usage")
    if usage is not None and (_get(usage, "total_tokens") or 0) > 0:
        prompt, completion = _get(usage, "prompt_tokens"), _get(usage, "completion_tokens")
        out.append(UsageChunk(Usage(prompt or 0, completion or 0)))
    return out
