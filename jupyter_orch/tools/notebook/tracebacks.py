"""An error as the model needs it.

The cells' own frames, the library frame that raised, the message; the library frames in
between are counted, not shown.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable

ERROR_CHARS = 3_000
"""An error's text is cut to this many characters (its end is kept: the message)."""

CellLabel = Callable[[str], "str | None"]
"""Names a frame's file when it is a notebook cell (``Cell In[3]``), else ``None``."""

_LINE_CHARS = 200


def error_text(
    exc: BaseException, label: CellLabel = lambda filename: None, limit: int = ERROR_CHARS
) -> str:
    """Return ``exc`` with its traceback trimmed to what matters, at most ``limit`` characters.

    The frames of notebook cells are kept, with their lines; of each run of library frames
    only the first (where the cell called in) and the last (where it raised) are kept, and the
    others are counted. The interpreter's own frames before the first cell are left out.
    Chained exceptions (``raise ... from``) are named in one line each.
    """
    lines = [*_frames(exc, label), *_message(exc)]
    lines += _chain(exc)
    return bound_tail("\n".join(lines), limit)


def _frames(exc: BaseException, label: CellLabel) -> list[str]:
    if isinstance(exc, SyntaxError):
        return []  # the compiler's frames; the message names the line
    stack = traceback.extract_tb(exc.__traceback__)
    named = [label(frame.filename) for frame in stack]
    first_cell = next((i for i, name in enumerate(named) if name), None)
    if first_cell is None:
        kept = list(range(max(0, len(stack) - 2), len(stack)))
    else:
        kept = [i for i in range(first_cell, len(stack)) if _keep(i, named, len(stack))]
    if not kept:
        return []
    out = ["Traceback (most recent call last):"]
    previous = kept[0] - 1
    for index in kept:
        if index - previous > 1:
            out.append(f"  ... {index - previous - 1} library frame(s) left out ...")
        frame = stack[index]
        where = named[index] or short_path(frame.filename)
        out.append(f"  {where}, line {frame.lineno}, in {frame.name}")
        if frame.line:
            out.append(f"    {_cut(frame.line.strip())}")
        previous = index
    return out


def short_path(filename: str) -> str:
    """Return a library file's path from its ``sys.path`` folder (``json/decoder.py``)."""
    folders = sorted((p for p in sys.path if p and filename.startswith(p + os.sep)), key=len)
    return filename[len(folders[-1]) + 1 :] if folders else filename


def _keep(index: int, named: list[str | None], total: int) -> bool:
    """Keep a cell's frame, a library frame next to a cell's frame, or the last frame."""
    if named[index] or index == total - 1:
        return True
    return bool(named[index - 1]) if index > 0 else False


def _message(exc: BaseException) -> list[str]:
    text = "".join(traceback.format_exception_only(type(exc), exc)).rstrip("\n")
    return [_cut(line, 1_000) for line in text.splitlines()]


def _chain(exc: BaseException) -> list[str]:
    out: list[str] = []
    seen = {id(exc)}
    current = exc
    while len(out) < 3:
        cause, how = current.__cause__, "caused by"
        if cause is None and not current.__suppress_context__:
            cause, how = current.__context__, "while handling"
        if cause is None or id(cause) in seen:
            break
        seen.add(id(cause))
        message = "".join(traceback.format_exception_only(type(cause), cause)).strip()
        last = message.splitlines()[-1] if message else type(cause).__name__
        out.append(f"({how} {_cut(last)})")
        current = cause
    return out


def _cut(line: str, limit: int = _LINE_CHARS) -> str:
    return line if len(line) <= limit else line[: limit - 1] + "…"


def bound(text: str, limit: int) -> str:
    """Return ``text``'s first ``limit`` characters, saying how many were left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n… ({len(text) - limit:,} more characters left out)"


def bound_tail(text: str, limit: int) -> str:
    """Return ``text``'s last ``limit`` characters, saying how many were left out."""
    if len(text) <= limit:
        return text
    return f"… ({len(text) - limit:,} characters left out)\n{text[-limit:]}"
