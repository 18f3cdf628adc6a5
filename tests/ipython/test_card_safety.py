"""Tool cards (ipywidgets HTML, set as innerHTML) show every value as text."""

from __future__ import annotations

import pytest

from jupyter_orch.core.approval import Decision
from jupyter_orch.core.messages import ToolCall, ToolResult
from jupyter_orch.ipython.display.summary import ToolView
from jupyter_orch.ipython.widgets.card import ToolCard, card_state
from tests.support.xss import PAYLOADS, active_parts, visible_text

MARKUP = {name: p for name, p in PAYLOADS.items() if "<" in p}


def _card(value: str) -> ToolCard:
    view = ToolView(ToolCall("c1", value, "{}"), f"mcp:{value}", value, {"q": value})
    card = ToolCard(view)
    card.decided(Decision(False, "user", value))
    card.finished(ToolResult(value, is_error=True), 0.5)
    return card


def _html(card: ToolCard) -> str:
    return "".join([card.header.value, card.arguments.value, card.status.value, card.result.value])


@pytest.mark.parametrize("name", sorted(MARKUP))
def test_no_card_value_is_active(name: str) -> None:
    card = _card(MARKUP[name])
    # Only the card's own fixed markup (its styled source line) remains.
    assert active_parts(_html(card)) == active_parts(_html(_card("plain")))
    assert card_state(card)["buttons_visible"] is False


def test_card_values_read_as_written() -> None:
    value = "<img src=x onerror=alert(1)> & 'q'"
    card = _card(value)
    for html in (card.header.value, card.result.value, card.status.value):
        assert value in visible_text(html)


def test_tex_commands_in_card_values_are_broken() -> None:
    card = _card(r"$\href{javascript:alert(1)}{x}$")
    assert r"\href" not in _html(card)
    assert "\u2216href" in card.result.value


def test_a_long_result_folds_and_stays_inert() -> None:
    view = ToolView(ToolCall("c1", "t", "{}"), "notebook", None, {})
    card = ToolCard(view)
    card.finished(ToolResult(PAYLOADS["script"] * 200), 0.1)
    assert "<details>" in card.result.value and active_parts(card.result.value) == []
