"""An MCP App's bundle in a turn's output, in-process: shown when its call ends, and kept
below the answer when the streamed outputs are replaced by the final bundle."""

from __future__ import annotations

from jupyter_orch.core.approval import Decision
from jupyter_orch.core.events import (
    AnswerCompleted,
    TextDelta,
    ToolCallApproved,
    ToolCallFinished,
    ToolCallRequested,
    ToolCallStarted,
)
from jupyter_orch.core.messages import ToolCall, ToolResult
from jupyter_orch.core.tools import ToolSpec
from jupyter_orch.ipython.display.cell import CellRenderer
from tests.ipython.surfaces import Surface

APP = {
    "application/vnd.jupyter-orch.mcp-app+json": {"app_id": "a1", "tool": "show_counter"},
    "text/plain": "[MCP App show_counter from counter: ui://counter/app.html]",
}
PNG = {"image/png": "iVBORw0KGgo="}


def _turn_with_an_app(renderer: CellRenderer) -> None:
    call = ToolCall("c1", "show_counter", '{"start": 3}')
    spec = ToolSpec("show_counter", "Show a counter.", {"type": "object"}, source="mcp:counter")
    result = ToolResult("The counter starts at 3.", display=(PNG, APP))
    renderer.handle(ToolCallRequested(call, spec, "auto", {"start": 3}))
    renderer.handle(ToolCallApproved(call, Decision(True, "policy")))
    renderer.handle(ToolCallStarted(call))
    renderer.handle(ToolCallFinished(call, result, 0.01))


def test_the_app_shows_when_its_call_ends_and_stays_below_the_final_answer() -> None:
    surface = Surface()
    renderer = CellRenderer("m/x", hz=0, widgets=False, surface=surface)
    renderer.start()
    _turn_with_an_app(renderer)
    assert surface.shown[-1].bundle == APP  # drawn while the turn goes on
    renderer.handle(TextDelta("Here is your counter."))
    renderer.handle(AnswerCompleted())
    renderer.finish({"application/vnd.jupyter-orch.turn+json": {}})
    final, app = surface.shown
    assert "Here is your counter." in final.bundle["text/markdown"]
    assert "application/vnd.jupyter-orch.turn+json" in final.bundle
    assert app.bundle == APP  # the image stays in the answer's summary, not an output


def test_a_quiet_turn_keeps_its_app_too() -> None:
    surface = Surface()
    renderer = CellRenderer("m/x", quiet=True, widgets=False, surface=surface)
    renderer.start()
    _turn_with_an_app(renderer)
    renderer.handle(TextDelta("Done."))
    renderer.handle(AnswerCompleted())
    renderer.finish({})
    assert [h.bundle for h in surface.shown][1:] == [APP]
