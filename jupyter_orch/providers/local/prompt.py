"""Turn an OpenAI-format request into what the small local model can read."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from jupyter_orch.core.errors import ProviderError

from .model import DEFAULT_MAX_TOKENS, Generation

_FORCED_TOOL_SYSTEM = "You are a helpful assistant. Answer by calling the function."


def build_generation(
    messages: Sequence[Mapping[str, Any]], params: Mapping[str, Any]
) -> Generation:
    """Return the :class:`Generation` for a chat request.

    Tools are used only when ``tool_choice`` forces one function; otherwise they are
    ignored and the model answers in plain chat (it cannot choose tools on its own).

    Parameters
    ----------
    messages
        OpenAI-format messages.
    params
        The request's parameters (``tools``, ``tool_choice``, ``temperature``, ``max_tokens``,
        ``seed``, ``stop``...); others are ignored.

    Raises
    ------
    ProviderError
        ``bad_request``: a forced tool that is not among ``tools``, or a malformed setting.
    """
    forced = _forced_tool(params.get("tools") or [], params.get("tool_choice"))
    plain = plain_messages(messages)
    if forced is not None and not any(message["role"] == "system" for message in plain):
        # The function-calling template lists the tools inside the system message only.
        plain.insert(0, {"role": "system", "content": _FORCED_TOOL_SYSTEM})
    try:
        temperature = params.get("temperature")
        seed = params.get("seed")
        limit = params.get("max_tokens") or params.get("max_completion_tokens")
        return Generation(
            messages=plain,
            forced_tool=forced,
            temperature=None if temperature is None else float(temperature),
            max_tokens=int(limit) if limit else DEFAULT_MAX_TOKENS,
            seed=None if seed is None else int(seed),
            stop=_stop_list(params.get("stop")),
        )
    except (TypeError, ValueError) as error:
        raise ProviderError(f"bad setting for the local model: {error}", "bad_request") from error


def plain_messages(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Return ``messages`` as role + text only, the form every chat template accepts.

    The model was not trained on tool messages: an assistant's calls become a sentence in
    its message, and a tool's result becomes a user message naming the tool.
    """
    names: dict[str, str] = {}
    plain: list[dict[str, str]] = []
    for message in messages:
        role = str(message.get("role", "user"))
        text = _text(message.get("content"))
        if role == "assistant":
            calls = message.get("tool_calls") or []
            for call in calls:
                function = call.get("function") or {}
                names[str(call.get("id"))] = str(function.get("name", "a tool"))
            said = [text, *(_described_call(call) for call in calls)]
            plain.append({"role": "assistant", "content": "\n".join(s for s in said if s)})
        elif role == "tool":
            name = message.get("name") or names.get(str(message.get("tool_call_id")), "the tool")
            plain.append({"role": "user", "content": f"Result of {name}: {text}"})
        elif role in ("system", "developer"):
            plain.append({"role": "system", "content": text})
        else:
            plain.append({"role": "user", "content": text})
    return plain


def _forced_tool(tools: Sequence[Mapping[str, Any]], choice: Any) -> dict[str, Any] | None:
    if not isinstance(choice, Mapping):
        return None
    name = (choice.get("function") or {}).get("name")
    for tool in tools:
        if (tool.get("function") or {}).get("name") == name:
            return dict(tool)
    offered = ", ".join(str((tool.get("function") or {}).get("name")) for tool in tools)
    raise ProviderError(
        f"tool_choice forces '{name}', which is not among the tools offered ({offered or 'none'})",
        "bad_request",
    )


def _described_call(call: Mapping[str, Any]) -> str:
    function = call.get("function") or {}
    return f"(I called {function.get('name', 'a tool')} with {function.get('arguments') or '{}'})"


def _text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        # Multimodal parts: this model reads text only.
        return "\n".join(
            str(part.get("text", "")) for part in content if isinstance(part, Mapping)
        ).strip()
    return json.dumps(content)


def _stop_list(stop: Any) -> list[str]:
    if stop is None:
        return []
    if isinstance(stop, str):
        return [stop]
    return [str(item) for item in stop]
