from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pandas as pd
import pytest

from jupyter_orch.core.errors import UsageError
from jupyter_orch.core.messages import ToolResult
from jupyter_orch.core.tools import Tool, ToolArgumentError
from jupyter_orch.tools.python import VariableView, variable_tools


def make_namespace() -> dict[str, Any]:
    return {
        "sales": pd.DataFrame(
            {"region": ["north", "south", "east"], "units": [10, 25, 7]},
        ),
        "prices": [1.5, 2.5, 4.0],
        "grid": np.arange(6.0).reshape(2, 3),
        "notes": "first\nsecond\nthird",
        "API_KEY": "sk-secret",
    }


def run(tools: list[Tool], name: str, arguments: dict[str, Any]) -> ToolResult:
    chosen = next(t for t in tools if t.spec.name == name)
    return asyncio.run(chosen.call(chosen.validate(arguments)))


def test_variable_tools_are_read_only_auto_tools_of_source_variables() -> None:
    tools = variable_tools(make_namespace(), ["sales"])

    assert [(t.spec.name, t.spec.source, t.spec.default_policy) for t in tools] == [
        ("list_variables", "variables", "auto"),
        ("inspect_variable", "variables", "auto"),
        ("variable_head", "variables", "auto"),
        ("describe_variable", "variables", "auto"),
    ]
    assert tools[2].spec.parameters == {
        "additionalProperties": False,
        "properties": {
            "name": {
                "description": "The variable's name, as listed by list_variables.",
                "type": "string",
            },
            "n": {
                "default": 5,
                "description": "How many rows, items or lines to show.",
                "maximum": 100,
                "minimum": 1,
                "type": "integer",
            },
        },
        "required": ["name"],
        "type": "object",
    }


def test_list_variables_shows_only_the_exposed_names() -> None:
    tools = variable_tools(make_namespace(), ["sales", "prices", "grid", "notes"])

    assert run(tools, "list_variables", {}) == ToolResult(
        content="\n".join(
            [
                "sales: DataFrame, 3 rows x 2 columns",
                "prices: list, 3 items",
                "grid: ndarray, shape (2, 3), dtype float64",
                "notes: str, 18 characters: 'first\\nsecond\\nthird'",
            ]
        )
    )


def test_names_not_exposed_are_refused_whether_they_exist_or_not() -> None:
    tools = variable_tools(make_namespace(), ["sales"])

    results = [
        run(tools, tool, {"name": name})
        for tool in ("inspect_variable", "variable_head", "describe_variable")
        for name in ("API_KEY", "nothing_here")
    ]

    assert (
        results
        == [
            ToolResult.error("variable 'API_KEY' is not exposed (exposed: sales)"),
            ToolResult.error("variable 'nothing_here' is not exposed (exposed: sales)"),
        ]
        * 3
    )


def test_inspect_variable_shows_type_shape_columns_and_a_preview() -> None:
    tools = variable_tools(make_namespace(), ["sales"])

    assert run(tools, "inspect_variable", {"name": "sales"}) == ToolResult(
        content="\n".join(
            [
                "name: sales",
                "type: pandas.DataFrame",
                "shape: 3 rows x 2 columns",
                "columns:",
                "| column | dtype | non-null |",
                "| --- | --- | --- |",
                f"| region | {make_namespace()['sales'].dtypes['region']} | 3 |",
                "| units | int64 | 3 |",
                "preview:",
                "|  | region | units |",
                "| --- | --- | --- |",
                "| 0 | north | 10 |",
                "| 1 | south | 25 |",
                "| 2 | east | 7 |",
            ]
        )
    )


def test_inspect_variable_bounds_the_repr_of_other_objects() -> None:
    namespace = {"big": list(range(5_000)), "lookup": {"a": 1, "b": 2}}
    tools = variable_tools(namespace, ["big", "lookup"])

    big = run(tools, "inspect_variable", {"name": "big"}).text()
    lookup = run(tools, "inspect_variable", {"name": "lookup"})

    assert big.splitlines()[:4] == ["name: big", "type: list", "length: 5,000", "repr:"]
    assert big.endswith("... (truncated: showing the first 2,000 of 28,890 characters)")
    assert lookup == ToolResult(
        content="name: lookup\ntype: dict\nlength: 2\nkeys: 'a', 'b'\nrepr:\n{'a': 1, 'b': 2}"
    )


def test_head_shows_the_first_rows_items_or_lines() -> None:
    tools = variable_tools(make_namespace(), ["sales", "prices", "grid", "notes"])

    results = [
        run(tools, "variable_head", {"name": "sales", "n": 2}),
        run(tools, "variable_head", {"name": "prices", "n": "2"}),
        run(tools, "variable_head", {"name": "grid", "n": 1}),
        run(tools, "variable_head", {"name": "notes", "n": 2}),
    ]

    assert results == [
        ToolResult(
            content="|  | region | units |\n| --- | --- | --- |\n| 0 | north | 10 |\n"
            "| 1 | south | 25 |\n(first 2 of 3 rows)"
        ),
        ToolResult(content="[1.5, 2.5]"),
        ToolResult(content="array([[0., 1., 2.]])"),
        ToolResult(content="first\nsecond"),
    ]


def test_head_refuses_an_n_out_of_range() -> None:
    tools = variable_tools(make_namespace(), ["sales"])

    with pytest.raises(ToolArgumentError) as caught:
        tools[2].validate({"name": "sales", "n": 1_000})

    assert str(caught.value) == (
        "invalid arguments for variable_head: n: Input should be less than or equal to 100 "
        "(got 1000)"
    )


def test_describe_gives_statistics_of_tables_arrays_and_numbers() -> None:
    namespace = make_namespace()
    tools = variable_tools(namespace, ["sales", "prices", "grid", "notes"])

    results = [
        run(tools, "describe_variable", {"name": name}) for name in ("prices", "grid", "notes")
    ]
    table = run(tools, "describe_variable", {"name": "sales"}).text()

    assert results == [
        ToolResult(content="count: 3\nmean: 2.66667\nstd: 1.25831\nmin: 1.5\nmedian: 2.5\nmax: 4"),
        ToolResult(
            content="shape: (2, 3)\ndtype: float64\ncount: 6\nmean: 2.5\nstd: 1.70783\n"
            "min: 0\n25%: 1.25\n50%: 2.5\n75%: 3.75\nmax: 5"
        ),
        ToolResult.error(
            "notes: describe_variable works on DataFrames, Series, numeric numpy arrays and "
            "lists of numbers, not on a str"
        ),
    ]
    assert table.splitlines()[:3] == [
        "|  | region | units |",
        "| --- | --- | --- |",
        "| count | 3 | 3 |",
    ]
    assert "| mean | nan | 14 |" in table.splitlines()


def test_the_tools_see_the_variable_as_it_is_now() -> None:
    namespace = make_namespace()
    tools = variable_tools(namespace, ["prices"])

    before = run(tools, "variable_head", {"name": "prices"})
    namespace["prices"] = [9.0]
    after = run(tools, "variable_head", {"name": "prices"})
    del namespace["prices"]
    gone = run(tools, "variable_head", {"name": "prices"})

    assert [before, after, gone] == [
        ToolResult(content="[1.5, 2.5, 4.0]"),
        ToolResult(content="[9.0]"),
        ToolResult.error("variable 'prices' is exposed but no longer defined"),
    ]


def test_the_exposed_set_can_grow_and_shrink_after_the_tools_are_made() -> None:
    view = VariableView(make_namespace())
    tools = variable_tools(view)

    empty = run(tools, "list_variables", {})
    view.expose("notes", "prices")
    grown = run(tools, "list_variables", {})
    view.hide("notes")
    shrunk = run(tools, "list_variables", {})

    assert [empty, grown, shrunk] == [
        ToolResult(
            content="(no variables are exposed; the user can expose some with %chat expose NAME)"
        ),
        ToolResult(
            content="notes: str, 18 characters: 'first\\nsecond\\nthird'\nprices: list, 3 items"
        ),
        ToolResult(content="prices: list, 3 items"),
    ]
    assert view.names == ("prices",)


def test_exposing_an_undefined_name_is_an_error_and_exposes_nothing() -> None:
    view = VariableView(make_namespace())

    with pytest.raises(UsageError) as caught:
        view.expose("sales", "missing", "also_missing")

    assert str(caught.value) == "not defined, cannot expose: missing, also_missing"
    assert view.names == ()


def test_inspection_runs_off_the_event_loop_so_the_loop_stays_free() -> None:
    import threading

    released = threading.Event()

    class Slow:
        def __repr__(self) -> str:
            # Blocks until the event loop, free meanwhile, releases it.
            return "<released>" if released.wait(5) else "<the loop was blocked>"

    tools = variable_tools({"slow": Slow()}, ["slow"])

    async def main() -> str:
        call = asyncio.ensure_future(tools[1].call({"name": "slow"}))
        released.set()  # runs only if the inspection is not holding the loop
        result = await call
        return result.text()

    assert "<released>" in asyncio.run(main())
