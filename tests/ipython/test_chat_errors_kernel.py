"""Every failure of a %%chat cell is one line; the thread stays valid; the next cell works."""

from __future__ import annotations

import socket

import pytest

from jupyter_orch.testing.openai_server import OpenAIServer, Reply
from tests.support.kernel import Execution, Kernel


def one_line(ex: Execution) -> str:
    errors = ex.errors()
    assert len(errors) == 1, errors
    (line,) = errors[0]["traceback"]
    assert "\n" not in line.strip() and "Traceback" not in line
    return str(errors[0]["evalue"])


def then_next_cell_works(k: Kernel, server: OpenAIServer) -> list[dict[str, object]]:
    server.enqueue(Reply.text("recovered"))
    ex = k.run("%%chat\nstill there?")
    assert ex.errors() == [] and ex.final_bundles()[0]["text/markdown"].startswith("recovered")
    return list(server.requests[-1]["messages"])


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply.error(401, "Incorrect API key provided: sk-test"), "Authentication failed"),
        (Reply.error(429, "slow down"), "Rate limited"),
        (Reply.error(404, "The model `test-model` does not exist"), "Unknown model"),
    ],
)
def test_provider_errors_are_one_line_and_the_thread_stays_valid(
    chat_kernel: Kernel, server: OpenAIServer, reply: Reply, expected: str
) -> None:
    for _ in range(3 if reply.status == 429 else 1):  # a 429 is retried twice, then reported
        server.enqueue(reply)
    message = one_line(chat_kernel.run("%%chat\nhello"))
    assert expected in message and "sk-test" not in message
    assert [m["role"] for m in then_next_cell_works(chat_kernel, server)] == ["user"]


def test_a_rate_limit_is_retried_with_backoff_before_succeeding(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    server.enqueue(Reply.error(429, "slow down"))
    server.enqueue(Reply.error(503, "busy"))
    server.enqueue(Reply.text("third time lucky"))
    ex = chat_kernel.run("%%chat\nhello")
    assert ex.errors() == [] and ex.final_bundles()[0]["text/markdown"].startswith(
        "third time lucky"
    )
    assert len(server.requests) == 3


def test_missing_key_names_the_variable(chat_kernel: Kernel, server: OpenAIServer) -> None:
    ex = chat_kernel.run(
        "import os; os.environ.pop('ANTHROPIC_API_KEY', None)\n%config JupyterOrch.params = {}"
    )
    message = one_line(chat_kernel.run("%%chat -m anthropic/claude-sonnet-4-5\nhello"))
    assert "ANTHROPIC_API_KEY" in message
    assert ex.errors() == [] and server.requests == []
    chat_kernel.run(
        f"%config JupyterOrch.params = {{'api_base': '{server.url}', 'api_key': 'sk-test'}}"
    )
    then_next_cell_works(chat_kernel, server)


def test_unknown_provider_and_no_model(chat_kernel: Kernel, server: OpenAIServer) -> None:
    assert "Unknown model or provider 'nonsense'" in one_line(
        chat_kernel.run("%%chat -m nonsense\nhi")
    )
    chat_kernel.run('%config JupyterOrch.model = ""')
    assert "no model configured" in one_line(chat_kernel.run("%%chat\nhi"))
    chat_kernel.run('%config JupyterOrch.model = "openai/test-model"')
    then_next_cell_works(chat_kernel, server)


def test_bad_options_are_one_line(chat_kernel: Kernel, server: OpenAIServer) -> None:
    assert "unrecognized arguments: --bogus" in one_line(chat_kernel.run("%%chat --bogus\nhi"))
    assert "--temperature" in one_line(chat_kernel.run("%%chat --temperature hot\nhi"))
    assert "-p takes KEY=VALUE" in one_line(chat_kernel.run("%%chat -p nonsense\nhi"))
    assert "%chat: unknown subcommand" in one_line(chat_kernel.run("%chat frobnicate"))
    assert server.requests == []


def test_a_timeout_is_one_line(chat_kernel: Kernel, server: OpenAIServer) -> None:
    server.enqueue(Reply.hang())
    chat_kernel.run("%config JupyterOrch.timeout = 1.0")
    assert "did not answer in time" in one_line(chat_kernel.run("%%chat\nhello"))
    chat_kernel.run("%config JupyterOrch.timeout = 60.0")
    then_next_cell_works(chat_kernel, server)


def test_connection_refused_is_one_line(chat_kernel: Kernel, server: OpenAIServer) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = f"http://127.0.0.1:{port}/v1"
    message = one_line(chat_kernel.run(f"%%chat -p api_base={dead}\nhello"))
    assert "Cannot reach" in message
    then_next_cell_works(chat_kernel, server)


def test_a_cut_stream_keeps_the_partial_answer_marked(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    server.enqueue(Reply.text("The first part of a long answer", chunk_chars=5, cut_after=3))
    ex = chat_kernel.run("%%chat\nhello")
    assert "cut" in one_line(ex)
    assert ex.final_bundles()[0]["text/markdown"].startswith("The first part")
    history = then_next_cell_works(chat_kernel, server)
    assert [m["role"] for m in history] == ["user", "assistant", "user"]
    assert history[1]["content"] == "The first part "
