"""Running a notebook cell for the chat, inside the running turn, as nbformat outputs.

A page cannot run the cell itself while a ``%%chat`` cell runs: the kernel takes one execute
request at a time, and the turn waits for the result. So the kernel runs the approved source
here, in the user's namespace (IPython's syntax, magics included, through the shell's
transformer), captures what it prints, displays and returns, and hands the outputs to the
page, which puts them in the cell. Outputs come in this order: printed text, displays
(figures), the result, the error.
"""

from __future__ import annotations

import contextlib
import inspect
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from ..tools.notebook.tracebacks import error_text
from ..tools.python.capture import captured
from .references import ErrorLog

Outputs = list[dict[str, Any]]
_collecting: ContextVar[Outputs | None] = ContextVar("jupyter_orch_cell_outputs", default=None)


class CellRunner:
    """Runs cells' sources in the shell's namespace for the ``run_cell`` tool.

    Parameters
    ----------
    shell
        The IPython shell of the kernel.
    errors
        Names the cells in tracebacks.
    """

    def __init__(self, shell: Any, errors: ErrorLog) -> None:
        self.shell = shell
        self.errors = errors

    async def run(self, source: str) -> Outputs:
        """Run ``source`` like a cell; return its outputs (an error is an output too)."""
        from ..tools.python.run_python import run_code  # lazy: it loads pydantic

        displays: Outputs = []
        value: Any = None
        failure: BaseException | None = None
        with captured() as (stdout, stderr), self._displays(displays):
            try:
                value = run_code(self.shell.transform_cell(source), self.shell.user_ns)
                if inspect.isawaitable(value):
                    value = await value
                _flush_figures()
            except (Exception, SystemExit) as exc:  # the cell's failure is its output
                failure = exc
        outputs = [
            {"output_type": "stream", "name": name, "text": buffer.getvalue()}
            for name, buffer in (("stdout", stdout), ("stderr", stderr))
            if buffer.getvalue()
        ]
        outputs += displays
        if value is not None and failure is None and not source.rstrip().endswith(";"):
            outputs.append(self._result(value))
        if failure is not None:
            outputs.append(self._error(failure))
        return outputs

    def _result(self, value: Any) -> dict[str, Any]:
        data, metadata = self.shell.display_formatter.format(value)
        return {"output_type": "execute_result", "data": data, "metadata": metadata,
                "execution_count": None}  # fmt: skip

    def _error(self, exc: BaseException) -> dict[str, Any]:
        text = error_text(exc, self.errors.label())
        return {
            "output_type": "error",
            "ename": type(exc).__name__,
            "evalue": str(exc),
            "traceback": text.splitlines(),
        }

    @contextlib.contextmanager
    def _displays(self, into: Outputs) -> Iterator[None]:
        """Take what the running code displays (only this task's) into ``into``."""
        publisher = getattr(self.shell, "display_pub", None)
        register = getattr(publisher, "register_hook", None)
        token = _collecting.set(into)
        if callable(register):
            register(_take_display)
        try:
            yield
        finally:
            _collecting.reset(token)
            if callable(register):
                publisher.unregister_hook(_take_display)  # type: ignore[union-attr]  # has it


def _take_display(message: dict[str, Any]) -> dict[str, Any] | None:
    """Keep this task's displays for the cell, pass the others on (an ipykernel display hook)."""
    into = _collecting.get()
    if into is None:
        return message
    kind = message.get("msg_type") or message.get("header", {}).get("msg_type")
    content = message.get("content", {})
    if kind == "display_data":
        into.append(
            {
                "output_type": "display_data",
                "data": content.get("data", {}),
                "metadata": content.get("metadata", {}),
            }
        )
    elif kind == "clear_output":
        into.clear()
    return None  # the chat cell's own output is not the place for them


def _flush_figures() -> None:
    """Show the figures the code drew, as a cell does at its end (matplotlib inline)."""
    inline = sys.modules.get("matplotlib_inline.backend_inline")
    matplotlib = sys.modules.get("matplotlib")
    if inline is None or matplotlib is None:
        return
    with contextlib.suppress(Exception):  # no figure, or another backend: nothing to show
        if "inline" in str(matplotlib.get_backend()):
            inline.flush_figures()
