"""Exports (Markdown, HTML, JSON) and the ``jupyter-orch export`` command line."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from jupyter_orch.core.approval import HeadlessApprover
from jupyter_orch.core.errors import UsageError
from jupyter_orch.core.messages import Usage
from jupyter_orch.providers.scripted import ScriptedProvider
from jupyter_orch.transcript.export import format_for, render, select
from jupyter_orch.transcript.export_html import markdown_html
from jupyter_orch.transcript.record import MIME, ElicitationEntry, TurnRecord, load_record
from tests.transcript.turns import AddTool, Bench

CLI = [sys.executable, "-m", "jupyter_orch.cli"]


def _records(tmp: Path) -> list[TurnRecord]:
    bench = Bench(tmp)
    bench.registry.add(AddTool())
    provider = ScriptedProvider()
    provider.enqueue_tool_call("add", {"a": 2, "b": 3}, id="c1", text="Let me add.")
    provider.enqueue_text("**5**, see `add`.", usage=Usage(40, 4, 0.0012))
    provider.enqueue_tool_call("add", {"a": 1, "b": 1}, id="c2")
    provider.enqueue_text("I may not.")
    out = []
    approver = HeadlessApprover(allow=["add"])
    out.append(
        asyncio.run(
            bench.turn(
                provider, "What is 2+3? <script>x</script>", approver=approver, execution_count=3
            )
        )[1]
    )
    out.append(
        asyncio.run(
            bench.turn(provider, "And 1+1?", approver=HeadlessApprover(), execution_count=4)
        )[1]
    )
    return [r for r in out if r is not None]


def test_markdown_reads_as_questions_answers_tool_calls_decisions_and_usage(tmp_path: Path) -> None:
    text = render(_records(tmp_path), "md", "nb.ipynb")
    assert text.startswith("# Chat transcript: nb.ipynb\n")
    assert "## Turn 1 · thread default · In \\[3\\]" in text
    assert "> What is 2+3? &lt;script>x&lt;/script>" in text
    assert "Let me add." in text and "**5**, see `add`." in text
    assert "- tool **add** (notebook): approved by the headless policy" in text
    assert '  ```json\n  {\n    "a": 2,\n    "b": 3\n  }\n  ```' in text
    assert "  result:\n\n  ```\n  5\n  ```" in text
    assert "rejected by the headless policy: no user is present" in text
    assert "  error:" in text
    assert "50 → 9 tokens · &#36;0.0012" in text and "finished" in text
    assert text.index("Let me add.") < text.index("**add**") < text.index("**5**")


def test_html_is_escaped_rendered_and_complete(tmp_path: Path) -> None:
    page = render(_records(tmp_path), "html", "nb <1>.ipynb")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<title>Chat transcript: nb &lt;1&gt;.ipynb</title>" in page
    assert "<strong>5</strong>, see <code>add</code>." in page
    assert (
        '<div class="tool approved"><div class="head">tool <code>add</code> (notebook): '
        "approved by the headless policy" in page
    )
    assert '<div class="tool rejected">' in page and "rejected by the headless policy" in page
    assert "&quot;a&quot;: 2" in page


def test_json_round_trips_and_threads_filter(tmp_path: Path) -> None:
    records = _records(tmp_path)
    data = json.loads(render(records, "json", "nb"))
    assert [load_record(t) for t in data["turns"]] == records
    assert select(records, "default") == records
    with pytest.raises(UsageError, match="no turns in thread 'x'; threads: default"):
        select(records, "x")
    assert (
        format_for(Path("a.html"), None),
        format_for(None, "json"),
        format_for(Path("a"), None),
    ) == ("html", "json", "md")


def test_markdown_subset_renders_and_leaves_raw_html_as_text() -> None:
    md = (
        "# Title\n\nA *b* and [link](https://example.org) <b>raw</b>\n\n- one\n- two\n\n"
        "```py\nx < 1\n```\n> quoted"
    )
    assert markdown_html(md) == (
        "<h3>Title</h3>\n"
        '<p>A <em>b</em> and <a href="https://example.org">link</a> &lt;b&gt;raw&lt;/b&gt;</p>\n'
        "<ul><li>one</li><li>two</li></ul>\n"
        "<pre><code>x &lt; 1</code></pre>\n"
        "<blockquote><p>quoted</p></blockquote>"
    )
    assert "href" not in markdown_html('[x](javascript:alert(1)) [y](https://a.b/"onclick=z)')


def _notebook(tmp: Path, records: list[TurnRecord]) -> Path:
    cells: list[dict[str, Any]] = [
        {
            "cell_type": "code",
            "source": f"%%chat\n{r.prompt}",
            "metadata": {},
            "execution_count": r.execution_count,
            "outputs": [
                {
                    "output_type": "display_data",
                    "metadata": {},
                    "data": {"text/markdown": r.answer, MIME: r.to_json()},
                }
            ],
        }
        for r in records
    ]
    path = tmp / "analysis.ipynb"
    path.write_text(
        json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    )
    return path


def test_the_command_line_exports_a_notebook_without_a_kernel(tmp_path: Path) -> None:
    nb = _notebook(tmp_path, _records(tmp_path))
    done = subprocess.run([*CLI, "export", str(nb)], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == f"exported 2 turns to {tmp_path / 'analysis.chat.md'} (md)"
    assert "approved by the headless policy" in (tmp_path / "analysis.chat.md").read_text()
    subprocess.run(
        [*CLI, "export", str(nb), "-o", str(tmp_path / "t.html")], check=True, capture_output=True
    )
    assert "rejected by the headless policy" in (tmp_path / "t.html").read_text()
    piped = subprocess.run(
        [*CLI, "export", str(nb), "--format", "json", "-o", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert len(json.loads(piped.stdout)["turns"]) == 2


def test_the_command_line_fails_in_one_line(tmp_path: Path) -> None:
    for args, message in (
        (["export", str(tmp_path / "missing.ipynb")], "cannot read"),
        (["export", str(tmp_path / "a.ipynb"), "--format", "pdf"], "invalid choice"),
        (["frobnicate"], "invalid choice"),
    ):
        (tmp_path / "a.ipynb").write_text('{"cells": []}')
        done = subprocess.run([*CLI, *args], capture_output=True, text=True)
        assert done.returncode == 2 and done.stdout == ""
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("jupyter-orch: ") and message in lines[0], (
            done.stderr
        )
    done = subprocess.run(
        [*CLI, "export", str(tmp_path / "a.ipynb")], capture_output=True, text=True
    )
    assert done.returncode == 2 and "holds no %%chat turn records" in done.stderr


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (["not a cell"], "cell 1: not a notebook cell"),
        ([{"cell_type": "code", "outputs": "nope"}], "cell 1: its outputs are not a list"),
        (
            [{"cell_type": "code", "outputs": [{"data": {MIME: "{not json"}}]}],
            "cell 1: its turn record is not valid JSON",
        ),
    ],
)
def test_a_corrupt_notebook_is_one_line_naming_the_cell(
    tmp_path: Path, cells: list[Any], message: str
) -> None:
    path = tmp_path / "broken.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4}))
    done = subprocess.run([*CLI, "export", str(path)], capture_output=True, text=True)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert message in line and "Traceback" not in done.stderr


def test_a_servers_question_and_its_answer_show_under_its_call(tmp_path: Path) -> None:
    record = _records(tmp_path)[0]
    asked: dict[str, Any] = {"source": "mcp:hotel", "mode": "form", "message": "Which <b>city</b>?"}
    asked |= {"fields": ["city"], "action": "accept", "content": {"city": "Lyon"}}
    record.tool_calls[0].elicitations.append(ElicitationEntry.model_validate(asked))
    text = render([record], "md", "nb.ipynb")
    line = (
        "asked the user (form: city): Which &lt;b&gt;city&lt;/b&gt;? → accepted "
        "{&quot;city&quot;: &quot;Lyon&quot;}"
    )
    assert line in text
    assert text.index("**add**") < text.index("asked the user") < text.index("result:")
    page = render([record], "html", "nb.ipynb")
    assert "Which &lt;b&gt;city&lt;/b&gt;? → accepted" in page and "<b>city" not in page
