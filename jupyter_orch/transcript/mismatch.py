"""Saying in one line how a live request differs from the recorded one."""

from __future__ import annotations

from typing import Any

from .fingerprint import Fingerprint
from .record import RoundRecord, TurnRecord


def where(record: TurnRecord, round_index: int) -> str:
    """Name a model call: ``thread 'default', turn 2, model call 1``."""
    return f"thread {record.thread!r}, turn {record.position + 1}, model call {round_index + 1}"


def describe_difference(record: TurnRecord, recorded: RoundRecord, fp: Fingerprint) -> str:
    """Say in one line how a request differs from the recorded one (the first difference)."""
    place = where(record, recorded.index)
    if fp.model != record.model:
        return f"{place}: the model differs (recorded {record.model}, now {fp.model})"
    offset = len(recorded.messages) - _own_messages_sent(record, recorded.index)
    for i, (was, now) in enumerate(zip(recorded.messages, fp.messages, strict=False)):
        if was != now:
            current = fp.redacted[i]
            text = f"{place}: message {i + 1} ({current.get('role')}) differs from the recording: "
            text += f"now {_snippet(current)!r}"
            if 0 <= i - offset < len(record.messages):
                text += f", recorded {_snippet(record.messages[i - offset])!r}"
            return text
    if len(recorded.messages) != len(fp.messages):
        return f"{place}: {len(fp.messages)} messages sent, {len(recorded.messages)} recorded"
    if recorded.tools_hash != fp.tools:
        return f"{place}: the offered tools differ from the recording{_tool_names(record, fp)}"
    if recorded.tool_choice != fp.tool_choice:
        return f"{place}: the forced tool differs from the recording"
    return f"{place}: the model parameters differ from the recording (now {fp.params})"


def _own_messages_sent(record: TurnRecord, round_index: int) -> int:
    """How many of the turn's own messages the model call ``round_index`` sent."""
    sent = 1
    for earlier in record.rounds[:round_index]:
        sent += 1 + sum(1 for c in record.tool_calls if c.round == earlier.index)
    return sent


def _tool_names(record: TurnRecord, fp: Fingerprint) -> str:
    now = set(fp.tool_names)
    was = set(record.tools_offered)
    parts = []
    if was - now:
        parts.append("missing " + ", ".join(sorted(was - now)))
    if now - was:
        parts.append("new " + ", ".join(sorted(now - was)))
    return f" ({'; '.join(parts)})" if parts else ""


def _snippet(message: dict[str, Any], limit: int = 60) -> str:
    content = message.get("content")
    if isinstance(content, list):
        content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    text = str(content or "")
    if not text and message.get("tool_calls"):
        text = ", ".join(str(c.get("function", {}).get("name")) for c in message["tool_calls"])
        text = f"[tool calls: {text}]"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
