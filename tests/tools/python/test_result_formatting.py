from __future__ import annotations

import base64
import dataclasses
import io

import pandas as pd
import pydantic

from jupyter_orch.core.messages import ToolResult
from jupyter_orch.tools.python import format_result
from jupyter_orch.tools.python.results import frame_table

# The smallest valid PNG: one transparent pixel.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def test_plain_values_become_text() -> None:
    @dataclasses.dataclass
    class Row:
        id: int

    class Model(pydantic.BaseModel):
        name: str
        size: int

    results = [
        format_result("as is\n"),
        format_result(None),
        format_result({"a": [1, 2.5, None], "é": True}),
        format_result((1, "two")),
        format_result([Row(1)]),
        format_result(Model(name="m", size=3)),
        format_result(42),
    ]

    assert results == [
        ToolResult(content="as is\n"),
        ToolResult(content="(no result)"),
        ToolResult(content='{"a": [1, 2.5, null], "é": true}'),
        ToolResult(content='[1, "two"]'),
        ToolResult(content="[test_plain_values_become_text.<locals>.Row(id=1)]"),
        ToolResult(content='{"name":"m","size":3}'),
        ToolResult(content="42"),
    ]


def test_long_text_is_cut_with_a_note_saying_how_much() -> None:
    assert format_result("abcdefghij" * 3, max_chars=12) == ToolResult(
        content="abcdefghijab\n... (truncated: showing the first 12 of 30 characters)"
    )
    assert (
        format_result(list(range(10_000)), max_chars=20)
        .text()
        .endswith("(truncated: showing the first 20 of 58,890 characters)")
    )


def test_a_tool_result_passes_through() -> None:
    result = ToolResult.error("already formatted")

    assert format_result(result) is result


def test_a_broken_repr_does_not_fail_the_tool() -> None:
    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    assert format_result(Broken()) == ToolResult(
        content="<Broken object; repr failed: RuntimeError('no repr')>"
    )


def test_a_big_dataframe_becomes_a_bounded_table_with_a_note() -> None:
    frame = pd.DataFrame({"n": range(5_000), "square": [i * i for i in range(5_000)]})

    text = format_result(frame).text()

    lines = text.splitlines()
    assert len(text) < 1_000
    assert lines[:3] == ["|  | n | square |", "| --- | --- | --- |", "| 0 | 0 | 0 |"]
    assert lines[-3:] == [
        "| 4998 | 4998 | 24980004 |",
        "| 4999 | 4999 | 24990001 |",
        "(showing 20 of 5,000 rows)",
    ]
    assert len(lines) == 2 + 20 + 1 + 1  # header, rows, "...", note


def test_a_table_keeps_its_first_and_last_rows_and_columns() -> None:
    frame = pd.DataFrame(
        {f"c{i}": [f"r{r}c{i}" for r in range(6)] for i in range(5)},
        index=pd.Index(list("abcdef"), name="key"),
    )
    frame.loc["c", "c0"] = "pipe | and\nnewline"

    assert frame_table(frame, max_rows=4, max_columns=2) == "\n".join(
        [
            "| key | c0 | ... | c4 |",
            "| --- | --- | --- | --- |",
            "| a | r0c0 | ... | r0c4 |",
            "| b | r1c0 | ... | r1c4 |",
            "| ... | ... | ... | ... |",
            "| e | r4c0 | ... | r4c4 |",
            "| f | r5c0 | ... | r5c4 |",
            "(showing 4 of 6 rows, 2 of 5 columns)",
        ]
    )
    assert frame_table(frame.iloc[2:3, :1]) == "\n".join(
        ["| key | c0 |", "| --- | --- |", "| c | pipe \\| and newline |"]
    )


def test_a_series_becomes_a_two_column_table() -> None:
    series = pd.Series([0.5, 1 / 3, float("nan")], name="ratio")

    assert format_result(series) == ToolResult(
        content="\n".join(
            [
                "|  | ratio |",
                "| --- | --- |",
                "| 0 | 0.5 |",
                "| 1 | 0.333333 |",
                "| 2 | nan |",
            ]
        )
    )


def test_an_object_with_repr_png_becomes_an_image_part_and_a_display_bundle() -> None:
    class Chart:
        def _repr_png_(self) -> bytes:
            return PIXEL

        def __repr__(self) -> str:
            return "<Chart>"

    encoded = base64.b64encode(PIXEL).decode()

    result = format_result(Chart())

    assert result == ToolResult(
        content=[
            {"type": "text", "text": "<Chart>\n(PNG image, 70 bytes)"},
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{encoded}"}},
        ]
    )
    assert result.display == ({"image/png": encoded},)


def test_a_failing_image_renderer_falls_back_to_the_repr() -> None:
    class Chart:
        def _repr_png_(self) -> bytes:
            raise ValueError("no backend")

        def __repr__(self) -> str:
            return "<Chart>"

    assert format_result(Chart()) == ToolResult(content="<Chart>")


class Figure:
    """Stands in for matplotlib's Figure: only its module and ``savefig`` matter here."""

    __module__ = "matplotlib.figure"

    def __init__(self) -> None:
        self.saved_as: list[str] = []

    def savefig(self, target: io.BytesIO, *, format: str, bbox_inches: str) -> None:
        self.saved_as.append(format)
        target.write(PIXEL)

    def __repr__(self) -> str:
        return "<Figure size 640x480 with 1 Axes>"


class Axes:
    __module__ = "matplotlib.axes._axes"

    def __init__(self, figure: Figure) -> None:
        self.figure = figure

    def __repr__(self) -> str:
        return "<Axes: >"


class Image:
    """Stands in for a PIL image: saved through ``save(buffer, format=...)``."""

    __module__ = "PIL.Image"

    def save(self, target: io.BytesIO, format: str) -> None:
        assert format == "PNG"
        target.write(PIXEL)

    def __repr__(self) -> str:
        return "<PIL.Image.Image image mode=RGBA size=1x1>"


def test_matplotlib_figures_and_axes_and_pil_images_are_saved_as_png() -> None:
    figure = Figure()

    results = [format_result(figure), format_result(Axes(figure)), format_result(Image())]

    encoded = base64.b64encode(PIXEL).decode()
    image_part = {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{encoded}"}}
    assert [r.content for r in results] == [
        [{"type": "text", "text": f"{label}\n(PNG image, 70 bytes)"}, image_part]
        for label in (
            "<Figure size 640x480 with 1 Axes>",
            "<Axes: >",
            "<PIL.Image.Image image mode=RGBA size=1x1>",
        )
    ]
    assert figure.saved_as == ["png", "png"]
