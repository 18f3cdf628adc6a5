"""Cells read from nbformat JSON, shown to the model bounded; which tools are offered when."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from jupyter_orch.core.policy import PolicyTable
from jupyter_orch.core.tools import ToolRegistry
from jupyter_orch.tools.notebook.cells import Snapshot, cells_from_json
from jupyter_orch.tools.notebook.offer import NotebookTools
from jupyter_orch.tools.notebook.read_tools import ListCells, ReadCell
from jupyter_orch.tools.notebook.reader import NotebookReader
from jupyter_orch.tools.notebook.render import (
    CONTEXT_CHARS,
    cell_detail,
    context_summary,
    parse_range,
)


def _code(
    i: int, source: str | list[str], outputs: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "id": f"c{i}",
        "source": source,
        "execution_count": i,
        "outputs": outputs or [],
    }


def test_outputs_are_read_as_text_with_colour_codes_gone_and_raster_images_kept() -> None:
    error = {"ename": "ValueError", "evalue": "bad", "traceback": ["\x1b[31mX"]}
    images = {"image/png": "iVBO Rw==\n", "image/svg+xml": "<svg/>"}
    outputs: list[dict[str, Any]] = [
        {"output_type": "stream", "name": "stdout", "text": ["a\n", "b\n"]},
        {"output_type": "error", **error},
        {"output_type": "display_data", "data": images},
        {"output_type": "display_data", "data": {"application/vnd.jupyter.widget-view+json": {}}},
    ]
    (cell,) = cells_from_json([_code(1, ["x = 1\n", "x"], outputs)])
    assert cell.source == "x = 1\nx"
    assert [(o.kind, o.text, o.images) for o in cell.outputs] == [
        ("stream", "a\nb\n", ()),
        ("error", "X\nValueError: bad", ()),
        ("display", "", (("image/png", "iVBORw=="),)),
    ]
    assert cell.error is not None and cell.run_state() == "In [1]"


def test_a_cell_in_full_is_bounded_and_its_image_attached_only_when_asked() -> None:
    image = {"output_type": "display_data", "data": {"image/png": "iVBORw==", "text/plain": "<F>"}}
    (cell,) = cells_from_json([_code(3, "y" * 20_000, [image])])
    text, parts = cell_detail(cell, images=True)
    assert text.startswith("--- cell 1 · code · id c3 · In [3] ---\nyyyy")
    assert "(10,000 more characters left out)" in text
    assert "shown:\n<F>\n(an image, image/png: attached)" in text
    assert parts == [{"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw=="}}]
    text, parts = cell_detail(cell, images=False)
    assert parts == [] and "(an image, image/png: not attached)" in text


def test_a_context_summary_stays_under_its_budget_and_details_the_cells_near_the_chat() -> None:
    cells = [_code(i, f"step_{i} = compute({i})\n" + "# note\n" * 60) for i in range(1, 51)]
    snapshot = Snapshot(cells_from_json(cells), "live from the page", "n.ipynb", live=True)
    text, parts = context_summary(snapshot, images=True, near=40)
    assert len(text) <= CONTEXT_CHARS and parts == []
    assert text.startswith("The notebook n.ipynb (live from the page; 50 cells); ")
    assert "--- cell 40 · code · id c40 · In [40] ---" in text  # the nearest in full
    assert "--- cell 1 · code" not in text
    assert "1 · id c1 · code · In [1] · step_1 = compute(1)" in text  # the far ones by a line


def test_chat_cells_show_only_their_line_in_a_context() -> None:
    cells = [_code(1, "%%chat\nExplain {Err}"), _code(2, "x = 2")]
    snapshot = Snapshot(cells_from_json(cells), "saved", "")
    text, _ = context_summary(snapshot, images=False)
    assert "1 · id c1 · code · In [1] · chat cell · %%chat" in text
    assert "--- cell 2 · code · id c2 · In [2] ---\nx = 2" in text


@pytest.mark.parametrize(("text", "expected"), [("3-7", (3, 7)), ("5", (5, 5)), ("2-99", (2, 10))])
def test_ranges_count_from_one_and_stop_at_the_last_cell(
    text: str, expected: tuple[int, int]
) -> None:
    assert parse_range(text, 10) == expected


def test_a_range_past_the_end_says_how_many_cells_there_are() -> None:
    with pytest.raises(ValueError, match="the notebook has 10 cells, so there is no cell 11"):
        parse_range("11-12", 10)


class _Page:
    """A bridge with pages offering some capabilities (the fake at the bridge seam)."""

    def __init__(self, *capabilities: str) -> None:
        self.capabilities = set(capabilities)

    def offers(self, capability: str) -> bool:
        return capability in self.capabilities

    async def request(self, method: str, params: Any = None, **kwargs: Any) -> Any:
        return {"path": "p.ipynb", "cells": [_code(1, "live = 1")]}


def test_the_read_tools_follow_the_page_then_the_saved_file(tmp_path: Path) -> None:
    page: _Page | None = None
    path = tmp_path / "n.ipynb"
    namespace: dict[str, Any] = {"__session__": str(path)}
    reader = NotebookReader(lambda: page, namespace)
    registry = ToolRegistry()
    tools = NotebookTools(registry, PolicyTable(), reader, [ListCells(reader), ReadCell(reader)])
    tools.sync()
    assert registry.names() == []  # no page, and no file yet
    path.write_text(json.dumps({"cells": [_code(1, "saved = 1")]}))
    tools.sync()
    assert registry.names() == ["list_cells", "read_cell"]
    result = asyncio.run(ListCells(reader).call({}))
    assert "saved = 1" in result.text() and "the saved copy on disk" in result.text()
    page = _Page("notebook.read")
    result = asyncio.run(ListCells(reader).call({}))
    assert "live = 1" in result.text() and "live from the page" in result.text()


def test_a_tool_of_the_user_with_the_same_name_is_left_alone(tmp_path: Path) -> None:
    page = _Page("notebook.read")
    reader = NotebookReader(lambda: page, {})
    registry = ToolRegistry()
    mine = ListCells(reader)
    users = ReadCell(reader)
    registry.add(users)
    tools = NotebookTools(registry, PolicyTable(), reader, [mine, ReadCell(reader)])
    tools.sync()
    assert registry.get("read_cell") is users and registry.get("list_cells") is mine
    tools.remove_all()
    assert registry.names() == ["read_cell"] and registry.get("read_cell") is users
