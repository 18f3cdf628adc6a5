"""A tool returns a hostile web page; the model quotes it. Nothing in it may run in the page.

Real JupyterLab and Notebook 7 in Chromium, the local OpenAI-compatible server as the model:
its first reply calls ``fetch_page``, its second streams the tool's result back, slowly, with
ordinary Markdown around it. Every payload would set ``window.__xss``; the test reads that
flag while and after the answer streams, hovers and clicks what the page offers, and then
opens nbconvert's HTML of the saved notebook and our ``%chat export`` page in Chromium.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from jupyter_orch.testing.openai_server import OpenAIServer
from jupyter_orch.testing.replies import Reply, content_text

from .conftest import KERNEL_READY_DEADLINE_MS, Lab, Notebook, _notebook_json

pytestmark = [pytest.mark.ui, pytest.mark.slow]

MODEL_DEADLINE_MS = 60_000
PAGE = "\n".join(
    [
        "<img src=x onerror=\"window.__xss='img'\">",
        "<script>window.__xss='script'</script>",
        "<iframe src=\"javascript:parent.__xss='iframe'\"></iframe>",
        "<svg onload=\"window.__xss='svg'\"><circle r=5></circle></svg>",
        "<b onmouseover=\"window.__xss='hover'\">hover me</b>",
        "<a href=\"javascript:window.__xss='rawlink'\">raw link</a>",
        "",
        "[click me](javascript:window.__xss='mdlink') and [data](data:text/html,<b>x</b>)",
        "",
        "$\\href{javascript:window.__xss='tex'}{tex link}$ and $a<b$",
    ]
)
ORDINARY = "**bold text**\n\n- item one\n- item two\n\n| col a | col b |\n|---|---|\n| 1 | 2 |\n"
SETUP_CELL = """\
%load_ext jupyter_orch
%config JupyterOrch.model = "openai/test-model"
%config JupyterOrch.params = {{"api_base": "{api_base}", "api_key": "sk-test"}}
import jupyter_orch

@jupyter_orch.tool(policy="auto")
def fetch_page() -> str:
    \"\"\"Fetch the page.\"\"\"
    return {page!r}"""
CHAT_CELL = "%%chat\nWhat does the page say?"
EXPORT_CELL = "%chat export chat.html"
ACTIVE = "script, iframe, object, embed, svg[onload], img[onerror], [onmouseover], [onload]"


def _respond(request: dict[str, Any]) -> Reply:
    messages = request.get("messages") or []
    if messages and messages[-1].get("role") == "user":
        return Reply.tool_calls([("fetch_page", {})])
    quoted = content_text(messages[-1].get("content"))
    answer = f"The page says:\n\n{quoted}\n\n{ORDINARY}"
    return Reply.text(answer, chunk_chars=5, tokens_per_second=150)


@pytest.fixture
def model() -> Iterator[OpenAIServer]:
    with OpenAIServer(_respond) as server:
        yield server


def _flag(page: Page) -> Any:
    return page.evaluate("() => window.__xss ?? null")


def _open(lab: Lab, ui: str, name: str, cells: list[str]) -> Notebook:
    (lab.server.root_dir / name).write_text(json.dumps(_notebook_json(cells), indent=1))
    token = lab.server.token
    if ui == "lab":
        return lab.open_notebook(name, cells)
    lab.page.goto(f"{lab.server.url}/notebooks/{name}?token={token}")
    notebook = Notebook(lab, name)
    expect(notebook.cells).to_have_count(len(cells), timeout=KERNEL_READY_DEADLINE_MS)
    notebook.wait_until_kernel_idle()
    return notebook


def _save(notebook: Notebook, path: Path) -> dict[str, Any]:
    notebook.cell(0).locator(".jp-InputArea-editor").click()
    notebook.page.keyboard.press("Control+s")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        saved = json.loads(path.read_text())
        outputs = saved["cells"][1].get("outputs", [])
        if any("text/markdown" in o.get("data", {}) for o in outputs):
            return dict(saved)
        notebook.page.wait_for_timeout(200)  # the save is asynchronous; the deadline bounds it
    pytest.fail(f"{path.name} was not saved with the chat's output")


def _assert_inert_document(page: Page, url: str, text: str, scope: str) -> None:
    """Open ``url``; no handler runs, and ``scope`` (what holds the chat) has no active part."""
    page.goto(url)
    expect(page.locator("body")).to_contain_text(text)
    for label in ("hover me", "click me"):
        target = page.get_by_text(label).first
        if target.count():
            target.hover()
            target.click()
    assert _flag(page) is None
    expect(page.locator(scope).first).to_be_attached()
    assert page.locator(scope).locator(ACTIVE).count() == 0


@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_a_hostile_tool_result_quoted_by_the_model_runs_nothing(
    lab: Lab, model: OpenAIServer, ui: str, tmp_path: Path
) -> None:
    name = f"hostile-{ui}.ipynb"
    cells = [SETUP_CELL.format(api_base=model.url, page=PAGE), CHAT_CELL, EXPORT_CELL]
    notebook = _open(lab, ui, name, cells)
    page = lab.page
    notebook.run_cell(0)
    notebook.wait_until_executed(0)
    notebook.assert_no_error(0)

    notebook.run_cell(1)
    output = notebook.output(1)
    # While it streams: the quoted tags already show, as text, and nothing has run.
    expect(output).to_contain_text("onerror=", timeout=MODEL_DEADLINE_MS)
    assert _flag(page) is None
    notebook.wait_until_executed(1, timeout_ms=MODEL_DEADLINE_MS)
    notebook.assert_no_error(1)
    # The page extension draws the turn from its record (its Markdown sanitized); a viewer
    # without it shows our Markdown: the same checks hold for both.
    answer = output.locator(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter-orch.turn+json"],'
        '.jp-OutputArea-output[data-mime-type="text/markdown"]'
    )
    expect(answer).to_have_count(1)
    expect(answer).to_contain_text("<img src=x onerror=\"window.__xss='img'\">")
    expect(answer).to_contain_text("<script>window.__xss='script'</script>")
    # The page's Markdown still renders.
    expect(answer.locator("strong", has_text="bold text")).to_have_count(1)
    expect(answer.locator("li")).to_have_count(2)
    expect(answer.locator("table td", has_text="2")).to_have_count(1)
    notebook.screenshot("answered")

    # The model's own words (not the folded tool result): the rendered turn's answer part, or
    # the whole Markdown output where the page extension is absent.
    words = answer.locator(".jp-OrchTurn-answer")
    words = words if words.count() else answer
    words.get_by_text("hover me", exact=False).first.hover()
    # A handler would run in the click. Our Markdown keeps the link, pointing nowhere; the page
    # extension drops a non-http(s) target altogether, leaving the text.
    link = words.get_by_role("link", name="click me")
    (link if link.count() else words.get_by_text("click me", exact=False).first).click()
    assert _flag(page) is None
    assert output.locator(ACTIVE).count() == 0
    assert output.locator("a[href^='javascript' i], a[href^='data:text' i]").count() == 0
    assert not re.search(r"\\href|\\url", answer.inner_text())

    notebook.run_cell(2)
    notebook.wait_for_output(2, "exported")
    saved = _save(notebook, lab.server.root_dir / name)
    assert _flag(page) is None

    html = tmp_path / f"{ui}.html"
    (tmp_path / f"{ui}.ipynb").write_text(json.dumps(saved))
    subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "html", str(tmp_path / f"{ui}.ipynb")],
        check=True,
        capture_output=True,
    )
    # nbconvert's page has its own scripts (MathJax, require.js): only the outputs count.
    _assert_inert_document(page, html.as_uri(), "onerror=", ".jp-OutputArea")
    _assert_inert_document(page, (lab.server.root_dir / "chat.html").as_uri(), "onerror=", "body")
