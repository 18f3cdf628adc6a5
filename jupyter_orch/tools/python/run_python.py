"""The optional ``run_python`` tool: the model runs code in the notebook's namespace.

The code runs on the event loop's thread, not in a worker thread: notebook state is not
thread-safe, and the user approved this code to run as if typed into a cell. Like a cell, the
statements run and the value of a trailing expression is the result; top-level ``await``
works. What the code prints while it runs is captured for the model.
"""

from __future__ import annotations

import ast
import inspect
import io
import itertools
import linecache
import traceback
from collections import deque
from collections.abc import Callable
from typing import Any

import pydantic
from pydantic import Field

from jupyter_orch.core.messages import ToolResult
from jupyter_orch.core.tools import ToolSpec

from . import schema
from .capture import captured
from .results import DEFAULT_MAX_CHARS, format_result, truncate

NAME = "run_python"
SOURCE = "python"
TRACEBACK_FRAMES = 3

# Runs code and returns the value of its last expression (or an awaitable of it); raises
# what the code raises.
Runner = Callable[[str], object]

_DESCRIPTION = (
    "Run Python code in the user's Jupyter notebook, in the notebook's own namespace (the "
    "user sees the code and approves each run). Names you define stay defined. Returns what "
    "the code prints and the value of its last expression, like a notebook cell."
)
_run_ids = itertools.count(1)
KEEP_SOURCES = 50
_kept: deque[str] = deque()


class _Arguments(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    code: str = Field(description="The Python code to run; a trailing expression is the result.")


class RunPythonTool:
    """The ``run_python`` tool over a namespace.

    Parameters
    ----------
    namespace
        The notebook's namespace (``shell.user_ns``); the code runs with it as globals.
    run
        Runs the code instead of the built-in runner (for example through IPython): takes the
        code, returns the value of its last expression or an awaitable of it, raises on error.
    max_result_chars
        Size limit of the text the model reads.
    """

    def __init__(
        self,
        namespace: dict[str, Any],
        *,
        run: Runner | None = None,
        max_result_chars: int = DEFAULT_MAX_CHARS,
    ) -> None:
        self.namespace = namespace
        self._run: Runner = run or (lambda code: run_code(code, namespace))
        self.max_result_chars = max_result_chars
        self._spec = ToolSpec(
            name=NAME,
            description=_DESCRIPTION,
            parameters=schema.json_schema(_Arguments),
            source=SOURCE,
            default_policy="ask",
        )

    @property
    def spec(self) -> ToolSpec:
        """The tool's name, description, schema and source."""
        return self._spec

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Return ``{"code": ...}`` checked, or raise :class:`ToolArgumentError`."""
        return schema.validate(_Arguments, NAME, arguments).model_dump()

    async def call(self, arguments: dict[str, Any]) -> ToolResult:
        """Run the code; an exception in it becomes an error result with a short traceback."""
        code = self.validate(arguments)["code"]
        with captured() as (stdout, stderr):
            try:
                value = self._run(code)
                if inspect.isawaitable(value):
                    value = await value
            except (Exception, SystemExit) as exc:  # SystemExit: exit() must not end the kernel
                report = [*self._streams(stdout, stderr), short_traceback(exc)]
                return ToolResult.error("\n".join(report))
        if code.rstrip().endswith(";"):  # a trailing ";" hides the value, as in IPython
            value = None
        return self._result(self._streams(stdout, stderr), value)

    def _streams(self, stdout: io.StringIO, stderr: io.StringIO) -> list[str]:
        limit = max(self.max_result_chars // 2, 1)
        sections = []
        for label, stream in (("stdout", stdout), ("stderr", stderr)):
            if text := stream.getvalue():
                sections.append(f"{label}:\n{truncate(text.rstrip(chr(10)), limit)}")
        return sections

    def _result(self, sections: list[str], value: object) -> ToolResult:
        if value is None:
            return ToolResult(content="\n".join(sections) or "(no output)")
        if isinstance(value, str):  # a cell shows a string's repr: quotes tell it is a string
            value = repr(value)
        formatted = format_result(value, max_chars=max(self.max_result_chars // 2, 1))
        if isinstance(formatted.content, str):
            text = "\n".join([*sections, f"result:\n{formatted.content}"])
            return ToolResult(content=text, display=formatted.display)
        # An image: the printed text and the result's own parts, in that order.
        head = {"type": "text", "text": "\n".join([*sections, "result:"])}
        return ToolResult(content=[head, *formatted.content], display=formatted.display)

    def __repr__(self) -> str:
        return f"<RunPythonTool over {len(self.namespace)} names>"


async def run_code(code: str, namespace: dict[str, Any]) -> object:
    """Run ``code`` in ``namespace`` like a notebook cell; return its trailing expression's value.

    The statements are executed; a last statement that is an expression is evaluated and its
    value returned (``None`` otherwise). Top-level ``await`` is allowed. The source is kept in
    :mod:`linecache`, so tracebacks show the offending lines.
    """
    filename = f"<run_python-{next(_run_ids)}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
    _kept.append(filename)
    while len(_kept) > KEEP_SOURCES:  # tracebacks of recent runs only: the cache stays small
        linecache.cache.pop(_kept.popleft(), None)
    tree = ast.parse(code, filename, "exec")
    last = tree.body[-1] if tree.body else None
    if isinstance(last, ast.Expr):
        tree.body.pop()
    else:
        last = None
    await _execute(ast.Module(body=tree.body, type_ignores=[]), filename, "exec", namespace)
    if last is None:
        return None
    return await _execute(ast.Expression(body=last.value), filename, "eval", namespace)


async def _execute(
    node: ast.Module | ast.Expression, filename: str, mode: str, namespace: dict[str, Any]
) -> object:
    compiled = compile(node, filename, mode, flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(compiled, namespace)  # the user approved this code to run
    if compiled.co_flags & inspect.CO_COROUTINE:
        result = await result
    return result


def short_traceback(exc: BaseException, frames: int = TRACEBACK_FRAMES) -> str:
    """Return the last ``frames`` frames of ``exc``'s traceback and its message.

    Frames of this module (the runner itself) are left out: the model needs its own code.
    """
    if isinstance(exc, SyntaxError):  # the frames are the compiler's; the message has the line
        return "".join(traceback.format_exception_only(type(exc), exc)).rstrip("\n")
    stack = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != __file__]
    shown = stack[-frames:]
    lines: list[str] = []
    if shown:
        more = f", last {len(shown)} of {len(stack)} frames" if len(stack) > len(shown) else ""
        lines.append(f"Traceback (most recent call last{more}):\n")
        lines += traceback.format_list(shown)
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines).rstrip("\n")
