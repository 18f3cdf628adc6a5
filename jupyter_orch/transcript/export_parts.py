"""The words and pieces every transcript export shares: headings, meta lines, decisions."""

from __future__ import annotations

import json
from collections.abc import Sequence

from .._version import __version__
from ..core.approval import decision_words as words_of
from .fingerprint import TRANSPORT_PARAMS
from .record import ToolCallRecord, TurnRecord


def summary_line(records: Sequence[TurnRecord]) -> str:
    """Return ``N turns · N tool calls · tokens · cost · exported by``."""
    calls = sum(len(r.tool_calls) for r in records)
    prompt = sum(r.usage.prompt_tokens for r in records)
    completion = sum(r.usage.completion_tokens for r in records)
    costs = [r.usage.cost for r in records if r.usage.cost is not None]
    parts = [f"{len(records)} turns", f"{calls} tool calls", f"{prompt:,} → {completion:,} tokens"]
    if costs:
        parts.append(f"${sum(costs):.4f}")
    parts.append(f"exported by jupyter-orch {__version__}")
    return " · ".join(parts)


def heading(number: int, record: TurnRecord) -> str:
    """Return ``Turn N · thread T · In [n]``."""
    parts = [f"Turn {number}", f"thread {record.thread}"]
    if record.execution_count is not None:
        parts.append(f"In [{record.execution_count}]")
    return " · ".join(parts)


def meta_line(record: TurnRecord) -> str:
    """Return the model, its parameters, the cell and the start time in one line."""
    params = {k: v for k, v in record.params.items() if k not in TRANSPORT_PARAMS}
    parts = [f"model {record.model}"]
    if params:
        parts.append(", ".join(f"{k}={json.dumps(v)}" for k, v in params.items()))
    if record.cell_id:
        parts.append(f"cell {record.cell_id}")
    parts.append(record.started_at)
    if record.replay:
        parts.append(f"replayed from {record.replay}")
    return " · ".join(parts)


def usage_line(record: TurnRecord) -> str:
    """Return ``tokens · cost · seconds · status``."""
    u = record.usage
    parts = [f"{u.prompt_tokens:,} → {u.completion_tokens:,} tokens"]
    if u.cost:
        parts.append(f"${u.cost:.4f}")
    if record.latency.total_s is not None:
        parts.append(f"{record.latency.total_s:.2f} s")
    status: str = record.status
    if record.stop and record.stop not in ("done", "error", "interrupted", "killed"):
        status += f" ({record.stop})"
    if record.error:
        status += f": {record.error}"
    parts.append(status)
    return " · ".join(parts)


def decision_words(call: ToolCallRecord) -> str:
    """Return the call's decision in words, as the cell said it (``approved by you``...)."""
    d = call.decision
    if d is None:
        return "not run (error)" if call.result is not None else "not decided"
    scope = d.scope or ("session" if d.always else "once")
    return words_of(d.approved, d.by, d.reason, scope)


def arguments_text(call: ToolCallRecord) -> str:
    """Return the call's arguments as indented JSON (or the raw text the model wrote)."""
    if call.arguments is not None:
        return json.dumps(call.arguments, indent=2, ensure_ascii=False)
    return call.arguments_json


def result_text(call: ToolCallRecord) -> str:
    """Return the result's text (content parts joined)."""
    result = call.result
    if result is None:
        return ""
    if isinstance(result.content, str):
        return result.content
    return "\n".join(str(p.get("text", f"[{p.get('type')}]")) for p in result.content)


def change_text(call: ToolCallRecord) -> str:
    """Return what the call changed, as its card showed it: the diff, or the code it ran."""
    change = call.change
    if change is None:
        return ""
    return change.diff or change.code or ""


_ANSWERS = {"accept": "accepted", "decline": "declined", "cancel": "cancelled"}


def elicitation_lines(call: ToolCallRecord) -> list[str]:
    """One line per question the server asked during the call, with the answer (plain text)."""
    lines = []
    for asked in call.elicitations:
        what = f"{asked.mode}: {', '.join(asked.fields)}" if asked.fields else asked.mode
        if asked.url:
            what += f" {asked.url}"
        answer = _ANSWERS.get(asked.action, asked.action)
        line = f"asked the user ({what}): {asked.message} → {answer}"
        if asked.reason:
            line += f" ({asked.reason})"
        if asked.content:
            line += " " + json.dumps(asked.content, ensure_ascii=False)
        lines.append(line)
    return lines


def rounds_of(record: TurnRecord) -> list[tuple[str, list[ToolCallRecord]]]:
    """Return each model call's text and the tool calls it asked for, in order."""
    out = [(r.text, [c for c in record.tool_calls if c.round == r.index]) for r in record.rounds]
    if not out and (record.answer or record.tool_calls):
        out = [(record.answer, list(record.tool_calls))]
    return out
