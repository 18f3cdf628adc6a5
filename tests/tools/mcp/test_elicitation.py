"""A server's question during a tool call reaches the turn's elicitor, and the answer goes back."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from jupyter_orch.core.approval import HeadlessApprover
from jupyter_orch.core.context import TurnContext, turn_entered
from jupyter_orch.core.elicitation import Elicitor, HeadlessElicitor
from jupyter_orch.ipython.elicitors import WidgetElicitor
from jupyter_orch.ipython.widgets.elicitation import form_state
from jupyter_orch.providers.scripted import ScriptedProvider
from jupyter_orch.session import Session
from jupyter_orch.tools.mcp.mounts import McpMounts
from tests.tools.mcp.conftest import Kit


def _turn(elicitor: Elicitor) -> TurnContext:
    return TurnContext(
        "t1", "main", "scripted", HeadlessApprover(), elicitor, ScriptedProvider(), lambda v: v
    )


async def _book(kit: Kit, tmp_path: Path, elicitor: Elicitor | None) -> tuple[str, Any]:
    session = Session()
    server = await McpMounts(session, log_dir=tmp_path).add(kit.features())
    assert server.state == "connected", server.error
    book = session.registry.get("book")
    assert book is not None
    try:
        if elicitor is None:
            result = await book.call({})
        else:
            with turn_entered(_turn(elicitor)):
                result = await book.call({})
        return result.text(), server.requests.elicitations
    finally:
        await session.aclose()


def test_a_form_is_shown_with_the_schema_defaults_and_its_answer_returns(
    kit: Kit, tmp_path: Path
) -> None:
    shown: list[Any] = []
    elicitor = WidgetElicitor(shown.append)

    async def answer() -> None:
        await kit.until(lambda: bool(elicitor.forms), what="the form")
        form = elicitor.forms[0]
        assert shown == [form.widget]
        assert form_state(form)["fields"] == {
            "city": "Lyon",
            "nights": "2",
            "budget": "80.5",
            "breakfast": True,
        }
        form.accept({"city": "Nantes", "nights": "3"})

    async def scenario() -> tuple[str, Any]:
        helper = asyncio.ensure_future(answer())
        text, records = await _book(kit, tmp_path, elicitor)
        await helper
        return text, records

    text, records = kit.run(scenario())
    assert text == "accept: {'city': 'Nantes', 'nights': 3, 'budget': 80.5, 'breakfast': True}"
    assert [(r.source, r.tool, r.action) for r in records] == [("mcp:features", "book", "accept")]
    assert records[0].fields == ("city", "nights", "budget", "breakfast")


def test_a_bad_number_keeps_the_form_open_with_the_reason(kit: Kit, tmp_path: Path) -> None:
    elicitor = WidgetElicitor(lambda widget: None)

    async def answer() -> None:
        await kit.until(lambda: bool(elicitor.forms), what="the form")
        form = elicitor.forms[0]
        form.accept({"nights": "two"})
        assert "Nights must be a number" in form_state(form)["error"]
        assert form_state(form)["buttons_visible"]
        form.decline()

    async def scenario() -> str:
        helper = asyncio.ensure_future(answer())
        text, _ = await _book(kit, tmp_path, elicitor)
        await helper
        return text

    assert kit.run(scenario()) == "decline: None"


def test_headless_runs_decline_with_the_reason_recorded(kit: Kit, tmp_path: Path) -> None:
    text, records = kit.run(_book(kit, tmp_path, HeadlessElicitor()))
    assert text == "decline: None"
    assert records[0].action == "decline" and "headless" in records[0].reason


def test_outside_a_turn_the_request_is_declined(kit: Kit, tmp_path: Path) -> None:
    text, records = kit.run(_book(kit, tmp_path, None))
    assert text == "decline: None"
    assert "no chat turn" in records[0].reason


def test_a_url_request_shows_the_domain_and_opens_only_after_the_click(kit: Kit) -> None:
    from jupyter_orch.core.elicitation import ElicitationRequest
    from jupyter_orch.ipython.widgets.elicitation import ElicitationForm

    async def scenario() -> tuple[dict[str, Any], Any, dict[str, Any], Any]:
        url = "https://pay.example.com/checkout?id=<7>"
        form = ElicitationForm(ElicitationRequest("mcp:shop", "Pay <b>now</b>", "url", url=url))
        before = form_state(form)
        assert "pay.example.com" in form.header.value and "<b>now</b>" not in form.header.value
        form.accept()
        answer = await form.wait()
        bad = ElicitationForm(ElicitationRequest("mcp:shop", "Open", "url", url="javascript:x"))
        bad.accept()
        refused = form_state(bad)
        bad.decline()
        return before, answer, refused, await bad.wait()

    before, answer, refused, declined = kit.run(scenario())
    assert "href" not in before["status"]  # nothing to open before the click
    assert answer.action == "accept" and answer.content is None
    assert "not an http(s) address" in refused["error"].lower()
    assert declined.action == "decline"
