"""The HTML export: one self-contained page, every piece of text escaped.

Answers are Markdown; a small converter renders the common parts (paragraphs, headings,
lists, quotes, fenced code, inline code, emphasis, http links). Raw HTML in an answer is
shown as text, never interpreted; every value from a record (which may come from someone
else's notebook) is escaped, attributes included; links are made only to ``http(s):`` and
``mailto:`` targets, with no quote or angle bracket in them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

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
from .record import ToolCallRecord, TurnRecord

_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:52em;margin:2em auto;
padding:0 1em;color:#1f2328}
h1{font-size:1.6em}h2{font-size:1.2em;border-bottom:1px solid #d0d7de;padding-bottom:.2em;
margin-top:2em}
.meta,.usage{color:#59636e;font-size:.85em}
.you{background:#f6f8fa;border-left:4px solid #0969da;padding:.2em 1em;margin:.5em 0}
.tool{border:1px solid #d0d7de;border-radius:6px;padding:.3em .8em;margin:.6em 0}
.tool.rejected,.tool.expired{border-color:#cf222e}
.tool .head{font-weight:600}
pre{background:#f6f8fa;padding:.5em;overflow:auto;white-space:pre-wrap;word-break:break-word}
code{background:#f6f8fa;padding:0 .2em}
pre code{background:none;padding:0}
.label{color:#59636e;font-size:.85em;margin:.3em 0 0}
"""


def to_html(records: Sequence[TurnRecord], title: str) -> str:
    """Return the transcript as a standalone HTML page."""
    esc = html.escape
    body = [
        f"<h1>Chat transcript: {esc(title)}</h1>",
        f'<p class="meta">{esc(summary_line(records))}</p>',
    ]
    for number, record in enumerate(records, 1):
        body.extend(_turn(number, record))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Chat transcript: {esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
        "<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def _turn(number: int, record: TurnRecord) -> list[str]:
    esc = html.escape
    out = [
        f'<section class="turn" id="turn-{number}">',
        f"<h2>{esc(heading(number, record))}</h2>",
        f'<p class="meta">{esc(meta_line(record))}</p>',
        f'<div class="you"><p class="label">You</p>{markdown_html(record.prompt)}</div>',
        '<div class="assistant"><p class="label">Assistant</p>',
    ]
    for text, calls in rounds_of(record):
        if text:
            out.append(markdown_html(text))
        out.extend(_call(call) for call in calls)
    out.extend(["</div>", f'<p class="usage">{esc(usage_line(record))}</p>', "</section>"])
    return out


def _call(call: ToolCallRecord) -> str:
    esc = html.escape
    kind = esc(call.decision.outcome if call.decision is not None else "error")
    source = f" ({esc(call.source)})" if call.source else ""
    head = f"tool <code>{esc(call.name)}</code>{source}: {esc(decision_words(call))}"
    if call.seconds is not None and call.decision is not None and call.decision.approved:
        head += f" · {call.seconds * 1000:.0f} ms"
    parts = [
        f'<div class="tool {kind}"><div class="head">{head}</div>',
        f'<p class="label">arguments</p><pre>{esc(arguments_text(call))}</pre>',
    ]
    parts.extend(f'<p class="label">{esc(line)}</p>' for line in elicitation_lines(call))
    if call.change is not None:
        title = esc(call.change.title)
        parts.append(f'<p class="label">change: {title}</p><pre>{esc(change_text(call))}</pre>')
    if call.result is not None:
        label = "error" if call.result.is_error else "result"
        parts.append(f'<p class="label">{label}</p><pre>{esc(result_text(call))}</pre>')
    parts.append("</div>")
    return "".join(parts)


_FENCE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_INLINE = [
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"<em>\1</em>"),
    (re.compile(r"(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)"), r"<em>\1</em>"),
    (
        re.compile(r"\[([^\]]+)\]\((https?://[^)\s\"'<>]+|mailto:[^)\s\"'<>]+)\)"),
        r'<a href="\2">\1</a>',
    ),
]


def markdown_html(text: str) -> str:
    """Render common Markdown as HTML; everything else stays (escaped) text."""
    out: list[str] = []
    block: list[str] = []
    kind = ""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            _close(out, block, kind)
            block, kind = [], ""
            i = _code(out, lines, i, fence.group(1))
            continue
        line_kind, content = _classify(line)
        if line_kind != kind or line_kind in ("h", ""):
            _close(out, block, kind)
            block, kind = [], line_kind
        if line_kind:
            block.append(content)
        i += 1
    _close(out, block, kind)
    return "\n".join(out)


def _classify(line: str) -> tuple[str, str]:
    if not line.strip():
        return "", ""
    for kind, pattern in (("h", _HEADING), ("ul", _BULLET), ("ol", _NUMBERED)):
        m = pattern.match(line)
        if m:
            return (kind, line) if kind == "h" else (kind, m.group(1))
    if line.lstrip().startswith(">"):
        return "quote", line.lstrip()[1:].lstrip()
    return "p", line


def _code(out: list[str], lines: list[str], start: int, fence: str) -> int:
    end = start + 1
    while end < len(lines) and not lines[end].strip().startswith(fence):
        end += 1
    code = "\n".join(lines[start + 1 : end])
    out.append(f"<pre><code>{html.escape(code)}</code></pre>")
    return end + 1


def _close(out: list[str], block: list[str], kind: str) -> None:
    if not block:
        return
    if kind == "h":
        m = _HEADING.match(block[0])
        level = len(m.group(1)) + 2 if m else 3
        out.append(f"<h{min(level, 6)}>{_inline(m.group(2) if m else block[0])}</h{min(level, 6)}>")
    elif kind in ("ul", "ol"):
        items = "".join(f"<li>{_inline(item)}</li>" for item in block)
        out.append(f"<{kind}>{items}</{kind}>")
    elif kind == "quote":
        out.append(f"<blockquote>{markdown_html(chr(10).join(block))}</blockquote>")
    else:
        out.append(f"<p>{'<br>'.join(_inline(line) for line in block)}</p>")


def _inline(text: str) -> str:
    pieces = re.split(r"(`[^`]+`)", text)
    out = []
    for piece in pieces:
        if len(piece) > 1 and piece.startswith("`") and piece.endswith("`"):
            out.append(f"<code>{html.escape(piece[1:-1])}</code>")
            continue
        escaped = html.escape(piece, quote=False)
        for pattern, replacement in _INLINE:
            escaped = pattern.sub(replacement, escaped)
        out.append(escaped)
    return "".join(out)
