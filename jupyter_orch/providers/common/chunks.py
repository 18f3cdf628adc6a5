"""Turning OpenAI-format stream chunks into provider chunks.

The same converter reads litellm's chunk objects and the plain JSON of the OpenAI-over-HTTP
path, so both paths produce exactly the same chunks, and both refuse the same malformed ones.
"""

from __future__ import annotations

from typing import Any

from ...core.messages import Usage
from ...core.provider import FinishChunk, ProviderChunk, TextChunk, ToolCallChunk, UsageChunk


class MalformedChunk(ValueError):
    """A stream chunk that is not the OpenAI shape (a wrongly typed field, an error event)."""


def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _typed(value: Any, kind: type | tuple[type, ...], field: str) -> Any:
    if value is not None and not isinstance(value, kind):
        raise MalformedChunk(f"the stream sent a malformed chunk ({field} is {value!r})")
    return value


def convert(chunk: Any) -> list[ProviderChunk]:
    """Return the provider chunks in one OpenAI-format stream chunk (object or dict).

    Raises :class:`MalformedChunk` for an error event (``{"error": ...}``) or a field of the
    wrong type.
    """
    error = _get(chunk, "error")
    if error:
        message = _get(error, "message") if not isinstance(error, str) else error
        raise MalformedChunk(f"the stream reported an error: {message or error}")
    out: list[ProviderChunk] = []
    for choice in _typed(_get(chunk, "choices"), list, "choices") or []:
        out.extend(_choice(choice))
    usage = _get(chunk, "usage")
    if usage is not None and (_get(usage, "total_tokens") or 0) > 0:
        prompt = _typed(_get(usage, "prompt_tokens"), int, "usage.prompt_tokens")
        completion = _typed(_get(usage, "completion_tokens"), int, "usage.completion_tokens")
        out.append(UsageChunk(Usage(prompt or 0, completion or 0)))
    return out


def _choice(choice: Any) -> list[ProviderChunk]:
    out: list[ProviderChunk] = []
    delta = _get(choice, "delta")
    if delta is not None:
        text = _typed(_get(delta, "content"), str, "content")
        if text:
            out.append(TextChunk(text))
        for call in _typed(_get(delta, "tool_calls"), list, "tool_calls") or []:
            function = _get(call, "function")
            out.append(
                ToolCallChunk(
                    _typed(_get(call, "index"), int, "tool_calls.index") or 0,
                    _typed(_get(call, "id"), str, "tool_calls.id"),
                    _typed(_get(function, "name"), str, "function.name"),
                    _typed(_get(function, "arguments"), str, "function.arguments") or "",
                )
            )
    reason = _get(choice, "finish_reason")
    if reason:
        out.append(FinishChunk(str(reason)))
    return out


def completion_chunks(body: Any) -> list[ProviderChunk]:
    """Return the chunks of a whole (non-streamed) chat completion, as if it had streamed."""
    if not isinstance(body, dict) or _get(body, "error"):
        convert(body if isinstance(body, dict) else {"error": "not a JSON object"})
    out: list[ProviderChunk] = []
    for choice in _typed(_get(body, "choices"), list, "choices") or []:
        message = _get(choice, "message") or {}
        calls = _typed(_get(message, "tool_calls"), list, "tool_calls") or []
        delta = {
            "content": _get(message, "content"),
            "tool_calls": [
                {**_typed(call, dict, "tool_calls"), "index": i} for i, call in enumerate(calls)
            ],
        }
        out.extend(_choice({"delta": delta, "finish_reason": _get(choice, "finish_reason")}))
    usage = _get(body, "usage")
    if usage is not None:
        out.extend(convert({"usage": usage}))
    return out
