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
from ..core.errors import UsageError
from ..core.safe_markdown import html_line, markdown_text, safe_markdown
from .export_html import to_html
from .export_parts import (
    arguments_text,
    change_text,
    decision_words,
    elicitation_lines,
    heading,
    meta_line,
    result_text,
    rounds_of,
    summary_line,
    usage_line,
)
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
    out.extend(f"  {markdown_text(line)}\n" for line in elicitation_lines(call))
    if call.change is not None:
        lang = "diff" if call.change.diff else call.change.language
        title = markdown_text(call.change.title)
        out.extend([f"  change: {title}", "", *_fenced(change_text(call), lang), ""])
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
