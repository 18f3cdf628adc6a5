"""The edit tools over the bridge, with a test page: the card shows the diff before anything
changes, Approve has the page apply it, Reject changes nothing and the model hears why, a
run's outputs go to the page and back to the model, and the record keeps the diff."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from jupyter_orch.testing.openai_server import OpenAIServer
from jupyter_orch.transcript.record import MIME
from tests.support.kernel import Msg
from tests.support.responders import calls_in_turn

from .page import TestPage, Wire

CELLS = [
    {"id": "c1", "cell_type": "code", "source": "import json", "running": False,
     "execution_count": 1, "outputs": []},
    {"id": "c2", "cell_type": "code", "source": "total = 2 +\nprint(total)", "running": False,
     "execution_count": 2, "outputs": [{"output_type": "error", "ename": "SyntaxError",
                                         "evalue": "invalid syntax", "traceback": []}]},
]  # fmt: skip
LIVE = {"path": "fix.ipynb", "dirty": False, "first": 0, "total": 2, "cells": CELLS}
FIXED = "total = 2 + 3\nprint(total)"


@pytest.fixture
def model() -> Iterator[OpenAIServer]:
    with OpenAIServer() as server:
        yield server


@pytest.fixture
def page(wire: Wire, model: OpenAIServer) -> TestPage:
    wire.run(
        "%load_ext jupyter_orch\n"
        '%config JupyterOrch.model = "openai/test-model"\n'
        f'%config JupyterOrch.params = {{"api_base": "{model.url}", "api_key": "sk-test"}}'
    )
    page = TestPage(
        wire,
        capabilities=("notebook.read", "notebook.edit"),
        answers={"ping": {}, "notebook.read": LIVE, "notebook.edit": {"applied": True}},
    )
    page.connect()
    return page


def _opened(wire: Wire, model_name: str) -> list[Msg]:
    return [
        m
        for m in wire.seen
        if m["msg_type"] == "comm_open"
        and m["content"]["data"].get("state", {}).get("_model_name") == model_name
    ]


def _button(wire: Wire, label: str) -> str:
    for m in _opened(wire, "ButtonModel"):
        if m["content"]["data"]["state"].get("description") == label:
            return str(m["content"]["comm_id"])
    raise AssertionError(f"no {label} button")


def _card_html(wire: Wire) -> str:
    return "\n".join(
        str(m["content"]["data"]["state"].get("value", "")) for m in _opened(wire, "HTMLModel")
    )


def _edits(page: TestPage) -> list[dict[str, Any]]:
    return [r["params"] for r in page.requests_seen if r["method"] == "notebook.edit"]


def _tool_messages(model: OpenAIServer) -> list[str]:
    return [m["content"] for m in model.requests[-1]["messages"] if m["role"] == "tool"]


def _record(messages: list[Msg]) -> dict[str, Any]:
    bundles = [
        m["content"]["data"]
        for m in messages
        if m["msg_type"] in ("display_data", "update_display_data") and MIME in m["content"]["data"]
    ]
    return dict(bundles[-1][MIME])


def test_a_replace_shows_the_diff_and_approve_has_the_page_apply_it(
    wire: Wire, page: TestPage, model: OpenAIServer
) -> None:
    model.responder = calls_in_turn([("replace_cell", {"cell": "2", "source": FIXED})])
    msg_id = wire.execute("%%chat\nFix the error in the cell above")
    wire.wait(lambda: _opened(wire, "TextModel"), what="the card")
    html = _card_html(wire)
    assert "Replace the source of cell 2 (code, id c2)" in html
    assert "- " in html and "+ " in html and "rgba(248,81,73" in html and "rgba(46,160,67" in html
    assert _edits(page) == []  # nothing changes before the decision
    wire.kernel.click(_button(wire, "Approve"))
    messages = wire.wait(wire.finished(msg_id), what="the turn")
    (edit,) = _edits(page)
    assert {k: edit[k] for k in ("op", "id", "old", "source")} == {
        "op": "replace",
        "id": "c2",
        "old": "total = 2 +\nprint(total)",
        "source": FIXED,
    }
    assert edit["turn"]
    assert _tool_messages(model) == ["Replaced the source of cell 2 (code, id c2). It has not run."]
    (call,) = _record(messages)["tool_calls"]
    assert call["change"]["title"] == "Replace the source of cell 2 (code, id c2)"
    assert "-total = 2 +\n+total = 2 + 3\n print(total)" in call["change"]["diff"]
    assert call["decision"]["outcome"] == "approved"


def test_reject_changes_nothing_and_the_model_hears_the_reason(
    wire: Wire, page: TestPage, model: OpenAIServer
) -> None:
    model.responder = calls_in_turn(
        [("insert_cell", {"source": "# Results", "cell_type": "markdown", "position": 2})]
    )
    msg_id = wire.execute("%%chat\nAdd a heading")
    wire.wait(lambda: _opened(wire, "TextModel"), what="the card")
    assert "Insert a new markdown cell at position 2 (before the current cell 2)" in _card_html(
        wire
    )
    box = next(m for m in _opened(wire, "TextModel"))
    wire.kernel.set_state(str(box["content"]["comm_id"]), {"value": "not now, keep it short"})
    wire.kernel.click(_button(wire, "Reject"))
    wire.wait(wire.finished(msg_id), what="the turn")
    assert _edits(page) == []
    assert _tool_messages(model) == ["The user rejected this tool call: not now, keep it short"]


def test_run_cell_runs_the_approved_code_and_its_output_goes_to_the_cell_and_the_model(
    wire: Wire, page: TestPage, model: OpenAIServer
) -> None:
    page.answers["notebook.read"] = {**LIVE, "cells": [CELLS[0], {**CELLS[1], "source": FIXED}]}
    model.responder = calls_in_turn([("run_cell", {"cell": "c2"})])
    msg_id = wire.execute("%%chat\nRun it")
    wire.wait(lambda: _opened(wire, "TextModel"), what="the card")
    assert "Run cell 2 (code, id c2) in the kernel" in _card_html(wire)
    assert not [m for m in _opened(wire, "ButtonModel") if "session" in str(m["content"])]
    wire.kernel.click(_button(wire, "Approve"))
    wire.wait(wire.finished(msg_id), what="the turn")
    (edit,) = _edits(page)
    assert edit["op"] == "outputs" and edit["id"] == "c2"
    assert edit["outputs"] == [{"output_type": "stream", "name": "stdout", "text": "5\n"}]
    assert _tool_messages(model) == ["Ran cell 2 (code, id c2). Its output:\nprinted:\n5"]
    assert wire.stdout("print(total)") == "5\n"  # it ran in the notebook's namespace


def test_a_page_that_refuses_the_edit_leaves_the_notebook_and_says_why(
    wire: Wire, page: TestPage, model: OpenAIServer
) -> None:
    del page.answers["notebook.edit"]
    model.responder = calls_in_turn([("delete_cell", {"cell": "c1"})])
    msg_id = wire.execute("%%chat\nDelete the import")
    wire.wait(lambda: _opened(wire, "TextModel"), what="the card")
    wire.kernel.click(_button(wire, "Approve"))
    wire.wait(lambda: _edits(page), what="the edit asked")
    request = next(r for r in page.requests_seen if r["method"] == "notebook.edit")
    refusal = "the cell changed while you were deciding: your text is kept"
    page.send({"type": "response", "id": request["id"], "error": {"message": refusal}})
    wire.wait(wire.finished(msg_id), what="the turn")
    (text,) = _tool_messages(model)
    assert text == f"jupyter-orch bridge: {refusal}; the notebook is as it was"


def test_an_edit_of_a_cell_that_is_not_there_fails_before_any_card(
    wire: Wire, page: TestPage, model: OpenAIServer
) -> None:
    model.responder = calls_in_turn([("replace_cell", {"cell": "7", "source": "x"})])
    wire.run("%%chat\nEdit cell 7")
    assert _opened(wire, "ButtonModel") == []
    (text,) = _tool_messages(model)
    assert text.startswith("invalid arguments for replace_cell: no cell '7': the notebook has 2")
    assert json.dumps(_edits(page)) == "[]"
