"""The cell's streamed updates and its final Markdown carry no active HTML from the corpus."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_orch.core.approval import Decision
from jupyter_orch.core.events import (
    TextDelta,
    ToolCallApproved,
    ToolCallFinished,
    ToolCallRequested,
    TurnFailed,
    TurnFinished,
)
from jupyter_orch.core.messages import ToolCall, ToolResult, Usage
from jupyter_orch.core.tools import ToolSpec
from jupyter_orch.ipython.display.stream import Handle, TextStream
from jupyter_orch.ipython.display.summary import TurnSummary
from tests.support.xss import PAYLOADS, problems_in, render_all, visible_text

NASTY = "<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))\n\n$\\href{javascript:1}{y}$"


class _Shown(Handle):
    def __init__(self, log: list[str], bundle: dict[str, Any]) -> None:
        self.log = log
        self.update(bundle)

    def update(self, bundle: dict[str, Any]) -> None:
        self.log.append(bundle["text/markdown"])


def _stream_updates(pieces: list[str]) -> list[str]:
    log: list[str] = []
    stream = TextStream(lambda bundle: _Shown(log, bundle), "text/markdown", hz=0)
    for piece in pieces:
        stream.add(piece)
    stream.close()
    return log


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_no_streamed_update_is_active(name: str) -> None:
    answer = f"Quoting the page:\n\n{PAYLOADS[name]}\n\nThat is **all**.\n"
    updates = _stream_updates([answer[i : i + 3] for i in range(0, len(answer), 3)])
    assert len(updates) > 3
    for update in updates:
        assert problems_in(update) == {}, update


def test_a_tag_split_between_two_tokens_is_never_active() -> None:
    updates = _stream_updates(["Look: <im", "g src=x onerror=alert(1)> ok"])
    assert updates[0] != updates[-1]
    for update in updates:
        assert problems_in(update) == {}
    assert "<img src=x onerror=alert(1)> ok" in visible_text(render_all(updates[-1])["nbconvert"])


def test_plain_text_streams_as_written() -> None:
    log: list[str] = []

    class _Plain(Handle):
        def __init__(self, bundle: dict[str, Any]) -> None:
            log.append(bundle["text/plain"])

    stream = TextStream(_Plain, "text/plain", hz=0)
    stream.add("<b>x</b>")
    stream.close()
    assert log == ["<b>x</b>"]


def _summary(text: str, *, name: str, result: str, reason: str, error: str) -> TurnSummary:
    call = ToolCall("c1", name, '{"q": "' + name.replace('"', "'") + '"}')
    spec = ToolSpec(name, "d", {}, source=f"mcp:{name}")
    summary = TurnSummary(f"model {name}")
    for event in (
        TextDelta(text),
        ToolCallRequested(call, spec, "ask", {"q": text}),
        ToolCallApproved(call, Decision(True, "user", reason)),
        ToolCallFinished(call, ToolResult(result), 0.01),
        TextDelta(text),
        TurnFinished(text + text, Usage(1, 2, 3)),
        TurnFailed(error, "provider"),
    ):
        summary.add(event)
    return summary


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_the_final_markdown_is_inert(name: str) -> None:
    payload = PAYLOADS[name]
    summary = _summary(payload, name=payload, result=payload, reason=payload, error=payload)
    assert problems_in(summary.to_markdown()) == {}


def test_tool_blocks_show_values_as_text_and_keep_their_fold() -> None:
    summary = _summary("ok", name="n<b>", result=NASTY, reason="no\n\n[r](javascript:1)", error="")
    markdown = summary.to_markdown()
    for rendered in render_all(markdown).values():
        text = visible_text(rendered)
        assert "n<b>" in text and "<img src=x onerror=alert(1)>" in text
        assert "[x](javascript:alert(1))" in text  # the result is shown, never parsed
    assert "<details style=" in markdown and "\n\n[r]" not in markdown


def test_ordinary_answers_keep_their_markdown() -> None:
    answer = "**Bold**, a list:\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    summary = TurnSummary("m")
    summary.add(TextDelta(answer))
    rendered = render_all(summary.to_markdown(footer=False))["markdown-it"]
    assert "<strong>Bold</strong>" in rendered and "<li>one</li>" in rendered
    assert "<table>" in rendered
