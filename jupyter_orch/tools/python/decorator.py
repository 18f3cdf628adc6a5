"""``@jupyter_orch.tool``: offer a notebook function to the model, keep it callable as before."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, TypeVar, overload

from jupyter_orch.core.policy import check_policy

from .functions import FunctionTool
from .pending import queue

F = TypeVar("F", bound=Callable[..., Any])

ATTRIBUTE = "__jupyter_orch_tool__"


@overload
def tool(fn: F, /) -> F: ...


@overload
def tool(
    fn: None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    policy: str | None = None,
    max_result_chars: int | None = None,
) -> Callable[[F], F]: ...


def tool(
    fn: F | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    policy: str | None = None,
    max_result_chars: int | None = None,
) -> F | Callable[[F], F]:
    """Offer a function to the model as a tool; return the function itself, unchanged.

    Usable as ``@tool``, ``@tool()`` or ``@tool(name=..., description=..., policy=...)``.
    The tool waits in a queue that the loaded extension takes it from before the next turn
    (and at ``%load_ext``, and for ``%chat tools``); re-running the cell replaces it. The
    :class:`FunctionTool` is kept on the function as ``fn.__jupyter_orch_tool__``.

    Parameters
    ----------
    fn
        The function, when used without parentheses.
    name
        The tool's name (default: the function's name).
    description
        What the tool does (default: the docstring's description).
    policy
        ``"auto"``, ``"ask"`` or ``"deny"`` for this tool (default: the session's rules).
    max_result_chars
        Size limit of the result text the model reads (default 20,000).

    Examples
    --------
    >>> @tool(policy="auto")
    ... def area(width: float, height: float) -> float:
    ...     '''Return the area of a rectangle.'''
    ...     return width * height
    >>> area(2, 3)
    6
    """
    checked = check_policy(policy) if policy is not None else None

    def decorate(func: F) -> F:
        made = FunctionTool.from_callable(
            func,
            name=name,
            description=description,
            policy=checked,
            max_result_chars=max_result_chars,
        )
        # Builtins and slotted objects take no attributes: the tool still works without it.
        with contextlib.suppress(AttributeError, TypeError):
            setattr(func, ATTRIBUTE, made)
        queue(made)
        return func

    if fn is not None:
        return decorate(fn)
    return decorate
