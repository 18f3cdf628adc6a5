"""Turn what a notebook function returned into a bounded result for the model.

Strings go as they are, tables as a few rows of markdown, JSON-able containers as JSON, other
objects as their repr; everything is cut to a size limit with a note saying what was cut.
Images (matplotlib figures, PIL images, anything with ``_repr_png_``) become an image part the
model can see and a PNG bundle the cell can show. pandas, matplotlib and PIL are never
imported here: an object of theirs brings its own methods.
"""

from __future__ import annotations

import base64
import io
import json
from typing import Any

from jupyter_orch.core.messages import ToolResult

DEFAULT_MAX_CHARS = 20_000
MAX_TABLE_ROWS = 20
MAX_TABLE_COLUMNS = 20
_MAX_CELL_CHARS = 60
_MAX_IMAGE_BYTES = 4_000_000


def format_result(value: object, *, max_chars: int = DEFAULT_MAX_CHARS) -> ToolResult:
    """Return ``value`` as a :class:`ToolResult` of at most about ``max_chars`` characters.

    Parameters
    ----------
    value
        What the tool returned. A :class:`ToolResult` passes through unchanged.
    max_chars
        The text limit; longer text is cut and ends with a note saying how much was cut.
    """
    if isinstance(value, ToolResult):
        return value
    png = image_png(value)
    if png is not None:
        return _image_result(value, png, max_chars)
    return ToolResult(content=truncate(to_text(value), max_chars))


def to_text(value: object) -> str:
    """Return the text the model reads for ``value``, before any size limit."""
    if value is None:
        return "(no result)"
    if isinstance(value, str):
        return value
    if is_pandas(value, "DataFrame"):
        return frame_table(value)
    if is_pandas(value, "Series"):
        return series_table(value)
    if isinstance(value, dict | list | tuple):
        try:
            return json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):  # not JSON-able (objects, cycles): repr says more
            return safe_repr(value)
    dump_json = getattr(value, "model_dump_json", None)
    if callable(dump_json) and not isinstance(value, type):
        return str(dump_json())
    return safe_repr(value)


def truncate(text: str, max_chars: int) -> str:
    """Return ``text`` cut to ``max_chars`` characters, with a note when anything was cut."""
    if len(text) <= max_chars:
        return text
    return (
        f"{text[:max_chars]}\n"
        f"... (truncated: showing the first {max_chars:,} of {len(text):,} characters)"
    )


def safe_repr(value: object) -> str:
    """Return ``repr(value)``, or a placeholder when its ``__repr__`` raises."""
    try:
        return repr(value)
    except Exception as exc:  # a broken __repr__ must not fail the tool
        return f"<{type(value).__name__} object; repr failed: {exc!r}>"


def is_pandas(value: object, class_name: str) -> bool:
    """Return whether ``value`` is a pandas ``class_name`` (or a subclass), without pandas."""
    return any(
        cls.__name__ == class_name and cls.__module__.startswith("pandas")
        for cls in type(value).__mro__
    )


def frame_table(
    frame: Any, *, max_rows: int = MAX_TABLE_ROWS, max_columns: int = MAX_TABLE_COLUMNS
) -> str:
    """Return a pandas DataFrame as a markdown table of its first and last rows and columns.

    A note follows when rows or columns were left out, for example
    ``(showing 20 of 5,000 rows)``. Needs no ``tabulate``.
    """
    n_rows, n_cols = frame.shape
    row_positions = _kept_positions(n_rows, max_rows)
    column_positions = _kept_positions(n_cols, max_columns)
    # Rows first: taking columns first (what `iloc[rows, cols]` does) copies every row.
    shown = frame.iloc[row_positions].iloc[:, column_positions]
    header = [_cell(frame.index.name or ""), *(_cell(c) for c in shown.columns)]
    body = [[_cell(v) for v in row] for row in shown.itertuples(index=True, name=None)]
    if len(row_positions) < n_rows:
        body.insert(max_rows // 2, ["..."] * len(header))
    if len(column_positions) < n_cols:
        for row in [header, *body]:
            row.insert(max_columns // 2 + 1, "...")
    lines = [_markdown_row(header), _markdown_row(["---"] * len(header))]
    lines += [_markdown_row(row) for row in body]
    note = _shown_note(n_rows, max_rows, "rows") + _shown_note(n_cols, max_columns, "columns")
    if note:
        lines.append(f"(showing {', '.join(note)})")
    return "\n".join(lines)


def series_table(series: Any, *, max_rows: int = MAX_TABLE_ROWS) -> str:
    """Return a pandas Series as a two-column markdown table (index and values)."""
    name = series.name if series.name is not None else "value"
    return frame_table(series.to_frame(name=name), max_rows=max_rows)


def _kept_positions(total: int, limit: int) -> list[int]:
    if total <= limit:
        return list(range(total))
    half = limit // 2
    return [*range(half), *range(total - (limit - half), total)]


def _shown_note(total: int, limit: int, what: str) -> list[str]:
    return [f"{limit:,} of {total:,} {what}"] if total > limit else []


def _cell(value: object) -> str:
    text = f"{value:.6g}" if isinstance(value, float) else str(value)
    text = text.replace("|", "\\|").replace("\n", " ")
    if len(text) > _MAX_CELL_CHARS:
        return text[: _MAX_CELL_CHARS - 3] + "..."
    return text


def _markdown_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def image_png(value: object) -> bytes | None:
    """Return PNG bytes for an image-like ``value``, or ``None`` when it is not one.

    Matplotlib figures and axes, PIL images and objects with ``_repr_png_`` count. A renderer
    that raises counts as "not an image": the repr is still a useful answer.
    """
    if isinstance(value, type):
        return None
    module = type(value).__module__ or ""
    try:
        if module.startswith("matplotlib"):
            figure = value if hasattr(value, "savefig") else getattr(value, "figure", None)
            if figure is not None and hasattr(figure, "savefig"):
                buffer = io.BytesIO()
                figure.savefig(buffer, format="png", bbox_inches="tight")
                return buffer.getvalue()
        if module.startswith("PIL") and hasattr(value, "save"):
            buffer = io.BytesIO()
            value.save(buffer, format="PNG")
            return buffer.getvalue()
        return _repr_png(value)
    except Exception:  # see the docstring: fall back to text
        return None


def _repr_png(value: object) -> bytes | None:
    method = getattr(value, "_repr_png_", None)
    if not callable(method):
        return None
    data = method()
    if isinstance(data, tuple):  # IPython allows (data, metadata)
        data = data[0]
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):  # IPython allows base64 text too
        return base64.b64decode(data)
    return None


def _image_result(value: object, png: bytes, max_chars: int) -> ToolResult:
    label = truncate(safe_repr(value), max_chars)
    if len(png) > _MAX_IMAGE_BYTES:
        note = f"{label}\n(an image of {len(png):,} bytes was not sent: over the size limit)"
        return ToolResult(content=note)
    encoded = base64.b64encode(png).decode("ascii")
    parts: list[dict[str, Any]] = [
        {"type": "text", "text": f"{label}\n(PNG image, {len(png):,} bytes)"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{encoded}"}},
    ]
    return ToolResult(content=parts, display=({"image/png": encoded},))
