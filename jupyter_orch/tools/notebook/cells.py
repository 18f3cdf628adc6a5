"""A notebook as the model reads it: cells with their source, outputs, error and run state.

Every source of cells (the page, the saved ``.ipynb``, the kernel's own history) is turned
into a :class:`Snapshot` here, from nbformat-shaped JSON. Nothing in a snapshot is trusted:
it is text the notebook's author (or a tool, or a model) wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


@dataclass(frozen=True)
class Output:
    """One output of a cell.

    Parameters
    ----------
    kind
        ``stream``, ``result``, ``display`` or ``error``.
    text
        Its text (a stream's text, a result's ``text/plain``, an error's traceback).
    images
        ``(mime type, base64 data)`` of the raster images it shows.
    """

    kind: str
    text: str = ""
    images: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Cell:
    """One cell.

    Parameters
    ----------
    index
        Its position in the notebook, from 1.
    id
        Its nbformat id (``""`` when the notebook has none).
    type
        ``code``, ``markdown`` or ``raw``.
    source
        Its text.
    execution_count
        The ``In [n]`` it last ran as, or ``None``.
    running
        It is running or waiting to run now (only a page knows).
    outputs
        Its outputs, in order.
    """

    index: int
    id: str
    type: str
    source: str
    execution_count: int | None = None
    running: bool = False
    outputs: tuple[Output, ...] = ()

    @property
    def error(self) -> Output | None:
        """The cell's error output, if it failed."""
        return next((o for o in self.outputs if o.kind == "error"), None)

    @property
    def is_chat(self) -> bool:
        """Whether this is a ``%%chat`` cell."""
        return self.type == "code" and self.source.lstrip().startswith("%%chat")

    def run_state(self) -> str:
        """Say how the cell ran: ``In [5]``, ``running``, ``not run`` (or ``-`` for text)."""
        if self.type != "code":
            return "-"
        if self.running:
            return "running"
        if self.execution_count is not None:
            return f"In [{self.execution_count}]"
        return "not run"

    def first_line(self, limit: int = 80) -> str:
        """Return the first non-blank line of the source, cut to ``limit`` characters."""
        line = next((ln.strip() for ln in self.source.splitlines() if ln.strip()), "")
        return line if len(line) <= limit else line[: limit - 1] + "…"


@dataclass(frozen=True)
class Snapshot:
    """The cells of one notebook at one moment, and where they were read.

    Parameters
    ----------
    cells
        The cells, in order.
    origin
        Where they come from, in words the model reads (``the page (live)``, ``the saved
        copy on disk``...).
    path
        The notebook's path, when known.
    live
        Read from the page (unsaved changes included).
    """

    cells: tuple[Cell, ...]
    origin: str
    path: str = ""
    live: bool = False

    def find(self, reference: str) -> Cell | None:
        """Return the cell ``reference`` names: its id, or its position from 1."""
        text = reference.strip().lstrip("#")
        if text.isdigit():
            position = int(text)
            return self.cells[position - 1] if 1 <= position <= len(self.cells) else None
        return next((c for c in self.cells if c.id == reference.strip()), None)

    def where(self) -> str:
        """Say which notebook and from where, in one line."""
        name = f"{self.path} " if self.path else ""
        return f"{name}({self.origin}; {len(self.cells)} cells)".strip()


def strip_ansi(text: str) -> str:
    """Remove terminal colour codes (tracebacks carry them)."""
    return _ANSI.sub("", text)


def joined(value: Any) -> str:
    """Return nbformat's multi-line text (a string or a list of strings) as one string."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(str(v) for v in value)
    return ""


def output_from_json(data: Mapping[str, Any]) -> Output | None:
    """Read one nbformat output; ``None`` for what has no text and no image (widgets)."""
    kind = data.get("output_type")
    if kind == "stream":
        return Output("stream", strip_ansi(joined(data.get("text"))))
    if kind == "error":
        traceback = data.get("traceback")
        lines = [strip_ansi(str(t)) for t in traceback] if isinstance(traceback, list) else []
        head = f"{data.get('ename', 'Error')}: {data.get('evalue', '')}"
        text = "\n".join(lines) if lines else head
        if head not in text:
            text = f"{text}\n{head}"
        return Output("error", text)
    if kind in ("execute_result", "display_data"):
        bundle = data.get("data")
        if not isinstance(bundle, Mapping):
            return None
        images = tuple(_images(bundle))
        text = strip_ansi(joined(bundle.get("text/plain")))
        if not text and not images:
            text = _other_text(bundle)
        if not text and not images:
            return None
        return Output("result" if kind == "execute_result" else "display", text, images)
    return None


def _images(bundle: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    for mime in IMAGE_TYPES:
        data = "".join(joined(bundle.get(mime)).split())
        if data and _BASE64.fullmatch(data):
            yield mime, data
            return


def _other_text(bundle: Mapping[str, Any]) -> str:
    for mime in ("text/markdown", "text/latex", "application/json"):
        if mime in bundle:
            return joined(bundle[mime]) if mime != "application/json" else str(bundle[mime])
    if "text/html" in bundle:
        return "(an HTML output)"
    return ""


def cell_from_json(index: int, data: Mapping[str, Any], *, running: bool = False) -> Cell:
    """Read one nbformat cell (``index`` from 1)."""
    outputs = data.get("outputs")
    read = [output_from_json(o) for o in outputs if isinstance(o, Mapping)] if outputs else []
    count = data.get("execution_count")
    return Cell(
        index=index,
        id=str(data.get("id") or ""),
        type=str(data.get("cell_type") or "code"),
        source=joined(data.get("source")),
        execution_count=count if isinstance(count, int) else None,
        running=running,
        outputs=tuple(o for o in read if o is not None),
    )


def cells_from_json(cells: Sequence[Any]) -> tuple[Cell, ...]:
    """Read a list of nbformat cells; entries that are not objects are skipped."""
    found = [c for c in cells if isinstance(c, Mapping)]
    return tuple(
        cell_from_json(i, c, running=bool(c.get("running"))) for i, c in enumerate(found, 1)
    )
