from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from typing import Any, Literal, Optional

import pydantic
import pytest

from jupyter_orch.core.errors import UsageError
from jupyter_orch.core.messages import ToolResult
from jupyter_orch.core.tools import Tool, ToolArgumentError, ToolSpec
from jupyter_orch.tools.python import FunctionTool


class Point(pydantic.BaseModel):
    x: float
    y: float = 0.0


def plot_points(
    count: int,
    scale: float,
    title: str,
    dashed: bool,
    labels: list[str],
    limit: Optional[int],  # noqa: UP045  # the test is that typing.Optional works too
    style: Literal["line", "dots"],
    origin: Point,
    color: str = "blue",
    width: float | None = None,
) -> str:
    """Plot some points.

    Parameters
    ----------
    count : int
        How many points.
    scale
        Scale factor,
        applied to both axes.
    title : str
        The title.
    """
    return f"{count} {scale} {title} {dashed} {labels} {limit} {style} {origin} {color} {width}"


def test_the_schema_comes_from_the_signature_and_type_hints() -> None:
    made = FunctionTool.from_callable(plot_points)

    assert made.spec == ToolSpec(
        name="plot_points",
        description="Plot some points.",
        parameters={
            "$defs": {
                "Point": {
                    "properties": {
                        "x": {"type": "number"},
                        "y": {"default": 0.0, "type": "number"},
                    },
                    "required": ["x"],
                    "title": "Point",
                    "type": "object",
                }
            },
            "additionalProperties": False,
            "properties": {
                "count": {"description": "How many points.", "type": "integer"},
                "scale": {"description": "Scale factor, applied to both axes.", "type": "number"},
                "title": {"description": "The title.", "type": "string"},
                "dashed": {"type": "boolean"},
                "labels": {"items": {"type": "string"}, "type": "array"},
                "limit": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                "style": {"enum": ["line", "dots"], "type": "string"},
                "origin": {"$ref": "#/$defs/Point"},
                "color": {"default": "blue", "type": "string"},
                "width": {"anyOf": [{"type": "number"}, {"type": "null"}], "default": None},
            },
            "required": ["count", "scale", "title", "dashed", "labels", "limit", "style", "origin"],
            "type": "object",
        },
        source="notebook",
        default_policy=None,
    )
    assert isinstance(made, Tool)


def test_google_docstring_gives_the_description_and_parameter_descriptions() -> None:
    def fetch(table: str, limit: int = 10) -> list[str]:
        """Fetch rows from a table.

        Reads the newest rows first.

        Args:
            table (str): The table's name.
            limit: At most this many rows,
                newest first.

        Returns:
            The rows.
        """
        return []

    spec = FunctionTool.from_callable(fetch, policy="auto", source="demo").spec

    assert spec == ToolSpec(
        name="fetch",
        description="Fetch rows from a table.\n\nReads the newest rows first.",
        parameters={
            "additionalProperties": False,
            "properties": {
                "table": {"description": "The table's name.", "type": "string"},
                "limit": {
                    "default": 10,
                    "description": "At most this many rows, newest first.",
                    "type": "integer",
                },
            },
            "required": ["table"],
            "type": "object",
        },
        source="demo",
        default_policy="auto",
    )


def test_explicit_name_and_description_win_over_the_function_s_own() -> None:
    def f(x: int) -> int:
        """Ignored."""
        return x

    spec = FunctionTool.from_callable(f, name="double-it", description="Double x.").spec

    assert (spec.name, spec.description) == ("double-it", "Double x.")


def test_invalid_arguments_raise_a_readable_tool_argument_error() -> None:
    made = FunctionTool.from_callable(plot_points)

    with pytest.raises(ToolArgumentError) as caught:
        made.validate({"count": "many", "scale": 1, "style": "bars", "origin": {}, "extra": 1})

    assert str(caught.value) == (
        "invalid arguments for plot_points: "
        "count: Input should be a valid integer, unable to parse string as an integer "
        "(got 'many'); "
        "missing required argument 'title'; "
        "missing required argument 'dashed'; "
        "missing required argument 'labels'; "
        "missing required argument 'limit'; "
        "style: Input should be 'line' or 'dots' (got 'bars'); "
        "missing required argument 'origin.x'; "
        "unexpected argument 'extra'"
    )


def test_arguments_that_are_not_an_object_are_refused() -> None:
    made = FunctionTool.from_callable(plot_points)

    with pytest.raises(ToolArgumentError, match=r"arguments must be a JSON object \(got \[1\]\)"):
        made.validate([1])  # type: ignore[arg-type]  # what a confused model may send


def test_lax_mode_coerces_numbers_in_strings_and_validate_returns_json() -> None:
    made = FunctionTool.from_callable(plot_points)

    checked = made.validate(
        {
            "count": "3",
            "scale": "1.5",
            "title": "t",
            "dashed": "true",
            "labels": ["a"],
            "limit": None,
            "style": "dots",
            "origin": {"x": "2"},
        }
    )

    assert checked == {
        "count": 3,
        "scale": 1.5,
        "title": "t",
        "dashed": True,
        "labels": ["a"],
        "limit": None,
        "style": "dots",
        "origin": {"x": 2.0},
    }


def test_call_fills_defaults_and_builds_pydantic_models() -> None:
    made = FunctionTool.from_callable(plot_points)
    arguments = {
        "count": 3,
        "scale": 1.5,
        "title": "t",
        "dashed": False,
        "labels": [],
        "limit": 2,
        "style": "line",
        "origin": {"x": 1},
    }

    result = asyncio.run(made.call(arguments))

    assert result == ToolResult(content="3 1.5 t False [] 2 line x=1.0 y=0.0 blue None")


def test_a_sync_function_runs_in_a_worker_thread_with_the_caller_s_context() -> None:
    cell = contextvars.ContextVar("cell", default="none")
    seen: dict[str, Any] = {}

    def where() -> str:
        seen["thread"] = threading.get_ident()
        seen["cell"] = cell.get()
        return "done"

    async def main() -> ToolResult:
        cell.set("cell-7")
        seen["loop_thread"] = threading.get_ident()
        return await FunctionTool.from_callable(where).call({})

    result = asyncio.run(main())

    assert result == ToolResult(content="done")
    assert seen["thread"] != seen["loop_thread"]
    assert seen["cell"] == "cell-7"


def test_an_async_function_is_awaited_on_the_loop_thread() -> None:
    seen: dict[str, int] = {}

    async def later(n: int) -> int:
        await asyncio.sleep(0)
        seen["thread"] = threading.get_ident()
        return n * 2

    async def main() -> ToolResult:
        seen["loop_thread"] = threading.get_ident()
        return await FunctionTool.from_callable(later).call({"n": "21"})

    assert asyncio.run(main()) == ToolResult(content="42")
    assert seen["thread"] == seen["loop_thread"]


def test_an_exception_in_the_function_propagates_from_call() -> None:
    def broken(x: int) -> int:
        raise KeyError(f"no row {x}")

    with pytest.raises(KeyError, match="no row 3"):
        asyncio.run(FunctionTool.from_callable(broken).call({"x": 3}))


def test_star_args_become_an_array_and_star_kwargs_typed_extra_properties() -> None:
    def join(sep: str, /, *parts: str, upper: bool = False, **tags: int) -> str:
        """Join parts.

        Parameters
        ----------
        sep
            Separator.
        *parts
            The parts.
        **tags
            Counts by tag.
        """
        text = sep.join(parts)
        return f"{text.upper() if upper else text} {tags}"

    made = FunctionTool.from_callable(join)
    result = asyncio.run(made.call({"sep": "-", "parts": ["a", "b"], "upper": True, "n": "2"}))

    assert made.spec.parameters == {
        "additionalProperties": {"type": "integer"},
        "properties": {
            "sep": {"description": "Separator.", "type": "string"},
            "parts": {"description": "The parts.", "items": {"type": "string"}, "type": "array"},
            "upper": {"default": False, "type": "boolean"},
        },
        "required": ["sep"],
        "type": "object",
    }
    assert result == ToolResult(content="A-B {'n': 2}")


def test_parameters_named_like_pydantic_attributes_keep_their_names() -> None:
    def lookup(json: str, schema: str = "public", copy: int = 1) -> str:
        return f"{json}|{schema}|{copy}"

    made = FunctionTool.from_callable(lookup)

    assert list(made.spec.parameters["properties"]) == ["json", "schema", "copy"]
    assert asyncio.run(made.call({"json": "j", "copy": 2})) == ToolResult(content="j|public|2")


def test_unannotated_parameters_take_the_type_of_a_plain_default() -> None:
    def f(a, n=3, label="x", data=None):  # type: ignore[no-untyped-def]  # the case under test
        return [a, n, label, data]

    made = FunctionTool.from_callable(f)

    assert made.spec.parameters["properties"] == {
        "a": {},
        "n": {"default": 3, "type": "integer"},
        "label": {"default": "x", "type": "string"},
        "data": {"default": None},
    }


def test_a_pydantic_field_default_gives_the_default_and_constraints() -> None:
    def f(n: int = pydantic.Field(3, ge=1, description="How many.")) -> int:
        return n

    made = FunctionTool.from_callable(f)

    assert made.spec.parameters["properties"] == {
        "n": {"default": 3, "description": "How many.", "minimum": 1, "type": "integer"}
    }
    assert asyncio.run(made.call({})) == ToolResult(content="3")
    with pytest.raises(ToolArgumentError, match="n: Input should be greater than or equal to 1"):
        made.validate({"n": 0})


def test_bound_methods_partials_and_callable_objects_are_tools() -> None:
    class Scaler:
        """Scale numbers."""

        def __init__(self, factor: int) -> None:
            self.factor = factor

        def scale(self, x: int) -> int:
            """Multiply x by the factor."""
            return x * self.factor

        def __call__(self, x: int) -> int:
            return x + self.factor

    def power(base: int, exp: int) -> int:
        """Raise base to exp."""
        return int(base**exp)

    method = FunctionTool.from_callable(Scaler(3).scale)
    partial = FunctionTool.from_callable(functools.partial(power, exp=2))
    instance = FunctionTool.from_callable(Scaler(10))

    assert [t.spec.name for t in (method, partial, instance)] == ["scale", "power", "Scaler"]
    assert [t.spec.description for t in (method, partial, instance)] == [
        "Multiply x by the factor.",
        "Raise base to exp.",
        "Scale numbers.",
    ]
    assert list(method.spec.parameters["properties"]) == ["x"]
    assert asyncio.run(method.call({"x": 2})) == ToolResult(content="6")
    assert asyncio.run(partial.call({"base": 5})) == ToolResult(content="25")
    assert asyncio.run(instance.call({"x": 1})) == ToolResult(content="11")


def test_an_unbound_method_is_refused_with_a_hint() -> None:
    def scale(self: object, x: int) -> int:
        return x

    with pytest.raises(UsageError) as caught:
        FunctionTool.from_callable(scale)

    assert str(caught.value) == (
        "scale looks like a method (first parameter 'self'): "
        "make a tool of the bound method instead (obj.method)"
    )


def test_a_function_without_docstring_is_described_by_its_signature() -> None:
    def area(width: float, height: float = 1.0) -> float:
        return width * height

    assert FunctionTool.from_callable(area).spec.description == (
        "Call area(width: float, height: float = 1.0) -> float."
    )


def test_odd_names_are_made_safe_and_lambdas_need_a_name() -> None:
    def größe_berechnen(x: int) -> int:
        return x

    odd = FunctionTool.from_callable(größe_berechnen)
    named = FunctionTool.from_callable(lambda x: x, name="identity")
    with pytest.raises(UsageError) as lambda_error:
        FunctionTool.from_callable(lambda x: x)
    with pytest.raises(UsageError) as name_error:
        FunctionTool.from_callable(größe_berechnen, name="has space")

    assert (odd.spec.name, named.spec.name) == ("gr_e_berechnen", "identity")
    assert str(lambda_error.value) == (
        "a lambda has no name: pass one, for example tool(name='area')(fn)"
    )
    assert str(name_error.value) == "tool name 'has space' must match ^[a-zA-Z0-9_-]{1,64}$"


class Connection:
    pass


def test_a_parameter_type_without_json_schema_is_a_usage_error() -> None:
    def query(conn: Connection) -> None:
        pass

    with pytest.raises(UsageError) as caught:
        FunctionTool.from_callable(query)

    assert str(caught.value) == (
        "cannot build a JSON schema for query: parameter 'conn' has type Connection, which has "
        "no JSON form (use str, int, float, bool, list, dict, Literal or a pydantic model)"
    )


def test_an_unresolvable_type_hint_is_a_usage_error() -> None:
    def query(conn: NotDefinedAnywhere) -> None:  # type: ignore[name-defined]  # noqa: F821  # the case under test
        pass

    with pytest.raises(UsageError) as caught:
        FunctionTool.from_callable(query)

    assert str(caught.value) == (
        "cannot resolve the type hints of query: "
        "NameError(\"name 'NotDefinedAnywhere' is not defined\")"
    )


def test_results_are_formatted_within_the_tool_s_size_limit() -> None:
    def letters(n: int) -> str:
        return "x" * n

    made = FunctionTool.from_callable(letters, max_result_chars=5)

    assert asyncio.run(made.call({"n": 8})) == ToolResult(
        content="xxxxx\n... (truncated: showing the first 5 of 8 characters)"
    )


def test_a_bad_policy_or_size_limit_is_a_usage_error() -> None:
    def f() -> None:
        pass

    with pytest.raises(UsageError, match="policy must be one of auto, ask, deny, not 'always'"):
        FunctionTool.from_callable(f, policy="always")
    with pytest.raises(UsageError, match="max_result_chars must be positive, not 0"):
        FunctionTool.from_callable(f, max_result_chars=0)
