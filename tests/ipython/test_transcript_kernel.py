"""Transcripts in real kernels: replay of a saved notebook, a killed kernel, secrets, re-runs."""

from __future__ import annotations

import copy
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

from jupyter_orch.testing.openai_server import OpenAIServer, Reply
from jupyter_orch.transcript.record import MIME
from jupyter_orch.transcript.store import read_store
from tests.support.kernel import Execution, Kernel, kernel

CONFIG = """\
%load_ext jupyter_orch
%config JupyterOrch.model = "openai/test-model"
%config JupyterOrch.params = {{"api_base": "{url}", "api_key": "sk-test-key"}}
%config JupyterOrch.retry_backoff = 0.01
%config JupyterOrch.headless_allow = ["add", "get_current_time"]
"""
ADD = '''\
import jupyter_orch
calls = []
@jupyter_orch.tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    calls.append((a, b))
    return a + b
'''
TIMING = re.compile(r"(\d+\.\d s|\d+ ms)")


def _chat_outputs(nb: Any) -> list[dict[str, Any]]:
    """The final bundle of every %%chat cell, its clock readings blanked."""
    out = []
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("%%chat"):
            (bundle,) = [o for o in cell.outputs if o.get("output_type") == "display_data"]
            data = bundle["data"]
            out.append(
                {
                    "text/markdown": TIMING.sub("T", data["text/markdown"]),
                    "text/plain": TIMING.sub("T", data["text/plain"]),
                    "answer": data[MIME]["answer"],
                    "results": [c["result"] for c in data[MIME]["tool_calls"]],
                    "decisions": [c["decision"]["outcome"] for c in data[MIME]["tool_calls"]],
                }
            )
    return out


def _execute(nb: Any, cwd: Path, env: dict[str, str] | None = None) -> Any:
    full = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", **(env or {})}
    full.pop("JUPYTER_ORCH_MODEL", None)
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    ).execute(env=full)
    return nb


def test_a_saved_notebook_replays_offline_with_identical_chat_outputs(tmp_path: Path) -> None:
    with OpenAIServer() as server:
        server.enqueue(
            Reply.tool_calls([("add", {"a": 2, "b": 3})], text="Let me add."),
            Reply.text("2 + 3 = 5."),
            Reply.text("You are welcome.", chunk_chars=1),
            Reply.tool_calls([("get_current_time", {"timezone": "UTC"})]),
        )  # then the echo responder, which quotes the tool results it is sent
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_code_cell(CONFIG.format(url=server.url)),
            nbformat.v4.new_code_cell(ADD),
            nbformat.v4.new_code_cell("%%chat\nWhat is 2 + 3?"),
            nbformat.v4.new_code_cell("%%chat --temperature 0.5\nThanks!"),
            nbformat.v4.new_code_cell("%mcp add time -- mcp-server-time"),
            nbformat.v4.new_code_cell("%%chat\nWhat time is it?"),
            nbformat.v4.new_code_cell("print(calls)"),
        ]
        recorded = _execute(copy.deepcopy(nb), tmp_path)
        requests = len(server.requests)
    assert requests == 5
    saved = tmp_path / "analysis.ipynb"
    nbformat.write(recorded, saved)
    first = _chat_outputs(recorded)
    assert first[0]["answer"] == "Let me add.2 + 3 = 5." and first[0]["decisions"] == ["approved"]
    assert first[2]["decisions"] == ["approved"] and "datetime" in first[2]["answer"]

    # The server is gone: any model call would fail the cell. The MCP clock has moved on (a
    # kernel start later), so its recorded result shows only if the recording supplied it.
    replayed = _execute(copy.deepcopy(nb), tmp_path, {"JUPYTER_ORCH_REPLAY": str(saved)})
    assert _chat_outputs(replayed) == first
    assert replayed.cells[-1].outputs[0]["text"] == "[(2, 3)]\n"  # the notebook tool ran again
    records = [c.outputs[-1]["data"][MIME] for c in replayed.cells if c.source.startswith("%%chat")]
    assert {r["replay"] for r in records} == {str(saved)}
    assert records[2]["versions"]["mcp_servers"]["mcp:time"].startswith("mcp-time ")
    assert records[2]["tool_calls"][0]["server"].startswith("mcp-time ")

    # No kernel needed to read it: Markdown and HTML with the tool calls and their decisions.
    cli = [sys.executable, "-m", "jupyter_orch.cli", "export", str(saved)]
    subprocess.run(cli, check=True, capture_output=True)
    subprocess.run([*cli, "-o", str(tmp_path / "t.html")], check=True, capture_output=True)
    md = (tmp_path / "analysis.chat.md").read_text()
    page = (tmp_path / "t.html").read_text()
    for text in (md, page):
        assert (
            "add" in text
            and "approved by the headless policy" in text
            and "get_current_time" in text
        )
        assert "What is 2 + 3?" in text and "2 + 3 = 5." in text
    assert "temperature=0.5" in md


def _store(k: Kernel, tmp: Path) -> Path:
    ex = k.run(f"%config JupyterOrch.transcript_path = {str(tmp)!r}")
    assert ex.errors() == []
    return tmp / "transcript.jsonl"


def test_a_killed_kernel_leaves_valid_lines_earlier_turns_and_the_partial_one(
    chat_kernel: Kernel, server: OpenAIServer, tmp_path: Path
) -> None:
    store = _store(chat_kernel, tmp_path)
    assert chat_kernel.run(ADD + "%chat policy add auto\n").errors() == []
    server.enqueue(Reply.tool_calls([("add", {"a": 1, "b": 2})]), Reply.text("three"))
    chat_kernel.run("%%chat\nfirst")
    server.enqueue(Reply.text("second answer"))
    chat_kernel.run("%%chat\nsecond")
    server.enqueue(Reply.text("word " * 500, chunk_chars=5, tokens_per_second=40))
    chat_kernel.send("%%chat\nthird, long")
    deadline = time.monotonic() + 30
    while "word word" not in store.read_text().splitlines()[-1]:  # a checkpoint of the partial text
        assert time.monotonic() < deadline, "no partial checkpoint within 30 s"
        time.sleep(0.05)
    pid = chat_kernel.km.provisioner.pid  # type: ignore[union-attr]
    os.kill(pid, signal.SIGKILL)
    lines = store.read_text().splitlines()
    assert all(isinstance(json.loads(line), dict) for line in lines)
    records = read_store(store)
    assert [(r.prompt, r.status) for r in records] == [
        ("first", "finished"),
        ("second", "finished"),
        ("third, long", "interrupted"),
    ]
    assert (
        records[0].tool_calls[0].result is not None
        and records[0].tool_calls[0].result.content == "3"
    )
    assert records[2].answer.startswith("word word") and records[2].stop == "killed"


def test_secrets_never_reach_outputs_store_or_exports(server: OpenAIServer, tmp_path: Path) -> None:
    env_secret = "tok-93jf02kd81mz77"
    arg_secret = "sk-live-9a8b7c6d5e4f3g2h1i0j"
    with kernel(env={"MY_SERVICE_TOKEN": env_secret}) as k:
        k.run(CONFIG.format(url=server.url))
        store = _store(k, tmp_path)
        login = (
            "import os\ntok = os.environ['MY_SERVICE_TOKEN']\n"
            "@jupyter_orch.tool\ndef login(user: str, api_key: str) -> str:\n"
            "    '''Log in.'''\n    return f'logged in {user} with {api_key}'\n"
            "%chat policy login auto"
        )
        assert k.run("import jupyter_orch\n" + login).errors() == []
        server.enqueue(Reply.tool_calls([("login", {"user": "ann", "api_key": arg_secret})]))
        chats = [k.run("%%chat\nLog me in"), k.run("%%chat\nMy token is {tok}, ok?")]
        assert all(ex.errors() == [] for ex in chats)
        exports = [tmp_path / f"t.{fmt}" for fmt in ("md", "html", "json")]
        for path in exports:
            assert k.run(f"%chat export {path}").errors() == []
    # The model did get them (it asked for the call; the prompt held the token) ...
    sent = json.dumps(server.requests)
    assert arg_secret in sent and env_secret in sent
    # ... but nothing shown, stored or exported holds them.
    shown = json.dumps([m["content"] for ex in chats for m in ex.iopub])
    assert "[REDACTED]" in shown and "Tool results: login: logged in ann with" in shown
    for where, text in [("outputs", shown), ("store", store.read_text())] + [
        (p.name, p.read_text()) for p in exports
    ]:
        for secret in (env_secret, arg_secret, "sk-test-key"):
            assert secret not in text, (where, secret)
            assert secret[:8] not in text, (where, secret[:8])


def _run_in_cell(k: Kernel, code: str, cell_id: str) -> Execution:
    """Execute as JupyterLab does: the cell's id in the request's metadata."""
    content = {
        "code": code,
        "silent": False,
        "store_history": True,
        "user_expressions": {},
        "allow_stdin": False,
        "stop_on_error": False,
    }
    msg = k.kc.session.msg("execute_request", content, metadata={"cellId": cell_id})
    k.kc.shell_channel.send(msg)
    return k.collect(msg["header"]["msg_id"])


def test_rerunning_a_cell_three_times_keeps_one_turn_and_forks_branch(
    chat_kernel: Kernel, server: OpenAIServer, tmp_path: Path
) -> None:
    store = _store(chat_kernel, tmp_path)
    for answer in ("one", "two", "three"):
        server.enqueue(Reply.text(answer))
        assert _run_in_cell(chat_kernel, "%%chat\nhello", "cell-a").errors() == []
    server.enqueue(Reply.text("later"))
    _run_in_cell(chat_kernel, "%%chat\nlater", "cell-b")
    assert "default: 2 turns, 4 messages" in chat_kernel.run("%chat threads").stdout()
    records = read_store(store)
    assert [(r.cell_id, r.answer) for r in records] == [("cell-a", "three"), ("cell-b", "later")]
    assert len([line for line in store.read_text().splitlines() if '"cell-a"' in line]) > 3

    out = chat_kernel.run("%chat fork alt --from-cell cell-a").stdout()
    assert "forked thread 'default' (turns 1-1) into 'alt'" in out
    server.enqueue(Reply.text("branched"))
    chat_kernel.run("%%chat\nwhat now?")
    assert [m["content"] for m in server.requests[-1]["messages"]] == [
        "hello",
        "three",
        "what now?",
    ]
    ex = chat_kernel.run(f"%chat export {tmp_path / 'alt.md'} --thread alt --session")
    assert "exported 1 turns" in ex.stdout()
    assert "what now?" in (tmp_path / "alt.md").read_text()
    bad = chat_kernel.run("%chat fork alt")
    assert "already exists" in bad.errors()[0]["evalue"]


def test_replay_subcommand_serves_the_store_and_names_a_mismatch(
    chat_kernel: Kernel, server: OpenAIServer, tmp_path: Path
) -> None:
    store = _store(chat_kernel, tmp_path)
    server.enqueue(Reply.text("recorded answer"))
    chat_kernel.run("%%chat\nquestion")
    chat_kernel.run("%chat clear")
    before = len(server.requests)
    assert "replay: on" in chat_kernel.run(f"%chat replay {store}").stdout()
    (bundle,) = chat_kernel.run("%%chat\nquestion").final_bundles()
    assert bundle["text/markdown"].startswith("recorded answer")
    assert bundle[MIME]["replay"] == str(store)
    ex = chat_kernel.run("%%chat\nanother question")
    (error,) = ex.errors()
    assert "no recorded turn 2 in thread 'default'" in error["evalue"]
    assert len(server.requests) == before
    assert "replay: off" in chat_kernel.run("%chat replay off").stdout()
    server.enqueue(Reply.text("live again"))
    assert (
        chat_kernel.run("%%chat\nlive?")
        .final_bundles()[0]["text/markdown"]
        .startswith("live again")
    )


def test_a_bad_replay_setting_is_one_line(chat_kernel: Kernel) -> None:
    ex = chat_kernel.run("%chat replay missing.jsonl")
    (error,) = ex.errors()
    assert "cannot read missing.jsonl" in error["evalue"] and len(error["traceback"]) == 1


def test_an_interrupted_turn_is_recorded_as_interrupted_with_its_partial_answer(
    chat_kernel: Kernel, server: OpenAIServer, tmp_path: Path
) -> None:
    store = _store(chat_kernel, tmp_path)
    help_lines = chat_kernel.run("%chat help").stdout().splitlines()
    assert any(line.split()[:1] == ["export"] and "PATH" in line for line in help_lines)
    server.enqueue(Reply.text("word " * 400, chunk_chars=5, tokens_per_second=20))
    msg_id = chat_kernel.send("%%chat\nTalk for a long time")
    ex = chat_kernel.collect(msg_id, until=lambda m: m["msg_type"] == "update_display_data")
    chat_kernel.interrupt()
    ex = chat_kernel.collect(msg_id, into=ex, timeout=10)
    (bundle,) = ex.final_bundles()
    record = bundle[MIME]
    assert (record["status"], record["stop"]) == ("interrupted", "interrupted")
    assert record["answer"].startswith("word") and bundle["text/markdown"].startswith(
        record["answer"]
    )
    assert record["messages"][-1]["interrupted"] is True
    (stored,) = read_store(store)
    assert stored.model_dump(mode="json") == record
