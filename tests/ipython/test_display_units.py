"""The IPython display and widget layer in-process: renderer, stream, cards by their twins."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from jupyter_orch.core.approval import ApprovalBatch, PendingApproval
from jupyter_orch.core.errors import UsageError
from jupyter_orch.core.events import (
    AnswerCompleted,
    TextDelta,
    ToolCallRequested,
    TurnFinished,
)
from jupyter_orch.core.messages import ToolCall, Usage
from jupyter_orch.core.tools import ToolSpec
from jupyter_orch.ipython.cells import AsyncMagics
from jupyter_orch.ipython.display.cell import CellRenderer
from jupyter_orch.ipython.display.paragraphs import ParagraphSplitter
from jupyter_orch.ipython.display.summary import ToolView
from jupyter_orch.ipython.options import chat_magic_spec, parse_chat_options
from jupyter_orch.ipython.subcommands import chat_commands
from jupyter_orch.ipython.widgets.card import ToolCard, card_state
from tests.ipython.surfaces import Surface

SPEC = ToolSpec("add", "Add two integers.", {"type": "object", "properties": {}})


def _pending(loop_needed: bool = True, **kw: Any) -> PendingApproval:
    return PendingApproval(ToolCall("c1", "add", "{}"), SPEC, {"a": 1}, 60, **kw)


def test_the_splitter_never_cuts_inside_a_fence() -> None:
    splitter = ParagraphSplitter()
    text = "one\n\n```python\nx = 1\n\ny = 2\n```\n\nthree"
    cut = splitter.cut(text)
    assert text[:cut] == "one\n\n```python\nx = 1\n\ny = 2\n```\n\n"


def test_the_renderer_streams_then_leaves_one_final_bundle_with_the_extra_entries() -> None:
    async def go() -> Surface:
        surface = Surface()
        renderer = CellRenderer("m/x", hz=0, surface=surface)
        renderer.start()
        assert "waiting for the first token" in surface.shown[0].bundles[0]["text/markdown"]
        for piece in ("First para", "graph.\n\nSecond ", "one."):
            renderer.handle(TextDelta(piece))
        renderer.handle(AnswerCompleted())
        renderer.handle(TurnFinished("First paragraph.\n\nSecond one.", Usage(3, 4), "done", 1.0))
        renderer.finish({"application/x-record": {"id": 1}})
        return surface

    surface = asyncio.run(go())
    (final,) = surface.shown
    bundle = final.bundles[-1]
    assert bundle["application/x-record"] == {"id": 1}
    assert bundle["text/markdown"].startswith("First paragraph.\n\nSecond one.")
    assert "m/x · 3 → 4 tokens" in bundle["text/plain"]


def test_waiting_for_another_turn_is_shown_then_replaced_by_the_start() -> None:
    surface = Surface()
    renderer = CellRenderer("m/x", surface=surface)
    renderer.waiting("waiting for the turn in [5] to finish")
    renderer.start()
    (note,) = surface.shown
    assert "in [5]" in note.bundles[0]["text/markdown"]
    assert "first token" in note.bundles[-1]["text/markdown"]


def test_an_interrupt_at_a_card_leaves_a_summary_and_closes_the_card() -> None:
    async def go() -> tuple[Surface, ToolCard]:
        surface = Surface()
        renderer = CellRenderer("m/x", surface=surface)
        renderer.start()
        pending = _pending()
        renderer.handle(ToolCallRequested(pending.call, SPEC, "ask", {"a": 1}, pending))
        (card,) = renderer._cards.values()
        card.started()
        renderer.finish({}, interrupted=True)
        return surface, card

    surface, card = asyncio.run(go())
    (final,) = surface.shown
    markdown = final.bundles[-1]["text/markdown"]
    assert "tool <code>add</code>" in markdown and "not run" in markdown
    assert "Stopped before the model answered." in markdown
    assert card._ticker is None and card.widget.comm is None  # timer stopped, model closed


def test_card_twins_approve_with_a_scope_and_reject_with_the_typed_reason() -> None:
    async def go() -> tuple[Any, Any, Any]:
        pending = _pending()
        card = ToolCard(ToolView(pending.call, "notebook", "ask", {"a": 1}), pending)
        card.approve(scope="session")
        other = _pending()
        second = ToolCard(ToolView(other.call, "notebook", "ask", {"a": 1}), other)
        first_box = second.reason
        second.reason.value = "use the median"  # what the page sends on blur
        assert second.reason is not first_box and second.reason.value == "use the median"
        second.reject_button.click()
        return await pending.wait(), await other.wait(), card_state(second)

    approved, rejected, state = asyncio.run(go())
    assert (approved.approved, approved.scope) == (True, "session")
    assert (rejected.approved, rejected.reason) == (False, "use the median")
    assert state["buttons_visible"] is False and "rejected by you" in state["status"]


def test_a_card_of_several_calls_says_which_and_approve_all_settles_the_others() -> None:
    async def go() -> tuple[str, Any]:
        batch = ApprovalBatch(3)
        pending = _pending(position=1, batch=batch)
        card = ToolCard(ToolView(pending.call, "notebook", "ask", {}), pending)
        assert card.buttons is not None
        (approve_all,) = [
            b for b in card.buttons.children[0].children if b.description == "Approve all 3"
        ]
        approve_all.click()
        return card.header.value, batch.verdict

    header, verdict = asyncio.run(go())
    assert "call 1 of 3" in header
    assert verdict is not None and verdict.approved


def test_a_fixed_policy_offers_no_wider_scope_and_run_python_shows_its_code() -> None:
    async def go() -> ToolCard:
        pending = PendingApproval(
            ToolCall("c", "run_python", "{}"), SPEC, {"code": "x = 1"}, 60, scopes=("once",)
        )
        return ToolCard(ToolView(pending.call, "python", "ask", {"code": "x = 1"}), pending)

    card = asyncio.run(go())
    assert list(card.scope_buttons) == ["once"]
    assert "<pre>x" in card.arguments.value and '"code"' not in card.arguments.value


def test_the_transformer_rewrites_only_our_magics() -> None:
    magics = AsyncMagics()
    magics.cell("chat", lambda line, body: asyncio.sleep(0))
    out = magics.transform(["%%chat -m x\n", "hello {y}\n"])
    assert out == ["await __jupyter_orch_cells__.run_cell('chat', '-m x', 'hello {y}\\n')\n"]
    assert magics.transform(["%%time\n", "1\n"]) == ["%%time\n", "1\n"]


def test_bad_options_are_one_line_and_the_help_names_chat() -> None:
    with pytest.raises(UsageError, match="%%chat: "):
        parse_chat_options("--temperature hot")
    doc = chat_magic_spec.__doc__ or ""
    assert "%%chat [-m MODEL]" in doc and "chat_magic_spec" not in doc


def test_the_chat_help_is_made_from_the_parsers_it_documents() -> None:
    table = chat_commands()
    text = table.help()
    for name, parser in table.parsers.items():
        usage = parser._usage_line().removeprefix("%chat ")
        assert f"  {usage}\n" in text + "\n", name
        assert table.commands[name].summary in text
    assert set(table.parsers) == set(table.commands)


def test_a_tool_s_image_sits_with_its_call_and_only_raster_images_are_shown() -> None:
    from jupyter_orch.core.approval import Decision
    from jupyter_orch.core.events import ToolCallApproved, ToolCallFinished
    from jupyter_orch.core.messages import ToolResult
    from jupyter_orch.ipython.display.summary import TurnSummary
    from tests.support.xss import problems_in

    call = ToolCall("c1", "plot", "{}")
    summary = TurnSummary("m/x")
    summary.add(ToolCallRequested(call, SPEC, "auto", {}))
    summary.add(ToolCallApproved(call, Decision(True, "policy")))
    shown = ({"image/png": "iVBORw0KGgo="}, {"image/svg+xml": "<svg onload=alert(1)>"})
    summary.add(ToolCallFinished(call, ToolResult("a plot", display=shown)))
    summary.add(TextDelta("Here is the plot above."))
    markdown = summary.to_markdown()
    image = markdown.index("<img src='data:image/png;base64,iVBORw0KGgo='")
    assert markdown.index("</details>") < image < markdown.index("Here is the plot above.")
    assert "svg" not in markdown and problems_in(markdown) == {}


def test_the_mcp_help_is_made_from_its_parser() -> None:
    from jupyter_orch.ipython.mcp_magics import SUMMARIES, _build_parser, mcp_help

    parser = _build_parser()
    text = mcp_help(parser)
    assert parser._subparsers is not None
    subparsers: dict[str, Any] = dict(parser._subparsers._group_actions[0].choices or {})  # type: ignore[call-overload]
    assert set(subparsers) == set(SUMMARIES)
    for name, sub in subparsers.items():
        assert f"  {sub._usage_line().removeprefix('%mcp ')}\n" in text, name
