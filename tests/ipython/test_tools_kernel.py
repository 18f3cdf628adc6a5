"""Tool calls in a real kernel: cards answered by the same comm messages a browser sends."""

from __future__ import annotations

from typing import Any

import nbformat
from nbclient import NotebookClient

from jupyter_orch.testing.openai_server import OpenAIServer, Reply, tool_then_answer
from tests.support.kernel import Execution, Kernel, Msg

ADD = '''
import jupyter_orch
calls = []
@jupyter_orch.tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    calls.append((a, b))
    return a + b
'''


def widget_opened(model: str, **state: Any) -> Any:
    def match(m: Msg) -> bool:
        if m["msg_type"] != "comm_open":
            return False
        s = m["content"]["data"].get("state", {})
        return bool(s.get("_model_name") == model and all(s.get(k) == v for k, v in state.items()))

    return match


def comm_of(ex: Execution, model: str, **state: Any) -> str:
    (msg,) = [m for m in ex.iopub if widget_opened(model, **state)(m)]
    return str(msg["content"]["comm_id"])


def start_chat(k: Kernel, prompt: str = "What is 2 + 3?") -> tuple[str, Execution]:
    msg_id = k.send(f"%%chat\n{prompt}")
    ex = k.collect(msg_id, until=card_shown)
    return msg_id, ex


def card_shown(m: Msg) -> bool:
    """The card's box was displayed: every widget in it has been opened before."""
    return (
        m["msg_type"] == "display_data"
        and "application/vnd.jupyter.widget-view+json" in m["content"]["data"]
    )


def test_approve_click_runs_the_tool_and_the_answer_goes_on_in_the_same_output(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    chat_kernel.run(ADD)
    server.responder = tool_then_answer("add", {"a": 2, "b": 3})
    msg_id, ex = start_chat(chat_kernel)
    queued = chat_kernel.send("print('queued', calls)")
    chat_kernel.click(comm_of(ex, "ButtonModel", description="Approve"))
    ex = chat_kernel.collect(msg_id, into=ex)
    (bundle,) = ex.final_bundles()
    assert "Tool results: add: 5" in bundle["text/markdown"]
    assert "approved by you" in bundle["text/markdown"]
    assert server.requests[-1]["messages"][-1]["content"] == "5"
    assert "queued [(2, 3)]" in chat_kernel.collect(queued).stdout()


def test_reject_with_a_typed_reason_goes_back_to_the_model(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    chat_kernel.run(ADD)
    server.responder = tool_then_answer("add", {"a": 2, "b": 3})
    msg_id, ex = start_chat(chat_kernel)
    chat_kernel.set_state(
        comm_of(ex, "TextModel", placeholder="Reason (optional)"),
        {"value": "use mental arithmetic"},
    )
    chat_kernel.click(comm_of(ex, "ButtonModel", description="Reject"))
    ex = chat_kernel.collect(msg_id, into=ex)
    tool_message = server.requests[-1]["messages"][-1]
    assert tool_message["role"] == "tool"
    assert tool_message["content"] == "The user rejected this tool call: use mental arithmetic"
    assert "use mental arithmetic" in ex.final_bundles()[0]["text/markdown"]
    assert chat_kernel.run("print(calls)").stdout() == "[]\n"


def test_allow_for_this_session_skips_the_card_next_time_until_revoked(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    chat_kernel.run(ADD)
    server.responder = tool_then_answer("add", {"a": 1, "b": 1})
    msg_id, ex = start_chat(chat_kernel)
    chat_kernel.click(comm_of(ex, "ButtonModel", description="Allow for this session"))
    first = chat_kernel.collect(msg_id, into=ex).final_bundles()[0]["text/markdown"]
    assert "approved by you, for this session" in first
    second = chat_kernel.run("%%chat\nagain", timeout=30)
    assert not any(widget_opened("ButtonModel", description="Approve")(m) for m in second.iopub)
    assert "approved by you, earlier this session" in second.final_bundles()[0]["text/markdown"]
    assert chat_kernel.run("print(len(calls))").stdout() == "2\n"
    listed = chat_kernel.run("%chat policy").stdout()
    assert "allowed for this session: add" in listed
    assert "asks again" in chat_kernel.run("%chat policy revoke add").stdout()
    msg_id, ex = start_chat(chat_kernel, "and once more")
    assert comm_of(ex, "ButtonModel", description="Approve")  # the card is back


def test_policy_auto_and_deny_need_no_click(chat_kernel: Kernel, server: OpenAIServer) -> None:
    chat_kernel.run(ADD)
    server.responder = tool_then_answer("add", {"a": 4, "b": 4})
    assert "tool add: auto" in chat_kernel.run("%chat policy add auto").stdout()
    ex = chat_kernel.run("%%chat\n4+4?")
    assert "Tool results: add: 8" in ex.final_bundles()[0]["text/markdown"]
    chat_kernel.run("%chat policy notebook deny\n%chat policy add ask")
    chat_kernel.run("%chat policy add deny")
    ex = chat_kernel.run("%%chat\n4+4 again?")
    assert "denied by policy" in ex.final_bundles()[0]["text/markdown"]
    out = chat_kernel.run("%chat tools").stdout()
    assert "add" in out and "deny" in out


def test_exposed_dataframe_is_readable_and_nothing_else_is(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    chat_kernel.run(
        "import pandas as pd\ndf = pd.DataFrame({'x': range(100), 'y': [0.5] * 100})\nSECRET = 'hunter2'"
    )
    assert "exposed (read-only): df" in chat_kernel.run("%chat expose df").stdout()
    server.enqueue(
        Reply.tool_calls(
            [("inspect_variable", {"name": "df"}), ("inspect_variable", {"name": "SECRET"})]
        )
    )
    ex = chat_kernel.run("%%chat\nDescribe df")
    assert ex.errors() == []
    results = [m["content"] for m in server.requests[-1]["messages"] if m["role"] == "tool"]
    assert "x" in results[0] and "100" in results[0]
    assert "not exposed" in results[1] and "hunter2" not in results[1]


def test_run_python_asks_and_captures_output(chat_kernel: Kernel, server: OpenAIServer) -> None:
    assert "asks before every run" in chat_kernel.run("%chat tools enable python").stdout()
    chat_kernel.run(
        "%chat policy run_python auto"
    )  # an explicit policy, but run_python must still ask
    chat_kernel.run("%chat tools enable python")
    server.responder = tool_then_answer("run_python", {"code": "print('hi from model')\n6 * 7"})
    msg_id, ex = start_chat(chat_kernel, "compute")
    chat_kernel.click(comm_of(ex, "ButtonModel", description="Approve"))
    chat_kernel.collect(msg_id, into=ex)
    content = server.requests[-1]["messages"][-1]["content"]
    assert "hi from model" in content and "42" in content


def test_forced_tool_and_no_tools_reach_the_provider(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    chat_kernel.run(ADD + "\n%chat policy add auto")
    server.enqueue(Reply.tool_calls([("add", {"a": 1, "b": 2})]))
    server.enqueue(Reply.text("3"))
    chat_kernel.run("%%chat --tool add\nadd 1 and 2")
    assert server.requests[-2]["tool_choice"] == {"type": "function", "function": {"name": "add"}}
    assert "tools" not in server.requests[-1]
    server.enqueue(Reply.text("plain"))
    chat_kernel.run("%%chat --no-tools\nno tools please")
    assert "tools" not in server.requests[-1]
    ex = chat_kernel.run("%%chat --tool nope\nx")
    assert "no such tool" in ex.errors()[0]["evalue"]


def test_headless_runs_never_hang_and_allowed_tools_run(server: OpenAIServer) -> None:
    server.responder = tool_then_answer("add", {"a": 2, "b": 3})
    setup = (
        "%load_ext jupyter_orch\n"
        '%config JupyterOrch.model = "openai/test-model"\n'
        f'%config JupyterOrch.params = {{"api_base": "{server.url}", "api_key": "sk-test"}}\n' + ADD
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(setup),
        nbformat.v4.new_code_cell("%%chat\n2+3?"),
        nbformat.v4.new_code_cell("%config JupyterOrch.headless_allow = ['add']"),
        nbformat.v4.new_code_cell("%%chat\n2+3 now?"),
        nbformat.v4.new_code_cell("print(calls)"),
    ]
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    first = nb.cells[1].outputs[-1]["data"]["text/markdown"]
    assert "rejected by the headless policy" in first and "not approved" in first
    assert "approved by the headless policy" in nb.cells[3].outputs[-1]["data"]["text/markdown"]
    assert nb.cells[4].outputs[0]["text"] == "[(2, 3)]\n"
