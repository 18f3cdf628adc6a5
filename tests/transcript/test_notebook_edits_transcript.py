"""Notebook edits in transcripts: the record keeps each edit's diff and decision, the exports
show it, and a replay reproduces the answer without editing the notebook again (with a page,
and headless with no page at all)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from jupyter_orch.core.approval import HeadlessApprover, InteractiveApprover
from jupyter_orch.core.events import ToolCallRequested
from jupyter_orch.core.policy import PolicyTable
from jupyter_orch.providers.scripted import ScriptedProvider
from jupyter_orch.tools.notebook.desk import EditDesk
from jupyter_orch.tools.notebook.edit_tools import edit_tools
from jupyter_orch.tools.notebook.offer import NotebookTools
from jupyter_orch.tools.notebook.reader import NotebookReader
from jupyter_orch.transcript.export import to_markdown
from jupyter_orch.transcript.export_html import to_html
from jupyter_orch.transcript.replay import Recording, Replay
from jupyter_orch.transcript.store import read_store
from tests.transcript.turns import Bench

OLD = "total = 2 +\nprint(total)"
NEW = "total = 2 + 3\nprint(total)"


class Page:
    """A page at the bridge seam: answers notebook.read and notebook.edit, keeps the edits."""

    def __init__(self) -> None:
        self.source = OLD
        self.edits: list[dict[str, Any]] = []

    def offers(self, capability: str) -> bool:
        return capability in ("notebook.read", "notebook.edit")

    async def request(self, method: str, params: Any = None, **kwargs: Any) -> Any:
        if method == "notebook.edit":
            self.edits.append(params)
            self.source = params["source"]
            return {"applied": True, "merged": False}
        cell = {"id": "c2", "cell_type": "code", "source": self.source, "outputs": []}
        return {
            "path": "fix.ipynb",
            "cells": [{"id": "c1", "cell_type": "code", "source": "x"}, cell],
        }


def _bench(tmp: Path, page: Page | None, replayed: set[str] | None = None) -> Bench:
    bench = Bench(tmp)
    reader = NotebookReader(lambda: page, {})
    tools = NotebookTools(
        bench.registry,
        PolicyTable(),
        reader,
        read_tools=[],
        edit_tools=edit_tools(EditDesk(reader)),
        replayed=lambda: replayed or set(),
    )
    tools.sync()
    return bench


def _record(tmp: Path) -> tuple[Bench, Page, list[Any]]:
    page = Page()
    bench = _bench(tmp / "rec", page)
    provider = ScriptedProvider()
    provider.enqueue_tool_calls([("replace_cell", {"cell": "2", "source": NEW}, "e1")])
    provider.enqueue_text("Fixed: the sum was missing its second term.")
    approver = HeadlessApprover(allow=["replace_cell"])
    events, _ = asyncio.run(
        bench.turn(provider, "fix cell 2", approver=approver, execution_count=1)
    )
    return bench, page, events


def test_the_record_keeps_the_edit_with_its_diff_and_decision(tmp_path: Path) -> None:
    bench, page, _ = _record(tmp_path)
    (record,) = read_store(bench.store.path)
    (call,) = record.tool_calls
    assert call.source == "notebook-edit" and call.policy == "ask"
    assert call.decision is not None and call.decision.outcome == "approved"
    assert call.change is not None
    assert call.change.title == "Replace the source of cell 2 (code, id c2)"
    assert call.change.diff == (
        "--- before\n+++ after\n@@ -1,2 +1,2 @@\n-total = 2 +\n+total = 2 + 3\n print(total)"
    )
    assert [e["op"] for e in page.edits] == ["replace"]


def test_the_exports_show_the_change(tmp_path: Path) -> None:
    bench, _, _ = _record(tmp_path)
    records = read_store(bench.store.path)
    markdown = to_markdown(records, "fix")
    assert "  change: Replace the source of cell 2 (code, id c2)" in markdown
    assert "  ```diff\n  --- before\n  +++ after" in markdown and "  +total = 2 + 3" in markdown
    page = to_html(records, "fix")
    assert "change: Replace the source of cell 2 (code, id c2)" in page
    assert "-total = 2 +\n+total = 2 + 3" in page


def test_a_replay_with_a_page_reproduces_the_answer_and_edits_nothing(tmp_path: Path) -> None:
    recorded, _, shown = _record(tmp_path)
    replay = Replay(Recording(read_store(recorded.store.path), "rec.jsonl"))
    page = Page()
    page.source = NEW  # the saved notebook already has the edit
    bench = _bench(tmp_path / "replay", page)
    events, record = asyncio.run(
        bench.turn(
            ScriptedProvider(),
            "fix cell 2",
            approver=InteractiveApprover(),  # nobody clicks: the recorded decision settles it
            execution_count=1,
            replay=replay,
        )
    )
    assert page.edits == []
    assert record is not None and record.answer == "Fixed: the sum was missing its second term."
    requested = [e for e in events if isinstance(e, ToolCallRequested)]
    assert [e.preview for e in requested] == [None]  # no card asked the page for a preview
    assert [type(e).__name__ for e in events] == [type(e).__name__ for e in shown]


def test_a_headless_replay_offers_the_recorded_edit_tools_without_a_page(tmp_path: Path) -> None:
    recorded, _, _ = _record(tmp_path)
    records = read_store(recorded.store.path)
    replay = Replay(Recording(records, "rec.jsonl"))
    offered = {name for r in records for name in r.tools_offered}  # as the kernel gathers it
    bench = _bench(tmp_path / "headless", None, replayed=offered)
    assert sorted(bench.registry.names()) == sorted(offered)
    _, record = asyncio.run(
        bench.turn(ScriptedProvider(), "fix cell 2", execution_count=1, replay=replay)
    )
    assert record is not None and record.status == "finished"
    assert record.answer == "Fixed: the sum was missing its second term."
    (call,) = record.tool_calls
    assert call.result is not None and call.result.content == (
        "Replaced the source of cell 2 (code, id c2). It has not run."
    )
