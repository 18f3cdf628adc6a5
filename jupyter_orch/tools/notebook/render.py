"""Cells as text for the model: one line per cell, one cell in full, or a bounded summary.

Every piece is bounded: a cell's source, its output text, its error, the number and size of
its images, and the whole summary (:data:`CONTEXT_CHARS`). Images become ``image_url`` parts
only when the caller says the model reads them; otherwise a note stands in their place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ...core.messages import ContentPart
from .cells import Cell, Output, Snapshot
from .tracebacks import bound, bound_tail


@dataclass(frozen=True)
class Limits:
    """How much of a cell is shown.

    Parameters
    ----------
    source, output, error
        Characters of the source, of each output's text, of the error.
    images
        Images attached at most; ``image_chars`` is the largest one's base64 length.
    """

    source: int = 10_000
    output: int = 3_000
    error: int = 3_000
    images: int = 4
    image_chars: int = 2_800_000


READ_LIMITS = Limits()
"""What ``read_cell`` shows of one cell."""

CONTEXT_LIMITS = Limits(source=1_500, output=600, error=1_000, images=1, image_chars=700_000)
"""What ``--context`` shows of each cell it details."""

CONTEXT_CHARS = 16_000
"""The whole ``--context`` summary stays under this many characters (about 4,000 tokens)."""

CONTEXT_IMAGES = 4
"""Images ``--context`` attaches at most."""


def cell_line(cell: Cell) -> str:
    """One line: ``3 · id 1a2b · code · In [5] · error · first line``."""
    parts = [str(cell.index), f"id {cell.id}" if cell.id else "no id", cell.type]
    state = cell.run_state()
    if state != "-":
        parts.append(state)
    if cell.error is not None:
        parts.append("ERROR")
    if cell.is_chat:
        parts.append("chat cell")
    return " · ".join(parts) + f" · {cell.first_line() or '(empty)'}"


def cell_list(snapshot: Snapshot) -> str:
    """Return the list of cells, with where it was read."""
    head = f"Notebook {snapshot.where()}."
    if not snapshot.cells:
        return head + "\nIt has no cells."
    legend = "position · id · type · run state · error · first line"
    return "\n".join([head, legend, *(cell_line(c) for c in snapshot.cells)])


def cell_detail(
    cell: Cell, *, images: bool, limits: Limits = READ_LIMITS
) -> tuple[str, list[ContentPart]]:
    """One cell in full: a header, its source and its outputs (bounded), and its images."""
    header = f"cell {cell.index} · {cell.type}" + (f" · id {cell.id}" if cell.id else "")
    if cell.type == "code":
        header += f" · {cell.run_state()}"
    lines = [f"--- {header} ---", bound(cell.source, limits.source) or "(empty)"]
    parts: list[ContentPart] = []
    for output in cell.outputs:
        text, attached = _output(output, limits, images and len(parts) < limits.images)
        parts += attached
        if text:
            lines.append(text)
    return "\n".join(lines), parts


def _output(output: Output, limits: Limits, attach: bool) -> tuple[str, list[ContentPart]]:
    if output.kind == "error":
        return f"error:\n{bound_tail(output.text, limits.error)}", []
    label = {"stream": "printed", "result": "result", "display": "shown"}.get(output.kind, "")
    text = f"{label}:\n{bound(output.text.rstrip(), limits.output)}" if output.text.strip() else ""
    parts: list[ContentPart] = []
    notes = []
    for mime, data in output.images:
        if attach and len(data) <= limits.image_chars and not parts:
            parts.append({"type": "image_url", "image_url": {"url": f"data:{mime};base64,{data}"}})
            notes.append(f"(an image, {mime}: attached)")
        else:
            notes.append(f"(an image, {mime}: not attached)")
    return "\n".join([t for t in (text, *notes) if t]), parts


def context_summary(
    snapshot: Snapshot,
    *,
    images: bool,
    near: int | None = None,
    budget: int = CONTEXT_CHARS,
) -> tuple[str, list[ContentPart]]:
    """Return a bounded summary of ``snapshot`` for a prompt, and its image parts.

    Every cell gets its line; then cells are shown in full (bounded by
    :data:`CONTEXT_LIMITS`) from the one nearest position ``near`` (the chat cell; default
    the end) outwards, as long as the whole stays under ``budget`` characters. ``%%chat``
    cells show only their line: their turns are in the conversation already.
    """
    cells = snapshot.cells
    lines = {c.index: cell_line(c) for c in cells}
    used = sum(len(line) + 1 for line in lines.values()) + 400
    shown: dict[int, str] = {}
    parts: list[ContentPart] = []
    centre = near if near is not None else len(cells) + 1
    for cell in sorted(cells, key=lambda c: (abs(c.index - centre), -c.index)):
        if cell.is_chat:
            continue
        attach = images and len(parts) < CONTEXT_IMAGES
        text, attached = cell_detail(cell, images=attach, limits=CONTEXT_LIMITS)
        if used + len(text) - len(lines[cell.index]) > budget:
            continue
        used += len(text) - len(lines[cell.index])
        shown[cell.index] = text
        parts += attached
    body = [shown.get(c.index, lines[c.index]) for c in cells]
    return "\n".join([_context_head(snapshot, shown, parts), *body]), parts


def _context_head(snapshot: Snapshot, shown: dict[int, str], parts: Sequence[ContentPart]) -> str:
    total = len(snapshot.cells)
    detail = f"{len(shown)} shown in full" if len(shown) < total else "all shown in full"
    head = f"The notebook {snapshot.where()}; {detail}"
    if len(shown) < total:
        head += ", the others by one line (position · id · type · run state · first line)"
    if parts:
        head += f"; {len(parts)} image(s) attached"
    return head + ":"


def parse_range(text: str, total: int) -> tuple[int, int]:
    """Read ``3-7`` (or ``5``) as a range of positions from 1; raise ``ValueError``."""
    start_text, sep, stop_text = text.partition("-")
    try:
        start = int(start_text)
        stop = int(stop_text) if sep else start
    except ValueError:
        raise ValueError(f"{text!r} is not a range like 3-7") from None
    if start < 1 or stop < start:
        raise ValueError(f"{text!r} is not a range like 3-7 (positions count from 1)")
    if start > total:
        raise ValueError(f"the notebook has {total} cells, so there is no cell {start}")
    return start, min(stop, total)
