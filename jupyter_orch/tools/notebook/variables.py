"""The user's variables by name, type and shape, never their values.

Secrets live in the namespace (an API key in a string, a token in a dict): this listing says
*what* each variable is (a ``str`` of 51 characters, a DataFrame of 1,000 rows with these
columns and dtypes, an array of this shape), and no value. Values stay behind
``%chat expose``. Nothing here calls a ``repr``, and ``len`` only on built-in containers.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Collection, Mapping
from typing import Any

from ..python.results import is_pandas

MAX_VARIABLES = 200
MAX_COLUMNS = 50
_SIZED = (str, bytes, bytearray, list, tuple, dict, set, frozenset)


def variables_text(namespace: Mapping[str, Any], hidden: Collection[str] = ()) -> str:
    """Return one line per user variable: ``name: what it is``.

    Parameters
    ----------
    namespace
        The notebook's namespace.
    hidden
        Names the shell put there itself (IPython's ``user_ns_hidden``): left out, as are
        names starting with ``_``.
    """
    names = [
        n for n in namespace if isinstance(n, str) and not n.startswith("_") and n not in hidden
    ]
    if not names:
        return "The notebook defines no variables yet."
    lines = [f"{name}: {describe(namespace[name])}" for name in names[:MAX_VARIABLES]]
    if len(names) > MAX_VARIABLES:
        lines.append(f"... and {len(names) - MAX_VARIABLES:,} more")
    head = (
        f"{len(names)} variable(s), by name, type and shape (values are not shown: the user "
        "can share one with %chat expose NAME):"
    )
    return "\n".join([head, *lines])


def describe(value: object) -> str:
    """Return what ``value`` is, with its shape, and nothing of its content."""
    if isinstance(value, types.ModuleType):
        return "module"
    if inspect.isclass(value):
        return "class"
    if inspect.isroutine(value):
        return "function"
    kind = _type_name(value)
    if is_pandas(value, "DataFrame"):
        return _frame(value)
    if is_pandas(value, "Series"):
        return f"Series, {len(value):,} values, dtype {value.dtype}"  # type: ignore[arg-type,attr-defined]  # checked: a Series
    shape, dtype = getattr(value, "shape", None), getattr(value, "dtype", None)
    if isinstance(shape, tuple) and dtype is not None:
        return f"{kind}, shape {shape}, dtype {dtype}"
    if isinstance(value, str):
        return f"{kind}, {len(value):,} characters"
    if isinstance(value, (bytes, bytearray)):
        return f"{kind}, {len(value):,} bytes"
    if isinstance(value, _SIZED):
        return f"{kind}, {len(value):,} items"
    return kind


def _frame(frame: Any) -> str:
    rows, cols = frame.shape
    columns = [f"{name} ({dtype})" for name, dtype in list(frame.dtypes.items())[:MAX_COLUMNS]]
    more = f", ... {cols - MAX_COLUMNS:,} more" if cols > MAX_COLUMNS else ""
    return f"DataFrame, {rows:,} rows x {cols:,} columns: {', '.join(columns)}{more}"


def _type_name(value: object) -> str:
    kind = type(value)
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"
