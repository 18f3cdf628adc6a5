"""Read-only tools that let the model look at the notebook variables the user exposed.

Only names the user exposed are visible: the namespace also holds API keys and other secrets,
so asking for any other name gets the same "not exposed" answer whether it exists or not.
Values are looked up at call time, so a reassigned variable is seen as it is now.
"""

from __future__ import annotations

import inspect
import itertools
import statistics
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Annotated, Any

from pydantic import Field

from jupyter_orch.core.errors import UsageError
from jupyter_orch.core.messages import ToolResult
from jupyter_orch.core.tools import Tool

from .functions import FunctionTool
from .results import frame_table, is_pandas, safe_repr, series_table, to_text, truncate

SOURCE = "variables"
_REPR_CHARS = 2_000
_SUMMARY_CHARS = 80
_MAX_COLUMNS_LISTED = 100


class VariableView:
    """The exposed part of a namespace: which names the model may read.

    Parameters
    ----------
    namespace
        The notebook's namespace (``shell.user_ns``); read at every call.
    names
        Names exposed from the start.

    Raises
    ------
    UsageError
        A name in ``names`` is not defined in ``namespace``.
    """

    def __init__(self, namespace: Mapping[str, object], names: Iterable[str] = ()) -> None:
        self.namespace = namespace
        self._names: dict[str, None] = {}
        self.expose(*names)

    @property
    def names(self) -> tuple[str, ...]:
        """The exposed names, in the order they were exposed."""
        return tuple(self._names)

    def expose(self, *names: str) -> None:
        """Let the model read ``names``; all must be defined, or none is exposed."""
        missing = [n for n in names if n not in self.namespace]
        if missing:
            raise UsageError(f"not defined, cannot expose: {', '.join(missing)}")
        self._names.update(dict.fromkeys(names))

    def hide(self, *names: str) -> None:
        """Stop exposing ``names`` (names not exposed are ignored)."""
        for name in names:
            self._names.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def lookup(self, name: str) -> object:
        """Return the current value of the exposed ``name``.

        Raises
        ------
        LookupError
            ``name`` is not exposed, or no longer defined; the message is for the model.
        """
        if name not in self._names:
            exposed = ", ".join(self._names) or "none"
            raise LookupError(f"variable {name!r} is not exposed (exposed: {exposed})")
        if name not in self.namespace:
            raise LookupError(f"variable {name!r} is exposed but no longer defined")
        return self.namespace[name]


def variable_tools(
    view: VariableView | Mapping[str, object], names: Iterable[str] | None = None
) -> list[Tool]:
    """Return the read-only inspection tools over the exposed variables.

    Parameters
    ----------
    view
        A :class:`VariableView` (its exposed set may grow later), or a namespace.
    names
        With a namespace: the names to expose.
    """
    if not isinstance(view, VariableView):
        view = VariableView(view, names or ())
    elif names is not None:
        view.expose(*names)
    functions = [
        _list_variables(view),
        _inspect_variable(view),
        _variable_head(view),
        _describe_variable(view),
    ]
    return [FunctionTool.from_callable(f, source=SOURCE, policy="auto") for f in functions]


# The tool functions are plain functions: FunctionTool runs them in a worker thread, so a
# describe() of a large frame never freezes the event loop (and with it the Approve buttons,
# the chat panel and Interrupt). They only read.


def _list_variables(view: VariableView) -> Callable[..., Any]:
    def list_variables() -> str:
        """List the notebook variables the user exposed to you, with type and a summary."""
        if not view.names:
            return "(no variables are exposed; the user can expose some with %chat expose NAME)"
        lines = []
        for name in view.names:
            try:
                lines.append(f"{name}: {summarize(view.lookup(name))}")
            except LookupError as exc:
                lines.append(f"{name}: {exc}")
        return "\n".join(lines)

    return list_variables


def _inspect_variable(view: VariableView) -> Callable[..., Any]:
    def inspect_variable(name: str) -> str | ToolResult:
        """Describe an exposed notebook variable: type, shape or length, columns, a preview.

        Parameters
        ----------
        name
            The variable's name, as listed by list_variables.
        """
        try:
            value = view.lookup(name)
        except LookupError as exc:
            return ToolResult.error(str(exc))
        return "\n".join([f"name: {name}", *details(value)])

    return inspect_variable


def _variable_head(view: VariableView) -> Callable[..., Any]:
    def variable_head(name: str, n: Annotated[int, Field(ge=1, le=100)] = 5) -> str | ToolResult:
        """Show the first rows or items of an exposed notebook variable.

        Parameters
        ----------
        name
            The variable's name, as listed by list_variables.
        n
            How many rows, items or lines to show.
        """
        try:
            return head(view.lookup(name), n)
        except LookupError as exc:
            return ToolResult.error(str(exc))
        except TypeError as exc:
            return ToolResult.error(f"{name}: {exc}")

    return variable_head


def _describe_variable(view: VariableView) -> Callable[..., Any]:
    def describe_variable(name: str) -> str | ToolResult:
        """Summary statistics of an exposed DataFrame, Series, numeric array or list of numbers.

        Parameters
        ----------
        name
            The variable's name, as listed by list_variables.
        """
        try:
            return describe(view.lookup(name))
        except LookupError as exc:
            return ToolResult.error(str(exc))
        except (TypeError, ValueError) as exc:
            return ToolResult.error(f"{name}: {exc}")

    return describe_variable


def summarize(value: object) -> str:
    """Return a one-line summary of ``value``: its type and size."""
    kind = type(value).__name__
    if is_pandas(value, "DataFrame"):
        rows, cols = value.shape  # type: ignore[attr-defined]  # checked: a DataFrame
        return f"DataFrame, {rows:,} rows x {cols:,} columns"
    if is_pandas(value, "Series"):
        return f"Series, {len(value):,} values, dtype {value.dtype}"  # type: ignore[arg-type,attr-defined]  # checked: a Series
    if hasattr(value, "shape") and hasattr(value, "dtype") and not isinstance(value, type):
        return f"{kind}, shape {tuple(value.shape)}, dtype {value.dtype}"
    if inspect.isroutine(value) or inspect.isclass(value):
        return f"{kind} {getattr(value, '__name__', '?')}{_signature_text(value)}"
    if isinstance(value, str):
        return f"str, {len(value):,} characters: {truncate_line(repr(value))}"
    if isinstance(value, Mapping | Sequence | set | frozenset):
        return f"{kind}, {len(value):,} items"
    return f"{kind}: {truncate_line(safe_repr(value))}"


def details(value: object) -> list[str]:
    """Return the lines ``inspect_variable`` shows for ``value``."""
    kind = type(value)
    lines = [f"type: {kind.__module__}.{kind.__qualname__}".replace("builtins.", "")]
    if is_pandas(value, "DataFrame"):
        return lines + _frame_details(value)
    if is_pandas(value, "Series"):
        lines += [f"length: {len(value):,}", f"dtype: {value.dtype}"]  # type: ignore[arg-type,attr-defined]  # checked: a Series
        return [*lines, "preview:", series_table(value.head(5))]  # type: ignore[attr-defined]  # checked: a Series
    if hasattr(value, "shape") and hasattr(value, "dtype") and not isinstance(value, type):
        lines += [f"shape: {tuple(value.shape)}", f"dtype: {value.dtype}"]
    elif isinstance(value, Mapping):
        keys = ", ".join(truncate_line(repr(k), 40) for k in itertools.islice(value, 20))
        lines += [f"length: {len(value):,}", f"keys: {keys}{', ...' if len(value) > 20 else ''}"]
    elif isinstance(value, Sequence | set | frozenset):
        lines.append(f"length: {len(value):,}")
    return [*lines, "repr:", truncate(safe_repr(value), _REPR_CHARS)]


def _frame_details(frame: Any) -> list[str]:
    rows, cols = frame.shape
    counts = frame.count()
    table = ["| column | dtype | non-null |", "| --- | --- | --- |"]
    for position, (column, dtype) in enumerate(frame.dtypes.items()):
        if position == _MAX_COLUMNS_LISTED:
            table.append(f"(showing {_MAX_COLUMNS_LISTED} of {cols:,} columns)")
            break
        table.append(f"| {column} | {dtype} | {int(counts.iloc[position]):,} |")
    return [
        f"shape: {rows:,} rows x {cols:,} columns",
        "columns:",
        *table,
        "preview:",
        frame_table(frame.head(5)),
    ]


def head(value: object, n: int) -> str:
    """Return the first ``n`` rows, items or lines of ``value``.

    Raises
    ------
    TypeError
        ``value`` has no rows, items or lines.
    """
    if is_pandas(value, "DataFrame") or is_pandas(value, "Series"):
        total = len(value)  # type: ignore[arg-type]  # checked: pandas
        shown = value.head(n)  # type: ignore[attr-defined]  # checked: pandas
        table = frame_table(shown) if is_pandas(value, "DataFrame") else series_table(shown)
        return f"{table}\n(first {len(shown):,} of {total:,} rows)"
    if isinstance(value, str):
        return "\n".join(value.splitlines()[:n])
    if hasattr(value, "shape") and hasattr(value, "__getitem__"):
        return truncate(safe_repr(value[:n]), _REPR_CHARS * 5)
    if isinstance(value, Mapping):
        return to_text(dict(itertools.islice(value.items(), n)))
    if isinstance(value, Sequence | set | frozenset):
        return to_text(list(itertools.islice(value, n)))
    raise TypeError(f"a {type(value).__name__} has no rows or items; use inspect_variable")


def describe(value: object) -> str:
    """Return summary statistics of ``value``.

    Raises
    ------
    TypeError
        ``value`` is not a table, a numeric array or a list of numbers.
    """
    if is_pandas(value, "DataFrame"):
        return frame_table(value.describe(include="all"))  # type: ignore[attr-defined]  # checked
    if is_pandas(value, "Series"):
        return series_table(value.describe())  # type: ignore[attr-defined]  # checked: a Series
    dtype = getattr(value, "dtype", None)
    if type(value).__module__ == "numpy" and getattr(dtype, "kind", "") in "biuf":
        return _numpy_stats(value)
    if isinstance(value, list | tuple) and value and all(_is_number(v) for v in value):
        numbers = [float(v) for v in value]
        stats = {
            "count": len(numbers),
            "mean": statistics.fmean(numbers),
            "std": statistics.stdev(numbers) if len(numbers) > 1 else 0.0,
            "min": min(numbers),
            "median": statistics.median(numbers),
            "max": max(numbers),
        }
        return "\n".join(f"{k}: {v:.6g}" for k, v in stats.items())
    raise TypeError(
        "describe_variable works on DataFrames, Series, numeric numpy arrays and lists of "
        f"numbers, not on a {type(value).__name__}"
    )


def _numpy_stats(array: Any) -> str:
    import numpy  # already imported: the value is a numpy array

    flat = array.astype(float).ravel()
    if flat.size == 0:
        return f"count: 0 (empty array of shape {tuple(array.shape)})"
    with warnings.catch_warnings():
        # An all-NaN array gives NaN statistics, which say it well enough.
        warnings.simplefilter("ignore", RuntimeWarning)
        q25, q50, q75 = numpy.nanpercentile(flat, [25, 50, 75])
        stats = {
            "count": int(numpy.count_nonzero(~numpy.isnan(flat))),
            "mean": numpy.nanmean(flat),
            "std": numpy.nanstd(flat),
            "min": numpy.nanmin(flat),
            "25%": q25,
            "50%": q50,
            "75%": q75,
            "max": numpy.nanmax(flat),
        }
    lines = [f"shape: {tuple(array.shape)}", f"dtype: {array.dtype}"]
    return "\n".join(lines + [f"{k}: {float(v):.6g}" for k, v in stats.items()])


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _signature_text(value: object) -> str:
    try:
        return str(inspect.signature(value))  # type: ignore[arg-type]  # routines and classes
    except (TypeError, ValueError):
        return "(...)"


def truncate_line(text: str, limit: int = _SUMMARY_CHARS) -> str:
    """Return ``text`` on one line, cut to ``limit`` characters with ``...``."""
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."
