"""Content hashes of what a model call sends: messages, tools, and the request as a whole.

Hashes are taken over the *redacted* request, so a recording (which holds no secrets) can be
matched against a live request on replay. Transport settings (``api_base``, ``api_key``,
``timeout``...) are left out: replaying against another endpoint is still the same request.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from ..core.provider import ProviderRequest
from ..core.redaction import Redactor

HASH_CHARS = 16
TRANSPORT_PARAMS = frozenset(
    {
        "api_key",
        "api_base",
        "base_url",
        "api_version",
        "organization",
        "timeout",
        "max_retries",
        "retry_backoff",
        "extra_headers",
        "headers",
        "stream",
        "stream_options",
        "num_retries",
        "custom_llm_provider",
    }
)


def content_hash(value: Any) -> str:
    """Return a short SHA-256 of ``value``'s canonical JSON."""
    text = json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=repr
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_CHARS]


def tools_hash(tools: list[dict[str, Any]]) -> str:
    """Hash the offered tool schemas, in name order (mount order does not matter)."""
    return content_hash(sorted(tools, key=_tool_name))


def tool_names(tools: list[dict[str, Any]]) -> list[str]:
    """Return the names of OpenAI-format tool schemas."""
    return [_tool_name(t) for t in tools]


def generation_params(params: dict[str, Any], redactor: Redactor | None) -> dict[str, Any]:
    """Return the parameters that shape the answer, redacted (transport settings dropped)."""
    kept = {k: v for k, v in params.items() if k not in TRANSPORT_PARAMS and v is not None}
    return dict(redactor.value(kept)) if redactor is not None else kept


@dataclass(frozen=True)
class Fingerprint:
    """The hashes of one provider request."""

    messages: list[str]
    tools: str
    request: str
    model: str
    params: dict[str, Any]
    tool_choice: Any
    redacted: list[dict[str, Any]]
    tool_names: list[str]


def fingerprint(request: ProviderRequest, redactor: Redactor | None) -> Fingerprint:
    """Hash ``request`` after redaction (``redactor=None``: it is redacted already)."""
    if redactor is not None:
        redacted = [redactor.message(m) for m in request.messages]
    else:
        redacted = [dict(m) for m in request.messages]
    messages = [content_hash(m) for m in redacted]
    tools = tools_hash(request.tools)
    params = generation_params(request.params, redactor)
    whole = content_hash(
        {
            "model": request.model,
            "messages": messages,
            "tools": tools,
            "tool_choice": request.tool_choice,
            "params": params,
        }
    )
    return Fingerprint(
        messages,
        tools,
        whole,
        request.model,
        params,
        request.tool_choice,
        redacted,
        tool_names(request.tools),
    )


def _tool_name(tool: dict[str, Any]) -> str:
    return str((tool.get("function") or {}).get("name", ""))
