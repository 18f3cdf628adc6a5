"""Terminal IPython: plain streamed text, and a text prompt instead of buttons."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from jupyter_orch.testing.openai_server import OpenAIServer, Reply, tool_then_answer

SCRIPT = textwrap.dedent(
    """
    import sys
    from IPython.testing.globalipapp import start_ipython
    ip = start_ipython()
    ip.config.JupyterOrch.warm = False
    ip.run_line_magic("load_ext", "jupyter_orch")
    ip.run_line_magic("config", 'JupyterOrch.model = "openai/test-model"')
    ip.run_line_magic("config", 'JupyterOrch.params = {"api_base": "%s", "api_key": "sk-test"}')
    ip.run_cell('''
    import jupyter_orch
    @jupyter_orch.tool
    def add(a: int, b: int) -> int:
        "Add two integers."
        return a + b
    @jupyter_orch.tool
    def echo(text: str) -> str:
        "Say it back."
        return text
    ''')
    result = ip.run_cell("%%%%chat\\n%s")
    print("\\nsuccess:", result.success)
    """
)


def run_terminal(server: OpenAIServer, prompt: str, stdin: str = "", **env_vars: str) -> str:
    code = SCRIPT % (server.url, prompt)
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", **env_vars}
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_terminal_ipython_streams_plain_text_with_a_footer() -> None:
    with OpenAIServer() as server:
        server.enqueue(Reply.text("Plain **text** answer", chunk_chars=4))
        stdout = run_terminal(server, "hello")
    assert "Plain **text** answer" in stdout
    assert "-- openai/test-model" in stdout and "success: True" in stdout
    assert "<sub>" not in stdout and "text/markdown" not in stdout


def test_terminal_ipython_asks_on_a_text_prompt() -> None:
    with OpenAIServer() as server:
        server.responder = tool_then_answer("add", {"a": 2, "b": 3})
        approved = run_terminal(server, "2+3?", stdin="y\n")
        assert "The model wants to run add" in approved and "Tool results: add: 5" in approved
        rejected = run_terminal(server, "2+3?", stdin="not today\n")
        assert (
            "The user rejected this tool call: not today"
            in server.requests[-1]["messages"][-1]["content"]
        )
        assert "Tool results: add: 5" not in rejected


def test_the_text_prompt_hides_secrets_in_the_arguments() -> None:
    secret = "tok-4f9a8b7c6d5e"
    with OpenAIServer() as server:
        server.responder = tool_then_answer("echo", {"text": f"use {secret} please"})
        stdout = run_terminal(server, "echo it", stdin="y\n", DEMO_TOKEN=secret)
    assert "The model wants to run echo" in stdout and "use [REDACTED] please" in stdout
    assert secret not in stdout
