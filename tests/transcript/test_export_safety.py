"""Exports and the command line: no payload from a model, a tool or a record becomes active."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from jupyter_orch.core.approval import HeadlessApprover
from jupyter_orch.core.messages import ToolResult
from jupyter_orch.core.tools import ToolSpec
from jupyter_orch.providers.scripted import ScriptedProvider
from jupyter_orch.transcript.export import render
from jupyter_orch.transcript.record import MIME, TurnRecord
from tests.support.xss import PAYLOADS, active_parts, problems_in
from tests.transcript.turns import Bench

CLI = [sys.executable, "-m", "jupyter_orch.cli"]


class _Echo:
    """A tool from a hostile server: its name on the server and its result are the payload."""

    def __init__(self, payload: str) -> None:
        self.payload = payload
        self.spec = ToolSpec("fetch", "Fetch.", {"type": "object"}, source=f"mcp:{payload}")

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        return arguments

    async def call(self, arguments: dict[str, Any]) -> ToolResult:
        return ToolResult(self.payload)


def _record(tmp: Path, payload: str) -> TurnRecord:
    bench = Bench(tmp)
    bench.registry.add(_Echo(payload))
    provider = ScriptedProvider()
    provider.enqueue_tool_call("fetch", {"url": payload}, id="c1", text=payload)
    provider.enqueue_text(f"The page says:\n\n{payload}\n\nDone.")
    prompt = f"Summarise this: {payload}"
    approver = HeadlessApprover(allow=["fetch"])
    record = asyncio.run(bench.turn(provider, prompt, approver=approver, execution_count=1))[1]
    assert record is not None
    return record


@pytest.fixture(scope="module")
def plain_html(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    # Our page's own markup (head, style, sections), the same whatever the turn says.
    record = _record(tmp_path_factory.mktemp("plain"), "plain words")
    return set(active_parts(render([record], "html", "plain")))


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_the_markdown_export_is_inert(tmp_path: Path, name: str) -> None:
    markdown = render([_record(tmp_path, PAYLOADS[name])], "md", PAYLOADS[name])
    assert problems_in(markdown) == {}


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_the_html_export_is_inert(tmp_path: Path, name: str, plain_html: set[str]) -> None:
    page = render([_record(tmp_path, PAYLOADS[name])], "html", PAYLOADS[name])
    assert set(active_parts(page)) == plain_html


def test_the_json_export_holds_no_markup_characters(tmp_path: Path) -> None:
    text = render([_record(tmp_path, PAYLOADS["script"])], "json", "<b>")
    assert not set("<>&") & set(text)
    assert "<script>" in json.loads(text)["turns"][0]["answer"]


def _notebook(tmp: Path, record: dict[str, Any]) -> Path:
    output = {"output_type": "display_data", "metadata": {}, "data": {MIME: record}}
    cell: dict[str, Any] = {
        "cell_type": "code",
        "source": "%%chat\nx",
        "metadata": {},
        "outputs": [output],
    }
    cell["execution_count"] = 1
    path = tmp / "shared.ipynb"
    path.write_text(
        json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    )
    return path


def test_a_crafted_notebook_exports_inert_through_the_command_line(tmp_path: Path) -> None:
    data = _record(tmp_path, PAYLOADS["img onerror"]).to_json()
    data["model"] = "<img src=x onerror=alert(1)>"
    data["tool_calls"][0]["source"] = '" onmouseover="alert(1)'
    nb = _notebook(tmp_path, data)
    for suffix in ("html", "md"):
        out = tmp_path / f"out.{suffix}"
        done = subprocess.run([*CLI, "export", str(nb), "-o", str(out)], capture_output=True)
        assert done.returncode == 0, done.stderr
        page = out.read_text()
        if suffix == "md":  # the arguments show as written, inside a code block
            assert problems_in(page) == {}
        else:
            assert "<img" not in page and 'onmouseover="alert' not in page


def test_the_command_line_prints_no_terminal_control_characters(tmp_path: Path) -> None:
    data = _record(tmp_path, "x").to_json()
    data["thread"] = "evil\x1b]0;owned\x07\x1b[2J"
    nb = _notebook(tmp_path, data)
    done = subprocess.run(
        [*CLI, "export", str(nb), "--thread", "t"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert (
        "\x1b" not in done.stderr and "\x07" not in done.stderr and "evil?]0;owned?" in done.stderr
    )
