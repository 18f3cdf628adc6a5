"""A headless run through nbclient: no page, so the read tools read the saved .ipynb (found
from the kernel's session path) and say so, and the edit tools are not offered."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from jupyter_orch.testing.openai_server import OpenAIServer
from tests.support.responders import calls_in_turn

EDIT_TOOLS = {"insert_cell", "replace_cell", "delete_cell", "run_cell"}


def test_nbclient_reads_the_saved_notebook_and_offers_no_edit_tool(
    server: OpenAIServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "report.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "%load_ext jupyter_orch\n"
            '%config JupyterOrch.model = "openai/test-model"\n'
            f'%config JupyterOrch.params = {{"api_base": "{server.url}", "api_key": "sk-test"}}'
        ),
        nbformat.v4.new_markdown_cell("# Quarterly report"),
        nbformat.v4.new_code_cell("revenue = [12, 15, 9]"),
        nbformat.v4.new_code_cell("%%chat\nWhat does this notebook do?"),
        nbformat.v4.new_code_cell("%chat tools"),
    ]
    nbformat.write(nb, path)
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))  # the kernel's session path
    server.responder = calls_in_turn([("list_cells", {})])
    NotebookClient(
        nb, timeout=90, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()

    offered = {t["function"]["name"] for t in server.requests[0]["tools"]}
    assert {"list_cells", "read_cell", "notebook_variables"} <= offered
    assert not offered & EDIT_TOOLS
    tool = next(m for m in server.requests[-1]["messages"] if m["role"] == "tool")
    assert f"Notebook {path} (the saved copy on disk, as saved at" in tool["content"]
    assert "2 · id " in tool["content"] and "markdown · # Quarterly report" in tool["content"]
    answer = nb.cells[3].outputs[-1]["data"]["text/markdown"]
    assert "list_cells" in answer and "automatic" in answer.lower()
    listing = nb.cells[4].outputs[0]["text"]
    assert (
        "notebook edit tools (insert_cell, replace_cell, delete_cell, run_cell): not offered"
        in listing
    )
    assert "nbclient, papermill" in listing
