r"""The notebook's own references in a ``%%chat`` prompt: In, Out, Err and cell.

They expand through :func:`~jupyter_orch.ipython.interpolate.interpolate` (once, like every
``{name}``), each bounded, each a one-line error when what it names does not exist:

- ``{In[3]}``: the source of the cell that ran as ``In [3]`` (``In[-2]``: the one before this);
- ``{Out[3]}``: its result; an image (a figure) goes to models that read images as an image
  part of the message, and to others as its text form, with a note;
- ``{Err}``: the last error of a cell (not of a ``%%chat`` cell), its traceback trimmed to the
  cells' frames and the line that raised;
- ``{cell}``: the cell that ran just before this one: its source, result and error.

A variable of the user named ``Err`` or ``cell`` is the user's: it wins.
"""

from __future__ import annotations

import base64
from collections import ChainMap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..core.errors import UsageError
from ..core.messages import ContentPart
from ..tools.notebook.tracebacks import CellLabel, bound, error_text
from ..tools.python.results import image_png, safe_repr, to_text

SOURCE_CHARS = 4_000
RESULT_CHARS = 4_000
MAX_IMAGE_BYTES = 2_000_000
_KEPT_ERRORS = 20


@dataclass(frozen=True)
class CellError:
    """An error raised by the cell that ran as ``In [count]``."""

    count: int | None
    source: str
    exception: BaseException


class ErrorLog:
    """The errors of the cells run in this kernel (the newest few), for ``{Err}``.

    Parameters
    ----------
    shell
        The IPython shell; :meth:`post_run_cell` follows its ``post_run_cell`` event.
    """

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.errors: dict[int | None, CellError] = {}

    @property
    def last(self) -> CellError | None:
        """The newest error, or ``None``."""
        return next(reversed(self.errors.values()), None)

    def post_run_cell(self, result: Any) -> None:
        """Keep the error of a cell that failed (a ``%%chat`` cell's own failure is not kept)."""
        exc = getattr(result, "error_in_exec", None) or getattr(result, "error_before_exec", None)
        info = getattr(result, "info", None)
        source = str(getattr(info, "raw_cell", "") or "")
        if exc is None or source.lstrip().startswith("%%chat"):
            return
        count = getattr(result, "execution_count", None)
        self.errors.pop(count, None)
        self.errors[count] = CellError(count, source, exc)
        while len(self.errors) > _KEPT_ERRORS:
            self.errors.pop(next(iter(self.errors)))

    def label(self) -> CellLabel:
        """Return how tracebacks name the kernel's cells (``Cell In[3]``)."""
        compiler = getattr(self.shell, "compile", None)
        name = getattr(compiler, "format_code_name", None)

        def label(filename: str) -> str | None:
            found = name(filename) if callable(name) else None
            return " ".join(found) if found else None

        return label

    def traceback(self, error: CellError) -> str:
        """Return ``error``'s trimmed traceback and message."""
        return error_text(error.exception, self.label())

    def text(self, error: CellError) -> str:
        """Return ``error`` for the model: where it happened and its trimmed traceback."""
        where = f"In [{error.count}]" if error.count is not None else "a cell"
        return f"The error of {where}:\n{self.traceback(error)}"


class PromptReferences:
    """The notebook's references for one prompt.

    Parameters
    ----------
    namespace
        The user's namespace (``shell.user_ns``).
    errors
        The kernel's errors, for ``{Err}`` and ``{cell}``.
    inputs
        The cells' sources as typed (``In`` holds them after IPython's transformations).
    current
        The running cell's number (``In [n]``), when known.
    reads_images
        The turn's model reads images: ``{Out[n]}`` of an image becomes an image part.

    Attributes
    ----------
    images
        The image parts the expanded references added (they join the message).
    """

    def __init__(
        self,
        namespace: Mapping[str, Any],
        errors: ErrorLog,
        *,
        inputs: list[str] | None = None,
        current: int | None,
        reads_images: bool,
    ) -> None:
        self.user_ns = namespace
        self.errors = errors
        typed = namespace.get("In")
        self.inputs: list[str] = inputs or (typed if isinstance(typed, list) else [])
        self.current = current
        self.reads_images = reads_images
        self.images: list[ContentPart] = []

    def namespace(self) -> Mapping[str, Any]:
        """Return the user's namespace with ``In`` and ``Out`` bounded (for every ``{name}``)."""
        overrides: dict[str, Any] = {}
        if isinstance(self.user_ns.get("In"), list):
            overrides["In"] = _Inputs(self)
        if isinstance(self.user_ns.get("Out"), dict):
            overrides["Out"] = _Results(self)
        return ChainMap(overrides, dict(self.user_ns)) if overrides else self.user_ns

    def extra(self) -> Mapping[str, Any]:
        """``{Err}`` and ``{cell}``, computed when a prompt names them (prose only)."""
        return _Lazy({"Err": self.last_error, "cell": self.previous_cell})

    # --- the references ------------------------------------------------------------------

    def source(self, count: int) -> str:
        """Return the source of ``In [count]``, bounded; a one-line error when there is none."""
        inputs = self.inputs
        if count < 0:
            count += len(inputs)
        if not 1 <= count < len(inputs):
            last = (self.current or len(inputs)) - 1
            ran = f"In [1] to In [{last}]" if last >= 1 else "none yet"
            raise _missing(f"{{In[{count}]}}: no cell ran as In [{count}] (ran: {ran})")
        return bound(str(inputs[count]), SOURCE_CHARS) or "(an empty cell)"

    def result(self, count: int) -> str:
        """Return the result of ``In [count]`` as text (an image is attached for models)."""
        results = self.user_ns["Out"]
        if count not in results:
            known = ", ".join(f"Out[{n}]" for n in sorted(results)[-8:]) or "none yet"
            raise _missing(
                f"{{Out[{count}]}}: In [{count}] has no result (a cell has one when its last "
                f"line is an expression); results: {known}"
            )
        return self._value(results[count], f"Out[{count}]")

    def last_error(self) -> str:
        """Return the newest error of a cell, trimmed; a one-line error when no cell failed."""
        error = self.errors.last
        if error is None:
            raise _missing(
                "{Err}: no cell has raised an error in this kernel yet (write {{Err}} for the "
                "literal text)"
            )
        return self.errors.text(error)

    def previous_cell(self) -> str:
        """Return the cell that ran before this one: its source, its result and its error."""
        inputs = self.inputs
        count = (self.current if self.current is not None else len(inputs)) - 1
        if not 1 <= count < len(inputs):
            raise _missing("{cell}: no cell ran before this one in this kernel")
        parts = [f"The cell In [{count}]:", _fenced(self.source(count), "python")]
        results = self.user_ns.get("Out")
        if isinstance(results, dict) and count in results:
            parts += ["Its result:", _fenced(self._value(results[count], f"Out[{count}]"), "")]
        error = self.errors.errors.get(count)
        if error is not None:
            parts += ["Its error:", _fenced(self.errors.text(error), "")]
        return "\n".join(parts)

    def _value(self, value: object, name: str) -> str:
        png = image_png(value)
        if png is None:
            return bound(to_text(value), RESULT_CHARS)
        label = bound(safe_repr(value), 300)
        if not self.reads_images:
            return f"{label} (an image; this model does not read images, so here is its text form)"
        if len(png) > MAX_IMAGE_BYTES:
            return f"{label} (an image of {len(png):,} bytes: too large to attach)"
        url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        self.images.append({"type": "image_url", "image_url": {"url": url}})
        return f"{label} (the image {name} is attached to this message, image {len(self.images)})"


class _Inputs:
    """``In`` in a prompt: ``{In[3]}`` is the cell's source, bounded."""

    def __init__(self, references: PromptReferences) -> None:
        self.references = references

    def __getitem__(self, key: object) -> str:
        if not isinstance(key, int):
            raise _missing(f"{{In[{key}]}}: In takes a cell number, like {{In[3]}}")
        return self.references.source(key)


class _Results:
    """``Out`` in a prompt: ``{Out[3]}`` is the cell's result (an image attached)."""

    def __init__(self, references: PromptReferences) -> None:
        self.references = references

    def __getitem__(self, key: object) -> str:
        if not isinstance(key, int):
            raise _missing(f"{{Out[{key}]}}: Out takes a cell number, like {{Out[3]}}")
        return self.references.result(key)


class _Lazy(Mapping[str, Any]):
    """Values computed when looked up (a missing reference is an error only when used)."""

    def __init__(self, makers: dict[str, Callable[[], Any]]) -> None:
        self._makers = makers

    def __getitem__(self, name: str) -> Any:
        return self._makers[name]()

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)


def _missing(message: str) -> UsageError:
    return UsageError(f"{message}; nothing was sent")


def _fenced(text: str, language: str) -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}{language}\n{text}\n{fence}"
