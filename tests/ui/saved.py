"""Saved notebooks with real turns in them: recorded by a real kernel through nbclient.

The model is the local OpenAI-compatible server; the tool call is approved by the headless
policy (``headless_allow``), so the turn records a decision, a result and a duration, exactly
as a notebook saved from JupyterLab would.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

from jupyter_orch.testing.openai_server import OpenAIServer, tool_then_answer

TURN_MIME = "application/vnd.jupyter-orch.turn+json"
NO_SUCH_KERNEL = "jupyter-orch-no-such-kernel"

SETUP = '''\
%load_ext jupyter_orch
%config JupyterOrch.model = "openai/test-model"
%config JupyterOrch.params = {{"api_base": "{api_base}", "api_key": "sk-test", "temperature": 0.2}}
%config JupyterOrch.headless_allow = ["add"]
import jupyter_orch

@jupyter_orch.tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b'''
CHAT = "%%chat\nWhat is 2 + 3? Use the add tool, then show it as Python code."


def record_tool_turns(folder: Path, turns: int = 1) -> dict[str, Any]:
    """Run a notebook of ``turns`` tool-using chat cells in a real kernel; return it as JSON."""
    with OpenAIServer(tool_then_answer("add", {"a": 2, "b": 3})) as server:
        cells = [nbformat.v4.new_code_cell(SETUP.format(api_base=server.url))]
        cells += [nbformat.v4.new_code_cell(CHAT) for _ in range(turns)]
        nb = nbformat.v4.new_notebook(cells=cells)
        client = NotebookClient(
            nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(folder)}}
        )
        client.execute()
    data: dict[str, Any] = json.loads(nbformat.writes(nb))
    for cell in data["cells"][1:]:
        bundles = [o.get("data", {}) for o in cell["outputs"]]
        assert any(TURN_MIME in b for b in bundles), cell["outputs"]
    return data


def without_kernel(nb: dict[str, Any]) -> dict[str, Any]:
    """The notebook with a kernelspec nobody has, so JupyterLab starts no kernel for it."""
    nb = copy.deepcopy(nb)
    nb["metadata"]["kernelspec"] = {
        "name": NO_SUCH_KERNEL,
        "display_name": "Gone",
        "language": "python",
    }
    return nb


def repeated(nb: dict[str, Any], turns: int) -> dict[str, Any]:
    """A notebook with the first chat cell of ``nb`` repeated as turns 1..``turns``."""
    nb = copy.deepcopy(nb)
    chat = nb["cells"][1]
    cells = [nb["cells"][0]]
    for index in range(turns):
        cell = copy.deepcopy(chat)
        cell["id"] = f"chat-{index}"
        for output in cell["outputs"]:
            record = output.get("data", {}).get(TURN_MIME)
            if record is not None:
                record["position"] = index
                record["id"] = f"turn-{index}"
        cells.append(cell)
    nb["cells"] = cells
    return nb
