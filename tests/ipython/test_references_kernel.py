"""The notebook's references in a %%chat cell ({In[n]}, {Out[n]}, {Err}, {cell}) and
--context, in a real kernel, through LiteLLM to the local test server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jupyter_orch.testing.openai_server import OpenAIServer, Reply
from tests.support.kernel import Execution, Kernel, kernel
from tests.support.png import PLOT_CELL


def _sent(server: OpenAIServer) -> Any:
    """The content of the last user message of the last request."""
    return server.requests[-1]["messages"][-1]["content"]


def _error_line(ex: Execution) -> str:
    errors = ex.errors()
    assert len(errors) == 1 and len(errors[0]["traceback"]) == 1, errors
    return str(errors[0]["evalue"])


def _chat(k: Kernel, server: OpenAIServer, cell: str) -> Execution:
    server.enqueue(Reply.text("ok"))
    ex = k.run(cell)
    assert ex.errors() == [], ex.errors()
    return ex


def test_in_n_is_the_source_of_that_cell_and_long_sources_are_cut(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    first = chat_kernel.run("x = 41 + 1").reply
    assert first is not None
    count = first["content"]["execution_count"]
    chat_kernel.run("long = 1\n" + "# filler line\n" * 600)
    _chat(chat_kernel, server, f"%%chat\nExplain {{In[{count}]}} then {{In[{count + 1}]}}")
    text = _sent(server)
    assert text.startswith("Explain x = 41 + 1 then long = 1\n# filler line")
    assert text.rstrip().endswith("more characters left out)")
    assert len(text) < 4_200


def test_a_cell_number_that_did_not_run_is_one_line_and_nothing_is_sent(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    ex = chat_kernel.run("%%chat\nWhat does {In[99]} do?")
    line = _error_line(ex)
    assert "{In[99]}: no cell ran as In [99]" in line and "nothing was sent" in line
    ex = chat_kernel.run("%%chat\nAnd {Out[1]}?")
    line = _error_line(ex)
    assert "{Out[1]}: In [1] has no result" in line and "nothing was sent" in line
    assert server.requests == []


def test_out_n_is_the_result_as_text(chat_kernel: Kernel, server: OpenAIServer) -> None:
    reply = chat_kernel.run("{'rows': 3, 'ok': True}").reply
    assert reply is not None
    count = reply["content"]["execution_count"]
    _chat(chat_kernel, server, f"%%chat\nThe result was {{Out[{count}]}}.")
    assert _sent(server) == 'The result was {"rows": 3, "ok": true}.'


def test_out_n_of_an_image_is_an_image_part_for_a_model_that_reads_images(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    reply = chat_kernel.run(PLOT_CELL).reply
    assert reply is not None
    count = reply["content"]["execution_count"]
    _chat(chat_kernel, server, f"%%chat -m openai/gpt-4o\nDescribe {{Out[{count}]}}")
    text_part, image_part = _sent(server)
    assert text_part["type"] == "text"
    assert f"the image Out[{count}] is attached" in text_part["text"]
    assert image_part["type"] == "image_url"
    assert image_part["image_url"]["url"].startswith("data:image/png;base64,iVBOR")


def test_out_n_of_an_image_is_its_text_form_with_a_note_for_a_text_model(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    reply = chat_kernel.run(PLOT_CELL).reply
    assert reply is not None
    count = reply["content"]["execution_count"]
    _chat(chat_kernel, server, f"%%chat\nDescribe {{Out[{count}]}}")
    text = _sent(server)
    assert isinstance(text, str)
    assert "<IPython.core.display.Image object>" in text
    assert "this model does not read images, so here is its text form" in text


def test_err_is_the_last_error_with_its_traceback_trimmed_to_the_cells(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    chat_kernel.run("import json\n\ndef parse(text):\n    return json.loads(text)")
    failed = chat_kernel.run("settings = parse('{broken')")
    assert failed.errors()[0]["ename"] == "JSONDecodeError"
    failed_count = failed.reply["content"]["execution_count"] if failed.reply else None
    _chat(chat_kernel, server, "%%chat\nFix this:\n{Err}")
    text = _sent(server)
    assert f"The error of In [{failed_count}]:" in text
    assert "Cell In[" in text and "settings = parse('{broken')" in text
    assert "return json.loads(text)" in text
    assert "library frame(s) left out" in text
    assert text.rstrip().splitlines()[-1].startswith("json.decoder.JSONDecodeError: Expecting")
    assert "interactiveshell.py" not in text  # IPython's own frames are not the user's


def test_err_with_no_error_yet_is_one_line_and_a_chat_failure_is_not_an_error_of_a_cell(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    chat_kernel.run("%%chat\n{undefined_name}")  # the chat cell fails: not a cell's error
    ex = chat_kernel.run("%%chat\nWhy? {Err}")
    assert "{Err}: no cell has raised an error in this kernel yet" in _error_line(ex)
    assert server.requests == []
    _chat(chat_kernel, server, "%%chat\nThe text {{Err}} stays, and `{cell}` in code too.")
    assert _sent(server) == "The text {Err} stays, and `{cell}` in code too."


def test_cell_is_the_cell_run_before_with_its_result_and_error(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    failed = chat_kernel.run("values = [1, 2]\nvalues[5]")
    assert failed.errors()[0]["ename"] == "IndexError"
    count = failed.reply["content"]["execution_count"] if failed.reply else 0
    _chat(chat_kernel, server, "%%chat\nWhat went wrong?\n{cell}")
    text = _sent(server)
    assert f"The cell In [{count}]:\n```python\nvalues = [1, 2]\nvalues[5]\n```" in text
    assert "Its error:" in text and "IndexError: list index out of range" in text
    chat_kernel.run("21 * 2")
    _chat(chat_kernel, server, "%%chat\n{cell}")
    assert "Its result:\n```\n42\n```" in _sent(server)


def test_a_user_variable_named_cell_or_err_is_the_users(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    chat_kernel.run("cell = 'my cell'\nErr = 'my error'")
    _chat(chat_kernel, server, "%%chat\n{cell} and {Err}")
    assert _sent(server) == "my cell and my error"


def test_context_notebook_without_a_page_or_a_file_summarises_the_kernel_history(
    chat_kernel: Kernel, server: OpenAIServer
) -> None:
    chat_kernel.run("import math\nradius = 2\ntoken = 'sk-abcdefghijklmnopqrstuvwxyz'")
    chat_kernel.run("math.pi * radius ** 2")
    chat_kernel.run("1 / 0")
    _chat(chat_kernel, server, "%%chat --context notebook\nWhat happened?")
    text = _sent(server)
    assert text.startswith("What happened?\n\nThe notebook ")
    assert "this kernel's history" in text
    assert "import math\nradius = 2\ntoken = '[REDACTED]'" in text  # a key in a cell stays
    assert "result:\n12.566370614359172" in text
    assert "ZeroDivisionError: division by zero" in text
    assert "%%chat --context" not in text  # the prompt itself is not repeated


def test_bad_context_options_are_one_line(chat_kernel: Kernel, server: OpenAIServer) -> None:
    ex = chat_kernel.run("%%chat --context everything\nhi")
    assert "--context takes 'notebook' or 'cells 3-7'" in _error_line(ex)
    ex = chat_kernel.run("%%chat --context cells 40-50\nhi")
    assert "there is no cell 40" in _error_line(ex)
    assert server.requests == []


def _notebook(path: Path, cells: list[dict[str, Any]]) -> None:
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook))


def _code(i: int, source: str, outputs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "id": f"c{i}",
        "source": source,
        "execution_count": i,
        "metadata": {},
        "outputs": outputs or [],
    }


def test_context_cells_reads_the_saved_notebook_and_says_so(
    server: OpenAIServer, tmp_path: Path
) -> None:
    path = tmp_path / "analysis.ipynb"
    stream = {"output_type": "stream", "name": "stdout", "text": ["rows: 3\n"]}
    cells = [
        {"cell_type": "markdown", "id": "m0", "source": ["# Sales\n", "by region"], "metadata": {}},
        _code(1, "df = load()", [stream]),
        _code(2, "df.plot()"),
        _code(3, "later = 1"),
    ]
    _notebook(path, cells)
    with kernel(env={"JPY_SESSION_NAME": str(path)}) as k:
        k.run(
            "%load_ext jupyter_orch\n"
            '%config JupyterOrch.model = "openai/test-model"\n'
            f'%config JupyterOrch.params = {{"api_base": "{server.url}", "api_key": "sk-test"}}'
        )
        _chat(k, server, "%%chat --context cells 1-2\nSummarise")
    text = _sent(server)
    assert "analysis.ipynb (the saved copy on disk, as saved at" in text
    assert "unsaved changes are not in it" in text
    assert "--- cell 1 · markdown · id m0 ---\n# Sales\nby region" in text
    assert "--- cell 2 · code · id c1 · In [1] ---\ndf = load()\nprinted:\nrows: 3" in text
    assert "later = 1" not in text and "df.plot()" not in text
