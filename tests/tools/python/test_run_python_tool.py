from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from jupyter_orch.core.messages import ToolResult
from jupyter_orch.core.tools import Tool, ToolArgumentError, ToolSpec
from jupyter_orch.tools.python import RunPythonTool


def run(tool: RunPythonTool, code: str) -> ToolResult:
    return asyncio.run(tool.call(tool.validate({"code": code})))


def filename_of(result: ToolResult) -> str:
    """Return the code's file name in a traceback: ``<run_python-N>``, N counting runs."""
    name = result.text().split('File "', 1)[1].split('"', 1)[0]
    assert name.startswith("<run_python-")
    return name


def test_the_spec_is_run_python_from_source_python_asking_first() -> None:
    tool = RunPythonTool({})

    assert isinstance(tool, Tool)
    assert tool.spec == ToolSpec(
        name="run_python",
        description=(
            "Run Python code in the user's Jupyter notebook, in the notebook's own namespace "
            "(the user sees the code and approves each run). Names you define stay defined. "
            "Returns what the code prints and the value of its last expression, like a "
            "notebook cell."
        ),
        parameters={
            "additionalProperties": False,
            "properties": {
                "code": {
                    "description": "The Python code to run; a trailing expression is the result.",
                    "type": "string",
                }
            },
            "required": ["code"],
            "type": "object",
        },
        source="python",
        default_policy="ask",
    )


def test_stdout_stderr_and_the_trailing_expression_come_back() -> None:
    namespace: dict[str, Any] = {"base": 40}
    tool = RunPythonTool(namespace)

    result = run(tool, "import sys\nprint('adding')\nprint('careful', file=sys.stderr)\nbase + 2")

    assert result == ToolResult(content="stdout:\nadding\nstderr:\ncareful\nresult:\n42")


def test_names_defined_by_the_code_stay_in_the_namespace() -> None:
    namespace: dict[str, Any] = {}
    tool = RunPythonTool(namespace)

    first = run(tool, "total = 5\ndef double(x):\n    return 2 * x")
    second = run(tool, "double(total)")

    assert (first, second) == (ToolResult(content="(no output)"), ToolResult(content="result:\n10"))
    assert namespace["total"] == 5


def test_a_string_result_shows_as_its_repr_and_a_semicolon_hides_it() -> None:
    tool = RunPythonTool({})

    assert run(tool, "'text'") == ToolResult(content="result:\n'text'")
    assert run(tool, "'text';") == ToolResult(content="(no output)")


def test_an_exception_is_an_error_result_with_the_last_frames_only() -> None:
    tool = RunPythonTool({})
    code = "\n".join(
        [
            "def a():",
            "    raise ValueError('bad value')",
            "def b():",
            "    a()",
            "def c():",
            "    b()",
            "print('before')",
            "c()",
        ]
    )

    result = run(tool, code)

    filename = filename_of(result)
    assert result == ToolResult.error(
        "\n".join(
            [
                "stdout:",
                "before",
                "Traceback (most recent call last, last 3 of 4 frames):",
                f'  File "{filename}", line 6, in c',
                "    b()",
                f'  File "{filename}", line 4, in b',
                "    a()",
                f'  File "{filename}", line 2, in a',
                "    raise ValueError('bad value')",
                "ValueError: bad value",
            ]
        )
    )


def test_a_syntax_error_is_an_error_result_without_frames() -> None:
    result = run(RunPythonTool({}), "x = (")

    assert result.is_error
    assert result.text().splitlines()[-1] == "SyntaxError: '(' was never closed"
    assert "Traceback" not in result.text()


def test_exit_does_not_end_the_kernel() -> None:
    result = run(RunPythonTool({}), "raise SystemExit(3)")

    assert result == ToolResult.error(
        "\n".join(
            [
                "Traceback (most recent call last):",
                f'  File "{filename_of(result)}", line 1, in <module>',
                "    raise SystemExit(3)",
                "SystemExit: 3",
            ]
        )
    )


def test_top_level_await_works_and_code_runs_on_the_loop_thread() -> None:
    namespace: dict[str, Any] = {"threading": threading, "asyncio": asyncio}
    tool = RunPythonTool(namespace)

    async def main() -> tuple[ToolResult, int]:
        result = await tool.call({"code": "await asyncio.sleep(0)\nthreading.get_ident()"})
        return result, threading.get_ident()

    result, loop_thread = asyncio.run(main())

    assert result == ToolResult(content=f"result:\n{loop_thread}")


def test_a_large_result_is_bounded_and_a_dataframe_is_a_table() -> None:
    import pandas as pd

    tool = RunPythonTool({"pd": pd}, max_result_chars=200)

    long = run(tool, "'x' * 1000")
    frame = run(tool, "pd.DataFrame({'a': [1, 2]})")

    assert long == ToolResult(
        content="result:\n'"
        + "x" * 99
        + "\n... (truncated: showing the first 100 of 1,002 characters)"
    )
    assert frame == ToolResult(content="result:\n|  | a |\n| --- | --- |\n| 0 | 1 |\n| 1 | 2 |")


def test_a_custom_runner_replaces_the_built_in_one() -> None:
    seen: list[str] = []

    async def runner(code: str) -> object:
        seen.append(code)
        print("from the runner")
        return {"ran": len(code)}

    result = run(RunPythonTool({}, run=runner), "1 + 1")

    assert (result, seen) == (
        ToolResult(content='stdout:\nfrom the runner\nresult:\n{"ran": 5}'),
        ["1 + 1"],
    )


def test_missing_code_is_an_argument_error() -> None:
    with pytest.raises(ToolArgumentError) as caught:
        RunPythonTool({}).validate({"source": "1"})

    assert str(caught.value) == (
        "invalid arguments for run_python: missing required argument 'code'; "
        "unexpected argument 'source'"
    )


def test_only_the_code_s_own_output_is_captured_while_it_awaits(
    capsys: pytest.CaptureFixture[str],
) -> None:
    namespace: dict[str, Any] = {}
    tool = RunPythonTool(namespace)

    async def main() -> ToolResult:
        gate = asyncio.Event()
        namespace["gate"] = gate

        async def other_task() -> None:
            print("from another task")  # while run_python's code awaits
            gate.set()

        call = asyncio.ensure_future(tool.call({"code": "print('mine')\nawait gate.wait();"}))
        await asyncio.sleep(0)
        await other_task()
        return await call

    result = asyncio.run(main())
    assert result.text() == "stdout:\nmine"
    assert capsys.readouterr().out == "from another task\n"
