r"""A change shown before it is made: old against new lines, each line highlighted.

A new cell shows all its lines as added, a deleted one all as removed, a replaced one the
changed lines with three lines of context around them (longer unchanged runs are folded into
a count); a cell about to run shows its code. Everything is escaped by Pygments, and ``$`` and
``\`` are encoded as in :func:`~jupyter_orch.ipython.display.code.code_html`.
"""

from __future__ import annotations

import difflib
import html

from ...core.tools import ToolPreview
from .code import code_html

ADDED = "background:rgba(46,160,67,.18)"
REMOVED = "background:rgba(248,81,73,.18)"
_MUTED = "opacity:.6"
_CONTEXT = 3
_MAX_LINES = 400


def preview_html(preview: ToolPreview) -> str:
    """Return the preview as HTML: its title, then the highlighted change."""
    title = f"<b>{_inert(html.escape(preview.title))}</b>"
    return f"{title}\n{change_html(preview)}"


def change_html(preview: ToolPreview) -> str:
    """Return the highlighted change in a ``<pre>`` (code alone when nothing changes)."""
    before, after, language = preview.before, preview.after, preview.language
    if before == after:
        return code_html(before or "", language)
    old = (before or "").splitlines()
    new = (after or "").splitlines()
    rows: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += _context(old[i1:i2], first=i1 == 0, last=i2 == len(old), language=language)
            continue
        rows += [_row("-", line, REMOVED, language) for line in old[i1:i2]]
        rows += [_row("+", line, ADDED, language) for line in new[j1:j2]]
    if len(rows) > _MAX_LINES:
        rows = [*rows[:_MAX_LINES], _note(f"… {len(rows) - _MAX_LINES:,} more lines")]
    return "<pre>" + "\n".join(rows) + "</pre>"


def _context(lines: list[str], *, first: bool, last: bool, language: str) -> list[str]:
    """Unchanged lines: those next to a change, and a count of the others."""
    head = [] if first else lines[:_CONTEXT]
    tail = [] if last else lines[-_CONTEXT:]
    if len(head) + len(tail) >= len(lines):
        return [_row(" ", line, "", language) for line in lines]
    folded = len(lines) - len(head) - len(tail)
    return [
        *(_row(" ", line, "", language) for line in head),
        _note(f"… {folded:,} unchanged line{'s' if folded != 1 else ''}"),
        *(_row(" ", line, "", language) for line in tail),
    ]


def _row(mark: str, line: str, style: str, language: str) -> str:
    code = code_html(line, language)[len("<pre>") : -len("</pre>")].rstrip("\n")
    shown = f"{mark} {code}"
    return f"<span style='{style}'>{shown}</span>" if style else shown


def _note(text: str) -> str:
    return f"<span style='{_MUTED}'>{_inert(html.escape(text))}</span>"


def _inert(text: str) -> str:
    return text.replace("$", "&#36;").replace("\\", "&#92;")
