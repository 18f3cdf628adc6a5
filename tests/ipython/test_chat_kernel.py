"""%%chat in a real kernel, through the real LiteLLM path to a local test server."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from jupyter_orch.testing.openai_server import OpenAIServer, Reply
from tests.support.kernel import Kernel, kernel

ROUTE = "from jupyter_orch.ipython.loader import get_extension\nprint(get_extension().provider.last_route)"


@pytest.fixture(autouse=True)
def through_litellm(chat_kernel: Kernel) -> None:
    """Every chat of this module goes through LiteLLM (not the OpenAI-over-HTTP path)."""
    assert chat_kernel.run('%config JupyterOrch.route = "litellm"').errors() == []


ANSWER = "Hello **world**.\n\nA second paragraph, with `code`.\n\n```python\nx = 1\n\ny = 2\n```\n\nDone."


def _error_line(ex: object) -> str:
    errors = ex.errors()  # type: ignore[attr-defined]
    assert len(errors) == 1 and len(errors[0]["traceback"]) == 1, errors
    return str(errors[0]["evalue"])


def test_the_answer_streams_in_several_updates_then_leaves_one_markdown_bundle(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    server.enqueue(Reply.text(ANSWER, chunk_chars=3, tokens_per_second=50))
    ex = chat_kernel.run("%%chat\nSay hello")
    kinds = [m["msg_type"] for m in ex.outputs()]
    clear = kinds.index("clear_output")
    partial = [
        m for m in ex.outputs()[:clear] if m["msg_type"] in ("display_data", "update_display_data")
    ]
    assert len(partial) >= 4, kinds
    assert "waiting for the first token" in partial[0]["content"]["data"]["text/markdown"]
    # One final output, shown as soon as the answer is complete, then completed in place
    # (usage and the turn record arrive when the provider's stream ends).
    tail = ex.outputs()[clear:]
    assert kinds[clear : clear + 2] == ["clear_output", "display_data"]
    final_id = tail[1]["content"]["transient"]["display_id"]
    assert [(m["msg_type"], m["content"]["transient"]["display_id"]) for m in tail[2:]] == [
        ("update_display_data", final_id)
    ]
    (bundle,) = ex.final_bundles()
    assert set(bundle) == {"text/markdown", "text/plain", "application/vnd.jupyter-orch.turn+json"}
    assert bundle["text/markdown"].startswith(ANSWER)
    assert "openai/test-model" in bundle["text/markdown"]
    # The code fence was never cut in two while streaming: each streamed display ends up
    # holding whole fences (the growing one may be caught half-way, but it is completed later).
    last_text: dict[str, str] = {}
    for m in partial:
        last_text[m["content"]["transient"]["display_id"]] = m["content"]["data"]["text/markdown"]
    assert "".join(last_text.values()).count("```") == 2
    assert all(text.count("```") % 2 == 0 for text in last_text.values()), last_text
    assert ex.reply is not None and ex.reply["content"]["status"] == "ok"


def test_options_and_defaults_reach_the_provider(chat_kernel: Kernel, server: OpenAIServer) -> None:
    server.enqueue(Reply.text("ok"))
    chat_kernel.run(
        f"%config JupyterOrch.params = {{'api_base': '{server.url}', 'api_key': 'sk-test', 'top_p': 0.5}}"
    )
    ex = chat_kernel.run(
        '%%chat --temperature 0.2 --max-tokens 50 --seed 7 -p presence_penalty=0.1 --system "Be terse."\nHi'
    )
    assert ex.errors() == []
    body = server.requests[-1]
    picked = {
        k: body.get(k) for k in ("temperature", "max_tokens", "seed", "top_p", "presence_penalty")
    }
    assert picked == {
        "temperature": 0.2,
        "max_tokens": 50,
        "seed": 7,
        "top_p": 0.5,
        "presence_penalty": 0.1,
    }
    assert body["messages"][0] == {"role": "system", "content": "Be terse."}
    assert body["model"] == "test-model" and body["stream"] is True


def test_threads_keep_history_and_new_starts_afresh(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    for text in ("one", "two", "three", "four"):
        server.enqueue(Reply.text(text))
    chat_kernel.run("%%chat\nfirst")
    chat_kernel.run("%%chat\nsecond")
    assert [m["content"] for m in server.requests[-1]["messages"]] == ["first", "one", "second"]
    chat_kernel.run("%%chat -t other\nelsewhere")
    assert [m["content"] for m in server.requests[-1]["messages"]] == ["elsewhere"]
    chat_kernel.run("%%chat -t default --new\nagain")
    assert [m["content"] for m in server.requests[-1]["messages"]] == ["again"]


def test_variables_are_interpolated_once_and_braces_escape(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    server.enqueue(Reply.text("ok"))
    chat_kernel.run("n = 3\nweird = '{n}'")
    chat_kernel.run("%%chat\nn={n} weird={weird} literal={{n}}")
    assert server.requests[-1]["messages"][-1]["content"] == "n=3 weird={n} literal={n}"


def test_a_missing_variable_is_one_line_and_nothing_is_sent(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    ex = chat_kernel.run("%%chat\nwhat is {undefined_thing}?")
    assert "undefined_thing" in _error_line(ex) and "nothing was sent" in _error_line(ex)
    assert server.requests == []


def test_interrupt_cancels_promptly_and_keeps_the_partial_answer(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    server.enqueue(Reply.text("word " * 400, chunk_chars=5, tokens_per_second=20))
    msg_id = chat_kernel.send("%%chat\nTalk for a long time")
    ex = chat_kernel.collect(msg_id, until=lambda m: m["msg_type"] == "update_display_data")
    chat_kernel.interrupt()
    ex = chat_kernel.collect(msg_id, into=ex, timeout=10)
    assert "interrupted" in _error_line(ex)
    (bundle,) = ex.final_bundles()
    assert bundle["text/markdown"].startswith("word") and "Stopped here" in bundle["text/markdown"]
    server.enqueue(Reply.text("next"))
    after = chat_kernel.run("%%chat\nAre you there?")
    assert after.errors() == []
    history = server.requests[-1]["messages"]
    assert [m["role"] for m in history] == ["user", "assistant", "user"]
    assert history[1]["content"].startswith("word")


def test_run_all_keeps_order_a_queued_cell_runs_after_the_chat(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    server.enqueue(Reply.text("slow answer " * 10, chunk_chars=6, tokens_per_second=100))
    first = chat_kernel.send("%%chat\nhi")
    second = chat_kernel.send("print('second ran')")
    ex1 = chat_kernel.collect(first)
    ex2 = chat_kernel.collect(second)
    assert ex1.final_bundles() and "second ran" in ex2.stdout()
    assert ex1.iopub[-1]["header"]["date"] <= ex2.iopub[0]["header"]["date"]


def test_status_threads_usage_and_model_subcommands(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    server.enqueue(Reply.text("hi there"))
    chat_kernel.run("%%chat\nhello")
    out = chat_kernel.run(
        "%chat status\n%chat threads\n%chat usage\n%chat model openai/other"
    ).stdout()
    assert "model: openai/test-model" in out and "default: 1 turns, 2 messages" in out
    assert "model: openai/other" in out
    assert "%chat subcommands" in chat_kernel.run("%chat help").stdout()
    assert "cleared thread 'default'" in chat_kernel.run("%chat clear").stdout()


def test_chat_help_is_the_option_parser() -> None:
    with kernel() as k:
        k.run("%load_ext jupyter_orch")
        ex = k.run("%%chat?\n")
        assert ex.reply is not None
        text = json.dumps(ex.reply["content"]["payload"])
        assert "--temperature" in text and "--thread" in text


def test_import_and_load_ext_import_neither_litellm_nor_mcp() -> None:
    code = (
        "import sys, jupyter_orch\n"
        "from IPython.testing.globalipapp import start_ipython\n"
        "ip = start_ipython()\n"
        "ip.config.JupyterOrch.warm = False\n"
        "ip.run_line_magic('load_ext', 'jupyter_orch')\n"
        "heavy = [m for m in ('litellm', 'mcp', 'llama_cpp') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stderr


def test_unload_removes_the_magics_and_a_reload_works(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    chat_kernel.run("%unload_ext jupyter_orch")
    ex = chat_kernel.run("%chat status")
    assert "Line magic function `%chat` not found" in ex.stderr()
    chat_kernel.run("%load_ext jupyter_orch")
    chat_kernel.run(
        f'%config JupyterOrch.model = "openai/test-model"\n%config JupyterOrch.params = {{"api_base": "{server.url}", "api_key": "sk-test"}}'
    )
    server.enqueue(Reply.text("back"))
    assert chat_kernel.run("%%chat\nhi").final_bundles()


def test_quiet_and_text_format_and_system_from_a_file(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    server.enqueue(
        Reply.text("Quiet **answer**.", chunk_chars=3), Reply.text("Plain *text*.", chunk_chars=3)
    )
    quiet = chat_kernel.run("%%chat -q\nhi")
    assert not any(
        m["msg_type"] == "update_display_data" and "waiting" in str(m) for m in quiet.outputs()
    )
    (bundle,) = quiet.final_bundles()
    assert bundle["text/markdown"].strip() == "Quiet **answer**."  # no footer when quiet
    plain = chat_kernel.run("%%chat --format text\nhi")
    (bundle,) = plain.final_bundles()
    assert "text/markdown" not in bundle and bundle["text/plain"].startswith("Plain *text*.")
    server.enqueue(Reply.text("ok"))
    chat_kernel.run("open('system.txt', 'w').write('You are a careful statistician.')")
    assert "31 characters" in chat_kernel.run("%chat system -f system.txt").stdout()
    chat_kernel.run("%%chat\nhello")
    assert server.requests[-1]["messages"][0] == {
        "role": "system",
        "content": "You are a careful statistician.",
    }


def test_the_route_of_a_call_is_visible_and_either_path_can_be_forced(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    answers = []
    for route in ("litellm", "openai-http"):
        chat_kernel.run(f'%config JupyterOrch.route = "{route}"')
        server.enqueue(Reply.text("same answer"))
        ex = chat_kernel.run("%%chat\nwhich way?")
        answers.append(ex.final_bundles()[0]["text/markdown"].split("\n")[0])
        assert chat_kernel.run(ROUTE).stdout().strip() == route
    assert answers == ["same answer", "same answer"]
    first, second = server.requests[-2:]
    assert first["model"] == second["model"] and first["stream"] == second["stream"]
    assert second["messages"][:-2] == first["messages"]  # the same thread, one turn later
