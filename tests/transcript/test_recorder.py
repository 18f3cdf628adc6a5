"""The recorder and the store: what a turn record holds, when it is written, how it is read."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest

from jupyter_orch.core.approval import HeadlessApprover
from jupyter_orch.core.errors import UsageError
from jupyter_orch.core.messages import Usage
from jupyter_orch.providers.scripted import ScriptedProvider
from jupyter_orch.transcript.record import MIME, SCHEMA_VERSION, load_record
from jupyter_orch.transcript.store import (
    TranscriptStore,
    notebook_path,
    read_notebook,
    read_records,
    read_store,
    store_path,
)
from tests.transcript.turns import AddTool, Bench

TIMING = re.compile(r"(^at|_at|_s|seconds)$")


def _untimed(value: Any) -> Any:
    """The record without its clock readings (they differ on every run)."""
    if isinstance(value, dict):
        return {k: _untimed(v) for k, v in value.items() if not TIMING.search(k)}
    if isinstance(value, list):
        return [_untimed(v) for v in value]
    return value


def test_a_tool_turn_is_recorded_whole(tmp_path: Path) -> None:
    bench = Bench(tmp_path, params={"api_key": "sk-test-123456", "temperature": 0.2})
    bench.registry.add(AddTool())
    provider = ScriptedProvider()
    provider.enqueue_tool_call("add", {"a": 2, "b": 3}, id="c1", text="Adding. ")
    provider.enqueue_text("It is ", "5.", usage=Usage(20, 3))
    _, record = asyncio.run(bench.turn(provider, "add 2 and 3", execution_count=7))
    assert record is not None
    data = _untimed(record.to_json())
    hashes = [r.pop("request_hash") for r in data["rounds"]] + [data.pop("tools_hash")]
    assert all(re.fullmatch(r"[0-9a-f]{16}", h) for h in hashes)
    message_hashes = [r.pop("messages") for r in data["rounds"]]
    assert len(message_hashes[0]) == 1 and message_hashes[1][0] == message_hashes[0][0]
    assert len(message_hashes[1]) == 3
    assert data == {
        "version": SCHEMA_VERSION,
        "kind": "turn",
        "key": "s1/default/in:7",
        "id": record.id,
        "session": "s1",
        "thread": "default",
        "position": 0,
        "parent": None,
        "cell_id": None,
        "execution_count": 7,
        "status": "finished",
        "stop": "done",
        "error": None,
        "error_kind": None,
        "model": "scripted/model",
        "provider": "scripted",
        "params": {"api_key": "[REDACTED]", "temperature": 0.2},
        "messages": [
            {"role": "user", "content": "add 2 and 3"},
            {
                "role": "assistant",
                "content": "Adding. ",
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "add", "arguments": '{"a": 2, "b": 3}'},
                    }
                ],
            },
            {"role": "tool", "content": "5", "tool_call_id": "c1", "name": "add"},
            {"role": "assistant", "content": "It is 5."},
        ],
        "prompt": "add 2 and 3",
        "answer": "Adding. It is 5.",
        "rounds": [
            {
                "index": 0,
                "tools_hash": hashes[2],
                "tool_choice": None,
                "text": "Adding. ",
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "cost": None},
                "finish": "tool_calls",
            },
            {
                "index": 1,
                "tools_hash": hashes[2],
                "tool_choice": None,
                "text": "It is 5.",
                "usage": {"prompt_tokens": 20, "completion_tokens": 3, "cost": None},
                "finish": "stop",
            },
        ],
        "tool_calls": [
            {
                "id": "c1",
                "name": "add",
                "round": 0,
                "arguments_json": '{"a": 2, "b": 3}',
                "arguments": {"a": 2, "b": 3},
                "source": "notebook",
                "server": None,
                "policy": "ask",
                "decision": {
                    "outcome": "approved",
                    "approved": True,
                    "by": "headless",
                    "reason": "",
                    "always": False,
                    "scope": "once",
                },
                "result": {"content": "5", "is_error": False, "structured": None, "display": []},
                "change": None,
                "elicitations": [],
            }
        ],
        "tools_offered": ["add"],
        "usage": {"prompt_tokens": 30, "completion_tokens": 8, "cost": None},
        "cost": None,
        "latency": {},
        "versions": {"jupyter_orch": "0.0.test", "litellm": None, "python": "3", "mcp_servers": {}},
        "replay": None,
    }
    assert record.latency.first_token_s is not None and record.latency.total_s is not None


def test_rejections_and_policy_decisions_are_named(tmp_path: Path) -> None:
    bench = Bench(tmp_path)
    bench.registry.add(AddTool())
    provider = ScriptedProvider()
    provider.enqueue_tool_call("add", {"a": 1, "b": 1}, id="c1")
    provider.enqueue_text("Not allowed, then.")
    _, rejected = asyncio.run(bench.turn(provider, "add", approver=HeadlessApprover()))
    provider.enqueue_tool_call("add", {"a": 1, "b": 1}, id="c2")
    provider.enqueue_text("2.")
    _, automatic = asyncio.run(bench.turn(provider, "add again", policy="auto"))
    assert rejected is not None and automatic is not None
    decision = rejected.tool_calls[0].decision
    assert decision is not None and (decision.outcome, decision.by) == ("rejected", "headless")
    assert "headless_allow" in decision.reason
    assert rejected.tool_calls[0].result is not None and rejected.tool_calls[0].result.is_error
    auto = automatic.tool_calls[0].decision
    assert auto is not None and (auto.outcome, auto.by) == ("automatic", "policy")
    assert automatic.parent == rejected.id and automatic.position == 1


def test_the_store_is_written_as_the_turn_happens_and_a_dead_turn_reads_as_interrupted(
    tmp_path: Path,
) -> None:
    bench = Bench(tmp_path)
    provider = ScriptedProvider().enqueue_text("first")
    asyncio.run(bench.turn(provider, "one", execution_count=1))
    provider.enqueue_hang(after=["partial ", "answer "])

    async def cut_off() -> list[str]:
        task = asyncio.ensure_future(bench.turn(provider, "two", execution_count=2))
        deadline = asyncio.get_running_loop().time() + 10
        while len(provider.requests) < 2:
            assert asyncio.get_running_loop().time() < deadline, "the second turn never started"
            await asyncio.sleep(0)
        lines = bench.store.path.read_text().splitlines()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return lines

    lines = asyncio.run(cut_off())
    data = [json.loads(line) for line in lines]
    assert [d["status"] for d in data if d["execution_count"] == 2] == ["running", "running"]
    # What a kernel killed at that moment leaves behind:
    dead = tmp_path / "dead.jsonl"
    dead.write_text("\n".join(lines) + "\n")
    records = read_store(dead)
    assert [(r.prompt, r.status, r.answer) for r in records] == [
        ("one", "finished", "first"),
        ("two", "interrupted", ""),
    ]
    assert records[1].error == "the kernel stopped before the turn ended"
    # The live session's own running turn is not declared dead.
    assert read_store(dead, live_session="s1")[1].status == "running"
    # An interrupt (not a dead kernel) ends the turn in the store too, as interrupted.
    assert read_store(bench.store.path)[1].status == "interrupted"


def test_rerunning_a_cell_keeps_one_turn_the_last(tmp_path: Path) -> None:
    bench = Bench(tmp_path)
    provider = ScriptedProvider()
    for answer in ("a1", "a2", "a3"):
        provider.enqueue_text(answer)
        asyncio.run(bench.turn(provider, "same cell", cell_id="cell-1"))
    provider.enqueue_text("b")
    asyncio.run(bench.turn(provider, "other cell", cell_id="cell-2"))
    assert [t.cell_id for t in bench.thread.turns] == ["cell-1", "cell-2"]
    records = read_store(bench.store.path)
    assert [(r.key, r.answer, r.position) for r in records] == [
        ("default/cell:cell-1", "a3", 0),
        ("default/cell:cell-2", "b", 1),
    ]
    assert [r.answer for r in bench.log.records()] == ["a3", "b"]


def test_a_saved_notebook_is_read_in_cell_order(tmp_path: Path) -> None:
    bench = Bench(tmp_path)
    provider = ScriptedProvider().enqueue_text("x").enqueue_text("y")
    _, r1 = asyncio.run(bench.turn(provider, "p1", execution_count=1))
    _, r2 = asyncio.run(bench.turn(provider, "p2", execution_count=2))
    assert r1 is not None and r2 is not None
    cells = [
        {
            "cell_type": "code",
            "source": "%%chat\np2",
            "outputs": [{"output_type": "display_data", "data": {MIME: r2.to_json()}}],
        },
        {"cell_type": "markdown", "source": "text"},
        {
            "cell_type": "code",
            "source": "%%chat\np1",
            "outputs": [{"output_type": "display_data", "data": {MIME: json.dumps(r1.to_json())}}],
        },
    ]
    path = tmp_path / "nb.ipynb"
    path.write_text(
        json.dumps({"cells": cells, "nbformat": 4, "nbformat_minor": 5, "metadata": {}})
    )
    assert [r.prompt for r in read_notebook(path)] == ["p2", "p1"]
    assert [r.prompt for r in read_records(path)] == ["p2", "p1"]


def test_bad_stores_and_newer_records_fail_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text('{"kind": "turn", "version": 1}\nnot json\n')
    with pytest.raises(UsageError, match=r"s.jsonl:1: invalid turn record \(key: Field required\)"):
        read_store(path)
    with pytest.raises(UsageError, match="newer jupyter-orch"):
        load_record({"kind": "turn", "version": SCHEMA_VERSION + 1})
    with pytest.raises(UsageError, match="not a notebook"):
        (tmp_path / "x.ipynb").write_text("{")
        read_notebook(tmp_path / "x.ipynb")


def test_store_location_follows_the_notebook_or_the_setting(tmp_path: Path) -> None:
    nb = notebook_path({"__session__": str(tmp_path / "analysis.ipynb")}, {})
    assert nb == tmp_path / "analysis.ipynb"
    assert (
        notebook_path({}, {"JPY_SESSION_NAME": str(tmp_path / "b.ipynb")}) == tmp_path / "b.ipynb"
    )
    assert notebook_path({}, {}) is None
    assert store_path("", nb) == tmp_path / ".jupyter-orch" / "analysis.jsonl"
    assert store_path("", None, tmp_path) == tmp_path / ".jupyter-orch" / "transcript.jsonl"
    assert store_path(str(tmp_path / "logs"), nb) == tmp_path / "logs" / "analysis.jsonl"
    assert store_path(str(tmp_path / "all.jsonl"), nb) == tmp_path / "all.jsonl"


def test_a_store_that_cannot_be_written_stops_quietly_and_a_torn_last_line_is_skipped(
    tmp_path: Path,
) -> None:
    (tmp_path / "blocked").write_text("a file where the store's folder should be")
    bench = Bench(tmp_path)
    bench.store = TranscriptStore(tmp_path / "blocked" / "store.jsonl")
    provider = ScriptedProvider().enqueue_text("still answered")
    _, record = asyncio.run(bench.turn(provider, "q"))
    assert record is not None and record.answer == "still answered"
    assert bench.store.error is not None
    assert bench.store.error.startswith("cannot write the transcript store")
    good = Bench(tmp_path / "ok")
    asyncio.run(good.turn(ScriptedProvider().enqueue_text("kept"), "q"))
    with good.store.path.open("a") as f:
        f.write('{"kind": "turn", "vers')
    assert [r.answer for r in read_store(good.store.path)] == ["kept"]
