"""Reading a JSON file of scripted replies for the fake server's command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jupyter_orch.core.errors import UsageError
from jupyter_orch.testing.replies import CallInput, Reply

_PACING_KEYS = ("tokens_per_second", "cut_after")


def load_script(path: Path) -> list[Reply]:
    """Read a JSON list of replies (format in ``openai_server``'s module docstring).

    Parameters
    ----------
    path
        The script file.

    Returns
    -------
    list of Reply
        The replies, in file order.

    Raises
    ------
    UsageError
        When the file cannot be read, is not JSON, or an item is malformed.
    """
    try:
        items = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"cannot read reply script {path}: {error}") from None
    if not isinstance(items, list):
        raise UsageError(f"reply script {path} must hold a JSON list of replies")
    return [reply_from_json(item, f"{path} item {n}") for n, item in enumerate(items, 1)]


def reply_from_json(item: Any, where: str = "reply") -> Reply:
    """Build one :class:`Reply` from its JSON form: a string, or an object with one kind key."""
    if isinstance(item, str):
        return Reply.text(item)
    if not isinstance(item, dict):
        raise UsageError(f"{where}: expected a string or an object, got {type(item).__name__}")
    try:
        return _reply_from_object(item)
    except (TypeError, ValueError, KeyError) as error:
        raise UsageError(f"{where}: malformed reply {item!r} ({error})") from None
    except UsageError as error:
        raise UsageError(f"{where}: {error}") from None


def _reply_from_object(item: dict[str, Any]) -> Reply:
    pacing = {key: item[key] for key in _PACING_KEYS if key in item}
    if "error" in item:
        return Reply.error(int(item["error"]), str(item.get("message", "scripted error")))
    if item.get("hang"):
        return Reply.hang()
    if "tool_calls" in item:
        calls: list[CallInput] = [_call(c) for c in item["tool_calls"]]
        chunk_chars = int(item.get("chunk_chars", 8))
        text = str(item.get("text", ""))
        return Reply.tool_calls(calls, text=text, chunk_chars=chunk_chars, **pacing)
    if "text" in item:
        return Reply.text(item["text"], chunk_chars=int(item.get("chunk_chars", 4)), **pacing)
    raise ValueError("needs one of the keys text, tool_calls, error, hang")


def _call(call: Any) -> CallInput:
    if isinstance(call, dict):
        call = [call["name"], call.get("arguments", {}), *([call["id"]] if "id" in call else [])]
    if not isinstance(call, list) or len(call) not in (2, 3):
        raise ValueError(f"a tool call is [name, arguments] or [name, arguments, id], got {call!r}")
    if len(call) == 3:
        return (str(call[0]), call[1], str(call[2]))
    return (str(call[0]), call[1])
