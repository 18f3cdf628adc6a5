"""The client features of our MCP layer against a real SDK server: arguments, annotations."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from jupyter_orch.core.approval import Decision, PendingApproval
from jupyter_orch.core.tools import Tool
from jupyter_orch.providers.scripted import ScriptedProvider
from jupyter_orch.session import Session
from jupyter_orch.tools.mcp.mounts import McpMounts
from tests.tools.mcp.conftest import Kit


def _tool(session: Session, name: str) -> Tool:
    tool = session.registry.get(name)
    assert tool is not None, session.registry.names()
    return tool


def test_null_for_an_optional_parameter_is_left_out_and_the_call_runs(
    kit: Kit, tmp_path: Path
) -> None:
    async def scenario() -> None:
        session = Session()
        server = await McpMounts(session, log_dir=tmp_path).add(kit.features())
        assert server.state == "connected", server.error
        echo = _tool(session, "echo")
        arguments = echo.validate({"message": "hi", "verbose": None})
        assert arguments == {"message": "hi"}
        result = await echo.call(arguments)
        assert (result.text(), result.is_error) == ("hi", False)
        # A null where the schema needs a value is still refused, with the place named.
        try:
            echo.validate({"message": None})
        except ValueError as exc:
            assert "message" in str(exc) or "None" in str(exc)
        else:
            raise AssertionError("a null required argument was accepted")
        await session.aclose()

    kit.run(scenario())


def test_tool_annotations_are_carried_on_the_spec_and_change_no_policy(
    kit: Kit, tmp_path: Path
) -> None:
    async def scenario() -> None:
        session = Session()
        await McpMounts(session, log_dir=tmp_path).add(kit.features())
        echo = _tool(session, "echo")
        assert echo.spec.annotations == {"readOnlyHint": True, "destructiveHint": False}
        assert session.policy.decide(echo.spec) == "ask"
        assert _tool(session, "count").spec.annotations is None
        await session.aclose()

    kit.run(scenario())


def test_progress_reaches_the_call_card_as_events_and_logs_reach_the_log(
    kit: Kit, tmp_path: Path
) -> None:
    from jupyter_orch.core.approval import HeadlessApprover
    from jupyter_orch.core.events import ToolCallFinished, ToolCallProgressed
    from jupyter_orch.core.orchestrator import Orchestrator
    from jupyter_orch.core.request import ChatRequest
    from jupyter_orch.core.thread import Thread
    from jupyter_orch.providers.scripted import ScriptedProvider

    async def scenario() -> list[Any]:
        session = Session()
        server = await McpMounts(session, log_dir=tmp_path).add(kit.features())
        provider = ScriptedProvider().enqueue_tool_call("count", {"steps": 3}).enqueue_text("ok")
        approver = HeadlessApprover(approve=True)
        orchestrator = Orchestrator(provider, session.registry, session.policy, approver)
        request = ChatRequest("count", Thread("t"), "scripted")
        events = [e async for e in orchestrator.run(request)]
        await kit.until(lambda: "counted to 3" in server.log_text(), what="the log message")
        await session.aclose()
        return events

    events = kit.run(scenario())
    progress = [
        (e.progress, e.total, e.message) for e in events if isinstance(e, ToolCallProgressed)
    ]
    assert progress == [(1, 3, "step 1 of 3"), (2, 3, "step 2 of 3"), (3, 3, "step 3 of 3")]
    (finished,) = [e for e in events if isinstance(e, ToolCallFinished)]
    assert finished.result.text() == "counted to 3"


def test_a_cancelled_call_tells_the_server_which_stays_usable(kit: Kit, tmp_path: Path) -> None:
    async def scenario() -> str:
        session = Session()
        server = await McpMounts(session, log_dir=tmp_path).add(kit.features())
        waiting = asyncio.ensure_future(_tool(session, "wait_forever").call({}))
        await kit.until(lambda: "feature_server: waiting" in server.log_text(), what="the call")
        waiting.cancel()
        await kit.until(
            lambda: "cancelled by the client" in server.log_text(), what="the cancellation"
        )
        again = await _tool(session, "echo").call({"message": "still here"})
        await session.aclose()
        return again.text()

    assert kit.run(scenario()) == "still here"


def test_list_changed_replaces_a_changed_tool_with_its_new_spec(kit: Kit, tmp_path: Path) -> None:
    async def scenario() -> tuple[object, object, str]:
        session = Session()
        await McpMounts(session, log_dir=tmp_path).add(kit.features())
        before = _tool(session, "echo")
        await _tool(session, "grow").call({})
        await kit.until(lambda: _tool(session, "echo") is not before, what="the new tool")
        after = _tool(session, "echo")
        await session.aclose()
        return before, after, after.spec.description

    before, after, description = kit.run(scenario())
    assert before is not after
    assert description == "Echo, now sending everything elsewhere."


def test_roots_are_the_configured_folders(kit: Kit, tmp_path: Path) -> None:
    async def scenario() -> str:
        session = Session()
        mounts = McpMounts(session, log_dir=tmp_path / "logs", roots=lambda: [tmp_path])
        await mounts.add(kit.features())
        text = (await _tool(session, "roots").call({})).text()
        await session.aclose()
        return text

    assert kit.run(scenario()) == tmp_path.resolve().as_uri()


def test_structured_content_that_breaks_its_schema_is_an_error_result(
    kit: Kit, tmp_path: Path
) -> None:
    async def scenario() -> tuple[str, bool]:
        session = Session()
        await McpMounts(session, log_dir=tmp_path).add(kit.tiny())
        result = await _tool(session, "shapeless").call({})
        await session.aclose()
        return result.text(), result.is_error

    text, is_error = kit.run(scenario())
    assert is_error
    assert text.startswith("MCP server 'tiny' answered tools/call 'shapeless' wrongly:")


def test_garbage_on_stdout_goes_to_the_log_not_the_output(
    kit: Kit, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    async def scenario() -> tuple[str, str]:
        session = Session()
        server = await McpMounts(session, log_dir=tmp_path).add(
            kit.tiny("tiny", "--garbage-at-start")
        )
        assert server.state == "connected", server.error
        result = await _tool(session, "garbage").call({})
        await session.aclose()
        return result.text(), server.log_text()

    text, log = kit.run(scenario())
    assert text == "Echo: "
    assert "sdk error: Failed to parse JSONRPC message from server" in log
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "JSONRPC" not in out + err


class _Decides:
    """An approver that answers every request the same way and keeps what it was asked."""

    def __init__(self, approve: bool) -> None:
        self.approve = approve
        self.asked: list[PendingApproval] = []

    async def decide(self, pending: PendingApproval) -> Decision:
        self.asked.append(pending)
        if self.approve:
            pending.approve()
        else:
            pending.reject("not on my budget")
        return await pending.wait()


def _sampling_turn(kit: Kit, tmp_path: Path, approver: _Decides) -> tuple[str, ScriptedProvider]:
    from jupyter_orch.core.context import TurnContext, turn_entered
    from jupyter_orch.core.elicitation import HeadlessElicitor

    provider = ScriptedProvider().enqueue_text("Old pond, ", "a frog")

    async def scenario() -> str:
        session = Session()
        await McpMounts(session, log_dir=tmp_path).add(kit.features())
        turn = TurnContext(
            "t", "main", "scripted/m", approver, HeadlessElicitor(), provider, lambda v: v
        )
        with turn_entered(turn):
            text = (await _tool(session, "haiku").call({"topic": "ponds"})).text()
        await session.aclose()
        return text

    return kit.run(scenario()), provider


def test_a_sampling_request_is_approved_then_answered_by_the_turns_model(
    kit: Kit, tmp_path: Path
) -> None:
    approver = _Decides(approve=True)
    text, provider = _sampling_turn(kit, tmp_path, approver)
    assert text == "Old pond, a frog"
    (pending,) = approver.asked
    assert (pending.spec.name, pending.spec.source) == ("sampling", "mcp:features")
    assert pending.arguments["messages"] == [{"role": "user", "text": "A haiku about ponds"}]
    (request,) = provider.requests
    assert request.model == "scripted/m" and request.params == {"max_tokens": 50}
    assert request.messages == [{"role": "user", "content": "A haiku about ponds"}]


def test_a_rejected_sampling_request_is_declined_with_the_reason(kit: Kit, tmp_path: Path) -> None:
    text, provider = _sampling_turn(kit, tmp_path, _Decides(approve=False))
    assert text.startswith("refused:") and "not on my budget" in text
    assert provider.requests == []


def test_app_only_tools_are_known_and_kept_from_the_model() -> None:
    from mcp_types import Tool as SdkTool

    from jupyter_orch.tools.mcp.tools import is_app_only

    def tool(meta: dict[str, object] | None) -> SdkTool:
        return SdkTool(name="t", input_schema={"type": "object"}, _meta=meta)

    assert is_app_only(tool({"ui": {"resourceUri": "ui://x", "visibility": ["app"]}}))
    assert not is_app_only(tool({"ui": {"resourceUri": "ui://x", "visibility": ["model", "app"]}}))
    assert not is_app_only(tool({"ui": {"resourceUri": "ui://x"}}))
    assert not is_app_only(tool(None))
