"""%mcp in a real kernel: mounting, listing, resources, prompts, approvals, no leftovers."""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from jupyter_orch.testing.openai_server import OpenAIServer, Reply
from jupyter_orch.transcript.record import MIME as TURN_MIME
from tests.support.kernel import Execution, Kernel, kernel

EVERYTHING = (
    Path(__file__).resolve().parents[1]
    / "support/npm/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
)
PIDS = (
    "print(sorted(s.pid for s in get_ipython().magics_manager.registry['McpMagics']"
    ".mounts.servers() if s.pid))"
)


def _everything_command() -> str:
    node = shutil.which("node")
    if node is None or not EVERYTHING.is_file():
        pytest.fail("server-everything is not installed: run npm ci --prefix tests/support/npm")
    return f"{node} {EVERYTHING} stdio"


def _ok(ex: Execution) -> str:
    assert ex.errors() == [], ex.errors()
    assert ex.stderr() == "", ex.stderr()
    return ex.stdout()


def _pids(k: Kernel) -> list[int]:
    return [int(p) for p in json.loads(_ok(k.run(PIDS)))]


def _gone(pids: list[int]) -> bool:
    alive = [psutil.Process(p) for p in pids if psutil.pid_exists(p)]
    _, still = psutil.wait_procs(alive, timeout=10)
    return not [p for p in still if p.status() != psutil.STATUS_ZOMBIE]


def test_mcp_add_list_tools_and_unload_leaves_no_process() -> None:
    with kernel() as k:
        _ok(k.run("%load_ext jupyter_orch"))
        added = _ok(k.run("%mcp add time -- mcp-server-time", timeout=90))
        assert added.startswith("Mounted time (stdio, mcp-time ")
        assert "2 tools, 0 resources, 0 prompts" in added
        listing = _ok(k.run("%mcp list")).splitlines()
        assert listing[0].split() == [
            "NAME",
            "TRANSPORT",
            "STATE",
            "TOOLS",
            "RESOURCES",
            "PROMPTS",
            "SERVER",
        ]
        assert listing[1].split()[:6] == ["time", "stdio", "connected", "2", "0", "0"]
        tools = _ok(k.run("%mcp tools time"))
        assert "get_current_time  time    ask" in tools
        pids = _pids(k)
        assert len(pids) == 1
        _ok(k.run("%unload_ext jupyter_orch"))
        _ok(k.run("import asyncio; await asyncio.sleep(0)"))  # the orderly close runs on the loop
        assert _gone(pids)


def _one_line_failure(ex: Execution) -> str:
    """The cell failed with one line (no traceback wall); return that line."""
    (error,) = ex.errors()
    assert len(error["traceback"]) == 1, error["traceback"]
    return str(error["evalue"])


def test_bad_input_and_failing_servers_fail_the_cell_with_one_line() -> None:
    with kernel() as k:
        _ok(k.run("%load_ext jupyter_orch"))
        cases = {
            "%mcp add x": "Error: %mcp add: give the server's command after --, or --url URL",
            "%mcp frobnicate": "Error: %mcp: argument SUBCOMMAND: invalid choice: 'frobnicate'",
            "%mcp read nobody demo://x": "Error: no MCP server named 'nobody'; mounted: none",
            "%mcp add ghost -- no-such-mcp-server": (
                "Error: MCP server 'ghost' failed: "
                "command not found: 'no-such-mcp-server' (not on PATH)"
            ),
        }
        for line, expected in cases.items():
            ex = k.run(line)
            assert ex.stdout() == ""
            assert _one_line_failure(ex).startswith(expected), (line, ex.errors())
        tiny = Path(__file__).parents[1] / "tools/mcp/servers/tiny_server.py"
        crash = f"%mcp add dies -- {sys.executable} {tiny} --exit-at-start 2"
        text = _one_line_failure(k.run(crash))
        assert "MCP server 'dies' failed: the server exited before it finished starting" in text
        assert "fatal: cannot start (exit 2)" in text
        assert "fatal: cannot start" in _ok(k.run("%mcp log dies"))
        # The same name may be tried again with a corrected command.
        fixed = _ok(k.run(f"%mcp add dies -- {sys.executable} {tiny}"))
        assert fixed.startswith("Mounted dies (stdio")


def test_run_all_stops_at_a_failed_mcp_add() -> None:
    with kernel() as k:
        _ok(k.run("%load_ext jupyter_orch"))
        ex = k.run("%mcp add ghost -- no-such-mcp-server\nprint('after')")
        assert ex.reply is not None and ex.reply["content"]["status"] == "error"
        assert "after" not in ex.stdout()


def test_a_tilde_in_the_command_is_the_home_folder(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    tiny = Path(__file__).parents[1] / "tools/mcp/servers/tiny_server.py"
    shutil.copy(tiny, home / "tiny_server.py")
    with kernel(env={"HOME": str(home)}) as k:
        _ok(k.run("%load_ext jupyter_orch"))
        added = _ok(k.run(f"%mcp add t -- {sys.executable} ~/tiny_server.py"))
        assert added.startswith("Mounted t (stdio")


def test_a_servers_stderr_is_redacted_in_the_failure_and_the_log() -> None:
    secret = "sk-proj-" + "Q" * 40
    tiny = Path(__file__).parents[1] / "tools/mcp/servers/tiny_server.py"
    with kernel(env={"OPENAI_API_KEY": secret}) as k:
        _ok(k.run("%load_ext jupyter_orch"))
        leak = f"--env LEAK={secret} -- {sys.executable} {tiny} --exit-at-start 1 --name $LEAK"
        ex = k.run(f"%mcp add leaky {leak}")
        failure = _one_line_failure(ex)
        log = k.run("%mcp log leaky").stdout()
        assert "fatal" in failure and "fatal" in log
        assert secret not in failure and secret not in log


def _started(flag: str) -> bool:
    for proc in psutil.Process().children(recursive=True):
        try:
            if flag in proc.cmdline():
                return True
        except psutil.Error:
            continue
    return False


def test_interrupt_during_a_start_that_never_answers_gives_one_line() -> None:
    tiny = Path(__file__).parents[1] / "tools/mcp/servers/tiny_server.py"
    with kernel() as k:
        _ok(k.run("%load_ext jupyter_orch"))
        line = f"%mcp add stuck -- {sys.executable} {tiny} --hang-on-init"
        msg_id = k.send(line)
        deadline = time.monotonic() + 30
        while not _started("--hang-on-init"):
            assert time.monotonic() < deadline, "the server never started"
            time.sleep(0.05)
        k.interrupt()
        ex = k.collect(msg_id, timeout=30)
        assert _one_line_failure(ex) == f"Error: {line}: interrupted"
        assert "failed" in _ok(k.run("%mcp list"))


def test_a_resource_is_attached_and_a_prompt_joins_the_thread() -> None:
    with kernel() as k:
        _ok(k.run("%load_ext jupyter_orch"))
        _ok(k.run(f"%mcp add ev -- {_everything_command()}"))
        resources = _ok(k.run("%mcp resources ev"))
        uri = next(line.split()[1] for line in resources.splitlines() if "text/markdown" in line)
        attached = _ok(k.run(f"%mcp read ev {uri}"))
        assert attached.startswith(f"Attached {uri} (") and "thread 'default'" in attached
        prompts = _ok(k.run("%mcp prompts ev"))
        assert any(
            line.split()[1:4] == ["args-prompt", "city*", "state"] for line in prompts.splitlines()
        )
        missing = k.run("%mcp prompt ev args-prompt")
        assert _one_line_failure(missing) == "Error: prompt 'args-prompt' needs city=..."
        added = _ok(k.run("%mcp prompt ev args-prompt city=Lyon"))
        assert added.startswith("Added 1 message(s) of prompt 'args-prompt' to thread 'default'")
        check = (
            "from jupyter_orch.ipython.loader import get_extension\n"
            "s = get_extension().session\n"
            "print(s.attachments['default'][0]['text'][:60])\n"
            "print(s.thread().messages()[-1].text())"
        )
        out = _ok(k.run(check))
        assert out.startswith(f"Resource {uri}") and "Lyon" in out
        _ok(k.run("%mcp remove ev"))


def _approval(k: Kernel, msg_id: str) -> tuple[Execution, dict[str, str]]:
    """Collect a running %%chat cell until its card's buttons exist; return them by label."""

    def card_shown(msg: dict[str, Any]) -> bool:
        state = msg["content"].get("data", {}).get("state", {})
        return msg["msg_type"] == "comm_open" and state.get("description") == "Reject"

    ex = k.collect(msg_id, until=card_shown, timeout=60)
    buttons = {
        m["content"]["data"]["state"]["description"]: m["content"]["comm_id"]
        for m in ex.widgets("ButtonModel")
    }
    return ex, buttons


def test_an_mcp_tool_runs_after_approve_and_not_after_reject(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    k = chat_kernel
    _ok(k.run("%mcp add time -- mcp-server-time", timeout=90))
    call = ("get_current_time", {"timezone": "Europe/Paris"})
    server.enqueue(Reply.tool_calls([call]), Reply.text("It is time."))
    msg_id = k.send("%%chat\nWhat time is it in Paris?")
    ex, buttons = _approval(k, msg_id)
    assert "MCP server time" in json.dumps([m["content"] for m in ex.iopub])
    k.click(buttons["Approve"])
    k.collect(msg_id, into=ex)
    tool_message = server.requests[-1]["messages"][-1]
    assert tool_message["role"] == "tool"
    assert '"timezone": "Europe/Paris"' in tool_message["content"]

    server.enqueue(Reply.tool_calls([call]), Reply.text("Fine, I will not."))
    msg_id = k.send("%%chat\nAnd now?")
    ex, buttons = _approval(k, msg_id)
    k.click(buttons["Reject"])
    k.collect(msg_id, into=ex)
    rejected = server.requests[-1]["messages"][-1]
    assert rejected["role"] == "tool" and 'Europe/Paris"' not in rejected["content"]
    assert "reject" in rejected["content"].lower()


def test_kernel_shutdown_leaves_no_server_process() -> None:
    tiny = Path(__file__).parents[1] / "tools/mcp/servers/tiny_server.py"
    with kernel() as k:
        _ok(k.run("%load_ext jupyter_orch"))
        _ok(k.run("%mcp add time -- mcp-server-time", timeout=90))
        _ok(k.run(f"%mcp add ev -- {_everything_command()}"))
        _ok(k.run(f"%mcp add tiny -- {sys.executable} {tiny}"))
        pids = _pids(k)
        assert len(pids) == 3
        k.km.shutdown_kernel(now=False)  # a shutdown request, as a frontend sends it
        assert _gone(pids)


def _log_of(pid: int) -> Path:
    """The log file a server writes its stderr to (its fd 2, opened by the kernel for it)."""
    (log,) = [f.path for f in psutil.Process(pid).open_files() if f.path.endswith(".log")]
    return Path(log)


def test_interrupt_during_an_mcp_call_cancels_it_and_the_server_stays_usable(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    k = chat_kernel
    tiny = Path(__file__).parents[1] / "tools/mcp/servers/tiny_server.py"
    _ok(k.run(f"%mcp add tiny --approve auto -- {sys.executable} {tiny}"))
    (pid,) = _pids(k)
    log = _log_of(pid)
    server.enqueue(Reply.tool_calls([("hang", {})]), Reply.text("unused"))
    msg_id = k.send("%%chat\nWait forever")
    deadline = time.monotonic() + 30
    while "hanging on this call" not in log.read_text():
        assert time.monotonic() < deadline, "the call never reached the server"
        time.sleep(0.02)
    k.interrupt()
    ex = k.collect(msg_id, timeout=30)
    assert any("interrupted" in e["evalue"] for e in ex.errors()), ex.errors()
    deadline = time.monotonic() + 10
    while "tiny_server: cancelled" not in log.read_text():
        assert time.monotonic() < deadline, "the server was not told of the cancel"
        time.sleep(0.02)
    listing = _ok(k.run("%mcp list")).splitlines()
    assert listing[1].split()[:3] == ["tiny", "stdio", "connected"]
    assert psutil.Process(pid).is_running()


def test_servers_named_in_the_users_ipython_config_start_at_the_first_mcp_use_not_at_load(
    tmp_path: Path,
) -> None:
    config_file = tmp_path / "mcp.json"
    config_file.write_text(json.dumps({"mcpServers": {"time": {"command": "mcp-server-time"}}}))
    ipython_config = (
        'c.InteractiveShellApp.extensions = ["jupyter_orch"]\n'
        f"c.JupyterOrch.mcp_config = [{str(config_file)!r}]\n"
    )
    with kernel(ipython_config=ipython_config) as k:
        children = "import psutil, os; print(len(psutil.Process(os.getpid()).children()))"
        assert _ok(k.run(children)) == "0\n"  # loaded, but nothing started yet
        listed = _ok(k.run("%mcp list", timeout=90))
        assert "time" in listed and "connected" in listed
        assert int(_ok(k.run(children))) >= 1
        assert "convert_time" in _ok(k.run("%chat tools"))


FEATURES = Path(__file__).parents[1] / "tools/mcp/servers/feature_server.py"


def _add_features(k: Kernel) -> None:
    _ok(k.run(f"%mcp add features --approve auto -- {sys.executable} {FEATURES}", timeout=90))


def _form_shown(msg: dict[str, Any]) -> bool:
    state = msg["content"].get("data", {}).get("state", {})
    return msg["msg_type"] == "comm_open" and state.get("description") == "Cancel"


def test_a_form_elicitation_is_filled_in_the_running_cell_and_accepted(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    k = chat_kernel
    _add_features(k)
    server.enqueue(Reply.tool_calls([("book", {})]), Reply.text("Booked."))
    msg_id = k.send("%%chat\nBook me a room")
    ex = k.collect(msg_id, until=_form_shown, timeout=60)
    texts = {
        m["content"]["data"]["state"]["value"]: m["content"]["comm_id"]
        for m in ex.widgets("TextModel")
    }
    assert set(texts) == {"Lyon", "2", "80.5"}  # the schema's defaults, shown
    assert "features asks:" in json.dumps([m["content"] for m in ex.widgets("HTMLModel")])
    buttons = {
        m["content"]["data"]["state"]["description"]: m["content"]["comm_id"]
        for m in ex.widgets("ButtonModel")
    }
    k.set_state(texts["Lyon"], {"value": "Nantes"})  # typed, then the field loses focus
    k.click(buttons["Accept"])
    k.collect(msg_id, into=ex)
    assert ex.errors() == []
    tool_message = server.requests[-1]["messages"][-1]
    assert tool_message["role"] == "tool"
    assert "accept: {'city': 'Nantes', 'nights': 2, 'budget': 80.5" in tool_message["content"]
    # The form was displayed in the chat cell's own output.
    assert any(m["msg_type"] == "display_data" for m in ex.iopub)
    # The turn record keeps the question and the answer, under the call it interrupted.
    (final,) = [b for b in ex.final_bundles() if TURN_MIME in b]
    (call,) = final[TURN_MIME]["tool_calls"]
    (asked,) = call["elicitations"]
    assert (asked["mode"], asked["action"], asked["source"]) == ("form", "accept", "mcp:features")
    assert asked["content"]["city"] == "Nantes"
    assert asked["fields"][:2] == ["city", "nights"]


def test_a_declined_form_tells_the_server_and_the_model(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    k = chat_kernel
    _add_features(k)
    server.enqueue(Reply.tool_calls([("book", {})]), Reply.text("Not booked."))
    msg_id = k.send("%%chat\nBook me a room")
    ex = k.collect(msg_id, until=_form_shown, timeout=60)
    buttons = {
        m["content"]["data"]["state"]["description"]: m["content"]["comm_id"]
        for m in ex.widgets("ButtonModel")
    }
    k.click(buttons["Decline"])
    k.collect(msg_id, into=ex)
    assert server.requests[-1]["messages"][-1]["content"] == "decline: None"
    assert "elicitation answered decline" in _ok(k.run("%mcp log features"))


def test_headless_runs_decline_an_elicitation_without_waiting(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    k = chat_kernel
    _add_features(k)
    server.enqueue(Reply.tool_calls([("book", {})]), Reply.text("Not booked."))
    ex = k.run("%%chat\nBook me a room", allow_stdin=False, timeout=60)
    assert ex.errors() == []
    assert ex.widgets("ButtonModel") == []
    assert server.requests[-1]["messages"][-1]["content"] == "decline: None"
    log = _ok(k.run("%mcp log features"))
    assert "decline (no user is present to answer this request (headless run))" in log
    (final,) = [b for b in ex.final_bundles() if TURN_MIME in b]
    (asked,) = final[TURN_MIME]["tool_calls"][0]["elicitations"]
    assert (asked["action"], asked["content"]) == ("decline", None)
    assert "headless run" in asked["reason"]


def _sign_in_link(msg: dict[str, Any]) -> bool:
    html = msg["content"].get("data", {}).get("text/html", "")
    return msg["msg_type"] == "display_data" and "Sign in to secure" in html


def test_sign_in_once_and_the_server_is_used_across_kernel_restarts(tmp_path: Path) -> None:
    import re
    import stat

    from tests.support.oauth import follow_sign_in, oauth_server

    tokens = tmp_path / "tokens.json"
    env = {"JUPYTER_ORCH_MCP_TOKENS": str(tokens)}
    with oauth_server(tmp_path) as remote:
        with kernel(env=env) as k:
            _ok(k.run("%load_ext jupyter_orch"))
            msg_id = k.send(f"%mcp add secure --url {remote.url}")
            ex = k.collect(msg_id, until=_sign_in_link, timeout=60)
            html = ex.iopub[-1]["content"]["data"]["text/html"]
            (href,) = re.findall(r"href='([^']+)'", html)
            assert href.startswith(remote.url.removesuffix("/mcp") + "/authorize?")
            assert "target='_blank'" in html and "rel='noopener noreferrer'" in html
            assert "Signed in." in follow_sign_in(href.replace("&amp;", "&"))
            k.collect(msg_id, into=ex)
            assert ex.errors() == []
            assert ex.stdout().startswith("Mounted secure (http")
            everything = json.dumps([m["content"] for m in ex.iopub])
            log = _ok(k.run("%mcp log secure"))
        assert stat.S_IMODE(tokens.stat().st_mode) == 0o600
        for token in remote.tokens():
            assert token not in everything and token not in log
        # A new kernel, run headless (nbclient, papermill): the stored tokens are used.
        with kernel(env=env) as k:
            _ok(k.run("%load_ext jupyter_orch"))
            ex = k.run(f"%mcp add secure --url {remote.url}", allow_stdin=False, timeout=60)
            assert ex.errors() == [] and ex.stdout().startswith("Mounted secure (http")
            assert "Sign in" not in json.dumps([m["content"] for m in ex.iopub])
            assert _ok(k.run("%mcp logout secure")).startswith("Signed out of secure")
        assert [g["event"] for g in remote.grants()] == ["register", "code"]
        with kernel(env=env) as k:
            _ok(k.run("%load_ext jupyter_orch"))
            ex = k.run(f"%mcp add secure --url {remote.url}", allow_stdin=False, timeout=60)
            text = _one_line_failure(ex)
            assert text.startswith("Error: MCP server 'secure' needs sign-in (it answered 401")
            assert "follow the 'Sign in to secure' link" in text


def test_a_servers_sampling_request_waits_for_approve_on_a_card_then_uses_our_model(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    k = chat_kernel
    _add_features(k)
    server.enqueue(
        Reply.tool_calls([("haiku", {"topic": "ponds"})]),
        Reply.text("Old pond, a frog"),  # the sampling request, once approved
        Reply.text("Here is your haiku."),
    )
    msg_id = k.send("%%chat\nA haiku about ponds, from the server")
    ex, buttons = _approval(k, msg_id)
    cards = json.dumps([m["content"] for m in ex.widgets("HTMLModel")])
    assert "sampling" in cards and "MCP server features" in cards and "A haiku about ponds" in cards
    assert len(server.requests) == 1  # nothing sent to the model before the click
    k.click(buttons["Approve"])
    k.collect(msg_id, into=ex)
    assert ex.errors() == []
    sampled = server.requests[1]["messages"]
    assert sampled == [{"role": "user", "content": "A haiku about ponds"}]
    assert server.requests[-1]["messages"][-1]["content"] == "Old pond, a frog"


def test_roots_are_the_notebooks_folder_unless_configured(
    chat_kernel: Kernel, server: OpenAIServer, tmp_path: Path
) -> None:
    k = chat_kernel
    notebook = tmp_path / "work" / "analysis.ipynb"
    notebook.parent.mkdir()
    _ok(k.run(f"__session__ = {str(notebook)!r}"))
    _add_features(k)
    server.enqueue(Reply.tool_calls([("roots", {})]), Reply.text("ok"))
    _ok(k.run("%%chat\nWhich roots?"))
    assert server.requests[-1]["messages"][-1]["content"] == notebook.parent.as_uri()
    _ok(k.run(f"%config JupyterOrch.mcp_roots = [{str(tmp_path)!r}]"))
    server.enqueue(Reply.tool_calls([("roots", {})]), Reply.text("ok"))
    _ok(k.run("%%chat\nWhich roots now?"))
    assert server.requests[-1]["messages"][-1]["content"] == tmp_path.as_uri()


_PROGRESS_HOOK = """
from jupyter_orch.core.events import ToolCallProgressed
from jupyter_orch.ipython.loader import get_extension
progress_seen = []

class _Progress:
    def event(self, event):
        if isinstance(event, ToolCallProgressed):
            progress_seen.append((event.progress, event.total, event.message))
    def end(self, interrupted):
        return {}

get_extension().runner.hooks.append(lambda start: _Progress())
"""


def test_a_servers_progress_reaches_the_turn_as_progress_events(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    k = chat_kernel
    _add_features(k)
    _ok(k.run(_PROGRESS_HOOK))
    server.enqueue(Reply.tool_calls([("count", {"steps": 2})]), Reply.text("Counted."))
    _ok(k.run("%%chat\nCount to two"))
    assert _ok(k.run("print(progress_seen)")) == (
        "[(1.0, 2.0, 'step 1 of 2'), (2.0, 2.0, 'step 2 of 2')]\n"
    )
    assert "[info] counted to 2" in _ok(k.run("%mcp log features"))


def test_a_changed_tool_list_refreshes_the_tools_in_the_kernel(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    k = chat_kernel
    _add_features(k)
    assert "Echo the message back" in _ok(k.run("%mcp tools features"))
    server.enqueue(Reply.tool_calls([("grow", {})]), Reply.text("Changed."))
    _ok(k.run("%%chat\nChange your tools"))
    deadline = time.monotonic() + 30
    while "now sending everything elsewhere" not in _ok(k.run("%mcp tools features")):
        assert time.monotonic() < deadline, "the tool list was not refreshed"
    server.enqueue(Reply.text("ok"))
    _ok(k.run("%%chat\nWhat tools do you have?"))
    offered = {t["function"]["name"]: t for t in server.requests[-1]["tools"]}
    assert "elsewhere" in offered["echo"]["function"]["description"]
