"""The read-only notebook tools in a real kernel with no page: read from the saved .ipynb on
disk (found from the kernel's session path), saying so; the variables by type and shape."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_orch.testing.openai_server import OpenAIServer, Reply
from tests.support.kernel import Kernel, kernel
from tests.support.png import png
from tests.support.responders import calls_in_turn

PLOT = base64.b64encode(png(16, 12)).decode()


def _notebook() -> dict[str, Any]:
    image = {"output_type": "display_data", "data": {"image/png": PLOT, "text/plain": ["<Fig>"]}}
    error = {
        "output_type": "error",
        "ename": "KeyError",
        "evalue": "'weight'",
        "traceback": ["\x1b[0;31mKeyError\x1b[0m: 'weight'"],
    }
    return {
        "cells": [
            {"cell_type": "markdown", "id": "intro", "metadata": {}, "source": "# Heights"},
            {
                "cell_type": "code",
                "id": "plot",
                "execution_count": 1,
                "metadata": {},
                "outputs": [image],
                "source": "plot(heights)",
            },
            {
                "cell_type": "code",
                "id": "broken",
                "execution_count": 2,
                "metadata": {},
                "outputs": [error],
                "source": "df['weight']",
            },
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "heights.ipynb"
    path.write_text(json.dumps(_notebook()))
    return path


@pytest.fixture
def disk_kernel(server: OpenAIServer, saved: Path) -> Iterator[Kernel]:
    with kernel(env={"JPY_SESSION_NAME": str(saved)}) as k:
        ex = k.run(
            "%load_ext jupyter_orch\n"
            '%config JupyterOrch.model = "openai/gpt-4o"\n'
            f'%config JupyterOrch.params = {{"api_base": "{server.url}", "api_key": "sk-test"}}'
        )
        assert ex.errors() == []
        yield k


def _tool_message(server: OpenAIServer) -> dict[str, Any]:
    return next(m for m in server.requests[-1]["messages"] if m["role"] == "tool")


def test_list_cells_reads_the_saved_copy_and_says_so(
    disk_kernel: Kernel, server: OpenAIServer, saved: Path
) -> None:
    server.responder = calls_in_turn([("list_cells", {})])
    ex = disk_kernel.run("%%chat\nWhat is in my notebook?")
    assert ex.errors() == []
    text = _tool_message(server)["content"]
    assert f"Notebook {saved} (the saved copy on disk, as saved at" in text
    assert "1 · id intro · markdown · # Heights" in text
    assert "2 · id plot · code · In [1] · plot(heights)" in text
    assert "3 · id broken · code · In [2] · ERROR · df['weight']" in text
    tools = [t["function"]["name"] for t in server.requests[0]["tools"]]
    assert {"list_cells", "read_cell", "notebook_variables"} <= set(tools)
    assert not {"insert_cell", "replace_cell", "delete_cell", "run_cell"} & set(tools)


def test_read_cell_with_a_plot_sends_the_image_to_a_model_that_reads_images(
    disk_kernel: Kernel, server: OpenAIServer
) -> None:
    server.responder = calls_in_turn([("read_cell", {"cell": "plot"})])
    ex = disk_kernel.run("%%chat\nDescribe the plot")
    assert ex.errors() == []
    messages = server.requests[-1]["messages"]
    tool = _tool_message(server)
    assert "--- cell 2 · code · id plot · In [1] ---\nplot(heights)" in tool["content"]
    assert "(an image, image/png: attached)" in tool["content"]
    images = [
        part
        for m in messages
        if m["role"] == "user" and isinstance(m["content"], list)
        for part in m["content"]
        if part.get("type") == "image_url"
    ]
    assert [p["image_url"]["url"] for p in images] == [f"data:image/png;base64,{PLOT}"]


def test_read_cell_of_an_unknown_cell_is_an_error_the_model_reads(
    disk_kernel: Kernel, server: OpenAIServer
) -> None:
    server.responder = calls_in_turn([("read_cell", {"cell": "9"})])
    disk_kernel.run("%%chat\nRead cell 9")
    assert "no cell '9': the notebook has 3 cells" in _tool_message(server)["content"]


def test_variables_are_listed_by_type_and_shape_never_by_value(
    disk_kernel: Kernel, server: OpenAIServer
) -> None:
    disk_kernel.run(
        "import pandas as pd, numpy as np\n"
        "heights = pd.DataFrame({'name': ['a', 'b'], 'cm': [170.5, 181.0]})\n"
        "grid = np.zeros((3, 4))\n"
        "api_token = 'tok-9f8e7d6c5b4a39281706'\n"
        "counts = {'a': 1}\n"
        "_private = 1"
    )
    server.responder = calls_in_turn([("notebook_variables", {})])
    disk_kernel.run("%%chat\nWhich variables do I have?")
    text = _tool_message(server)["content"]
    assert "heights: DataFrame, 2 rows x 2 columns: name (str), cm (float64)" in text
    assert "grid: numpy.ndarray, shape (3, 4), dtype float64" in text
    assert "api_token: str, 24 characters" in text
    assert "counts: dict, 1 items" in text
    assert "pd: module" in text
    assert "tok-9f8e" not in text and "170.5" not in text and "_private" not in text
    assert "In:" not in text and "get_ipython" not in text


def test_chat_tools_says_why_the_edit_tools_are_not_offered(disk_kernel: Kernel) -> None:
    out = disk_kernel.run("%chat tools").stdout()
    assert "list_cells" in out and "notebook-read" in out and "auto" in out
    assert (
        "notebook edit tools (insert_cell, replace_cell, delete_cell, run_cell): not offered: "
        "no JupyterLab or Notebook 7 page with the jupyter-orch extension is connected"
    ) in out
    assert "read the saved copy on disk" in out


def test_without_a_page_or_a_saved_file_no_notebook_tool_is_offered(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    out = chat_kernel.run("%chat tools").stdout()
    assert "notebook read tools (list_cells, read_cell, notebook_variables): not offered" in out
    server.enqueue(Reply.text("ok"))
    chat_kernel.run("%%chat\nhi")
    assert "tools" not in server.requests[-1]
