"""Exporting turn records as Markdown, HTML or JSON: questions, answers, tool calls, usage.

A record holds untrusted text (the model's answer, tool results, server names) and may come
from a notebook someone else wrote: the Markdown export passes the prompt and the answers
through :func:`~jupyter_orch.core.safe_markdown.safe_markdown` and escapes every other value;
the JSON export escapes ``<``, ``>`` and ``&`` so that it is inert even inside a page.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from .._version import __version__
from ..core.approval import decision_words as words_of
from ..core.errors import UsageError
from ..core.safe_markdown import html_line, markdown_text, safe_markdown
from .fingerprint import TRANSPORT_PARAMS
from .record import SCHEMA_VERSION, ToolCallRecord, TurnRecord

Format = Literal["md", "html", "json"]
FORMATS: tuple[Format, ...] = ("md", "html", "json")
_SUFFIXES: dict[str, Format] = {
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
}


def format_for(path: Path | None, explicit: str | None) -> Format:
    """Pick the format: the one asked for, else the output file's suffix, else Markdown."""
    if explicit is not None:
        if explicit not in FORMATS:
            raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {explicit!r}")
        return explicit
    if path is not None and path.suffix.lower() in _SUFFIXES:
        return _SUFFIXES[path.suffix.lower()]
    return "md"


def select(records: Sequence[TurnRecord], thread: str | None) -> list[TurnRecord]:
    """Keep one thread's records (all when ``thread`` is ``None``)."""
    if thread is None:
        return list(records)
    chosen = [r for r in records if r.thread == thread]
    if not chosen:
        known = ", ".join(dict.fromkeys(r.thread for r in records)) or "none"
        raise UsageError(f"no turns in thread {thread!r}; threads: {known}")
    return chosen


def render(records: Sequence[TurnRecord], fmt: Format, title: str) -> str:
    """Render ``records`` in ``fmt``."""
    if fmt == "json":
        return to_json(records, title)
    if fmt == "html":
        from .export_html import to_html

        return to_html(records, title)
    return to_markdown(records, title)


def to_json(records: Sequence[TurnRecord], title: str) -> str:
    """Return ``{"title", "schema_version", "turns": [...]}`` as indented JSON."""
    data = {
        "title": title,
        "schema_version": SCHEMA_VERSION,
        "exported_by": f"jupyter-orch {__version__}",
        "turns": [r.to_json() for r in records],
    }
    text = json.dumps(data, indent=2, ensure_ascii=False)
    # These only ever occur inside JSON strings, where the escapes mean the same characters.
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text + "\n"


def to_markdown(records: Sequence[TurnRecord], title: str) -> str:
    """Return the transcript as Markdown."""
    out = [
        f"# Chat transcript: {markdown_text(title)}",
        "",
        f"<sub>{html_line(summary_line(records))}</sub>",
        "",
    ]
    for number, record in enumerate(records, 1):
        out.extend(_turn_markdown(number, record))
    return "\n".join(out).rstrip() + "\n"


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


def rounds_of(record: TurnRecord) -> list[tuple[str, list[ToolCallRecord]]]:
    """Return each model call's text and the tool calls it asked for, in order."""
    out = [(r.text, [c for c in record.tool_calls if c.round == r.index]) for r in record.rounds]
    if not out and (record.answer or record.tool_calls):
        out = [(record.answer, list(record.tool_calls))]
    return out


def _turn_markdown(number: int, record: TurnRecord) -> list[str]:
    out = [
        f"## {markdown_text(heading(number, record))}",
        "",
        f"<sub>{html_line(meta_line(record))}</sub>",
        "",
        "**You**",
        "",
    ]
    # Quoted first, then made safe: a fence inside the quote is then treated as doubtful.
    quoted = (f"> {line}" if line else ">" for line in record.prompt.splitlines() or [""])
    out.extend([safe_markdown("\n".join(quoted)), "", "**Assistant**", ""])
    for text, calls in rounds_of(record):
        if text:
            out.extend([safe_markdown(text.strip()), ""])
        for call in calls:
            out.extend(_call_markdown(call))
    out.extend([f"<sub>{html_line(usage_line(record))}</sub>", ""])
    return out


def _call_markdown(call: ToolCallRecord) -> list[str]:
    source = f" ({markdown_text(call.source)})" if call.source else ""
    head = f"- tool **{markdown_text(call.name)}**{source}: {markdown_text(decision_words(call))}"
    if call.seconds is not None and call.decision is not None and call.decision.approved:
        head += f" · {call.seconds * 1000:.0f} ms"
    out = [head, "", "  arguments:", "", *_fenced(arguments_text(call), "json"), ""]
    if call.result is not None:
        label = "error" if call.result.is_error else "result"
        out.extend([f"  {label}:", "", *_fenced(result_text(call), ""), ""])
    return out


def _fenced(text: str, lang: str) -> list[str]:
    # Longer than any run of backticks inside, and every line indented into the list item:
    # nothing in ``text`` can close the fence or leave the item.
    fence = "```"
    while fence in text:
        fence += "`"
    return [f"  {fence}{lang}", *(f"  {line}" for line in text.splitlines()), f"  {fence}"]
