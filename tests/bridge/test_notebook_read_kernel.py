"""The read tools over the bridge: a page that offers notebook.read is asked for the live
notebook; the tools come and go with the page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from jupyter_orch.testing.openai_server import OpenAIServer, Reply
from tests.support.responders import calls_in_turn

from .page import TestPage, Wire

LIVE = {
    "path": "work/analysis.ipynb",
    "dirty": True,
    "first": 0,
    "total": 2,
    "cells": [
        {"id": "a1", "cell_type": "code", "source": "x = 1", "running": False,
         "execution_count": 4, "outputs": []},
        {"id": "b2", "cell_type": "code", "source": "slow()", "running": True,
         "execution_count": None, "outputs": [
             {"output_type": "stream", "name": "stdout", "text": "step 1\n"}]},
    ],
}  # fmt: skip


@pytest.fixture
def model() -> Iterator[OpenAIServer]:
    with OpenAIServer() as server:
        yield server


def _setup(wire: Wire, model: OpenAIServer) -> None:
    wire.run(
        "%load_ext jupyter_orch\n"
        '%config JupyterOrch.model = "openai/test-model"\n'
        f'%config JupyterOrch.params = {{"api_base": "{model.url}", "api_key": "sk-test"}}'
    )


def _tools(request: dict[str, Any]) -> list[str]:
    return [t["function"]["name"] for t in request.get("tools", [])]


def test_list_cells_reads_the_live_notebook_from_the_page(wire: Wire, model: OpenAIServer) -> None:
    _setup(wire, model)
    page = TestPage(
        wire,
        capabilities=("notify", "status", "notebook.read"),
        answers={"ping": {}, "notebook.read": LIVE},
    )
    assert page.connect()["capabilities"] == ["notebook.read", "notify", "status"]
    model.responder = calls_in_turn([("list_cells", {})])
    wire.run("%%chat\nWhat is running?")
    (asked,) = [r for r in page.requests_seen if r["method"] == "notebook.read"]
    assert asked["params"]["images"] is False  # a list needs no images
    tool = next(m for m in model.requests[-1]["messages"] if m["role"] == "tool")
    assert tool["content"] == (
        "Notebook work/analysis.ipynb (live from the page (with unsaved changes); 2 cells).\n"
        "position · id · type · run state · error · first line\n"
        "1 · id a1 · code · In [4] · x = 1\n"
        "2 · id b2 · code · running · slow()"
    )
    assert "list_cells" in _tools(model.requests[0])


def test_the_read_tools_go_with_the_page(wire: Wire, model: OpenAIServer) -> None:
    _setup(wire, model)
    page = TestPage(
        wire,
        capabilities=("notebook.read",),
        answers={"ping": {}, "notebook.read": LIVE},
    )
    page.connect()
    model.enqueue(Reply.text("one"))
    wire.run("%%chat\nhello")
    assert "read_cell" in _tools(model.requests[-1])
    page.close()
    wire.wait(lambda: "False" in wire.stdout(_CONNECTED), what="the page gone")
    model.enqueue(Reply.text("two"))
    wire.run("%%chat\nagain")
    assert _tools(model.requests[-1]) == []


def test_a_page_error_reaches_the_model_as_one_line(wire: Wire, model: OpenAIServer) -> None:
    _setup(wire, model)
    page = TestPage(wire, capabilities=("notebook.read",), answers={"ping": {}})
    page.connect()
    model.responder = calls_in_turn([("read_cell", {"cell": "1"})])
    msg_id = wire.execute("%%chat\nRead the first cell")
    wire.wait(lambda: page.requests_seen, what="the page asked")
    request = page.requests_seen[0]
    page.send(
        {
            "type": "response",
            "id": request["id"],
            "error": {"message": "no notebook of this kernel is open on the page"},
        }
    )
    wire.wait(wire.finished(msg_id), what="the turn")
    tool = next(m for m in model.requests[-1]["messages"] if m["role"] == "tool")
    assert tool["content"] == (
        "jupyter-orch bridge: no notebook of this kernel is open on the page"
    )


_CONNECTED = (
    "from jupyter_orch.ipython.loader import get_extension as g\nprint(g().bridge.connected)"
)
