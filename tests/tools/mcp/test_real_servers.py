"""Mounting servers nobody here wrote: server-everything (npm) and mcp-server-time (PyPI)."""

from __future__ import annotations

import base64
import os

import psutil

from jupyter_orch.core.messages import Message
from jupyter_orch.core.tools import Tool, ToolArgumentError
from jupyter_orch.session import Session
from jupyter_orch.tools.mcp.content import prompt_messages, resource_parts
from jupyter_orch.tools.mcp.mounts import McpMounts
from jupyter_orch.tools.mcp.tools import McpTool
from tests.tools.mcp.conftest import Kit


def _tool(session: Session, name: str) -> Tool:
    tool = session.registry.get(name)
    assert tool is not None, session.registry.names()
    return tool


def test_server_everything_mounts_and_its_tools_join_the_registry(kit: Kit) -> None:
    async def scenario() -> None:
        session = Session()
        mounts = McpMounts(session)
        server = await mounts.add(kit.everything())
        assert server.state == "connected", server.error
        assert server.server_name == "mcp-servers/everything"
        assert {"echo", "get-sum", "get-tiny-image", "get-structured-content"} <= {
            t.name for t in server.tools
        }
        assert len(server.resources) > 0 and len(server.prompts) > 0
        echo = _tool(session, "echo")
        assert isinstance(echo, McpTool) and isinstance(echo, Tool)
        assert echo.spec.source == "mcp:everything"
        assert echo.spec.parameters["required"] == ["message"]
        result = await echo.call(echo.validate({"message": "hello"}))
        assert (result.content, result.is_error) == ("Echo: hello", False)
        assert "Everything" in session.instructions["mcp:everything"]
        await session.aclose()
        assert session.registry.names() == [] and session.instructions == {}

    kit.run(scenario())


def test_arguments_are_checked_against_the_schema_before_any_call(kit: Kit) -> None:
    async def scenario() -> None:
        session = Session()
        await McpMounts(session).add(kit.everything())
        get_sum = _tool(session, "get-sum")
        try:
            get_sum.validate({"a": 1, "b": "two"})
        except ToolArgumentError as exc:
            assert "at b" in str(exc) and "number" in str(exc)
        else:
            raise AssertionError("a string for a number was accepted")
        result = await get_sum.call(get_sum.validate({"a": 2, "b": 3}))
        assert "5" in result.text()
        await session.aclose()

    kit.run(scenario())


def test_images_and_structured_content_come_back_for_the_model_and_the_cell(kit: Kit) -> None:
    async def scenario() -> None:
        session = Session()
        await McpMounts(session).add(kit.everything())
        image = await _tool(session, "get-tiny-image").call({})
        assert isinstance(image.content, list)
        (picture,) = [p for p in image.content if p["type"] == "image_url"]
        assert picture["image_url"]["url"].startswith("data:image/png;base64,")
        (bundle,) = image.display
        assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
        weather = await _tool(session, "get-structured-content").call({"location": "New York"})
        assert set(weather.structured) >= {"temperature", "conditions"}
        assert not weather.is_error
        await session.aclose()

    kit.run(scenario())


def test_a_resource_is_read_into_parts_and_a_prompt_into_messages(kit: Kit) -> None:
    async def scenario() -> None:
        session = Session()
        server = await McpMounts(session).add(kit.everything())
        text_uri = next(r.uri for r in server.resources if (r.mime_type or "").startswith("text/"))
        parts = resource_parts(await server.read_resource(text_uri))
        assert parts[0]["type"] == "text" and parts[0]["text"].startswith(f"Resource {text_uri}")
        assert len(parts[0]["text"]) > 100
        messages = prompt_messages(await server.get_prompt("args-prompt", {"city": "Lyon"}))
        assert messages and all(isinstance(m, Message) for m in messages)
        assert "Lyon" in messages[0].text()
        await session.aclose()

    kit.run(scenario())


def test_mcp_server_time_mounts_and_answers(kit: Kit) -> None:
    async def scenario() -> None:
        session = Session()
        server = await McpMounts(session).add(kit.time())
        assert server.state == "connected", server.error
        assert sorted(t.name for t in server.tools) == ["convert_time", "get_current_time"]
        result = await _tool(session, "get_current_time").call({"timezone": "Europe/Paris"})
        assert "Europe/Paris" in result.text() and not result.is_error
        refused = await _tool(session, "get_current_time").call({"timezone": "Mars/Olympus"})
        assert refused.is_error
        await session.aclose()

    kit.run(scenario())


def test_policies_come_from_approve_and_auto_approve(kit: Kit) -> None:
    async def scenario() -> None:
        session = Session()
        mounts = McpMounts(session)
        config = kit.time()
        await mounts.add(type(config)(**{**vars(config), "approve": "deny"}))
        await mounts.add(kit.tiny("tiny", auto_approve=("echo",)))
        policy = session.policy
        assert policy.decide(_tool(session, "convert_time").spec) == "deny"
        assert policy.decide(_tool(session, "echo").spec) == "auto"
        assert policy.decide(_tool(session, "hang").spec) == "ask"
        await mounts.remove("time")
        await mounts.remove("tiny")
        assert policy.per_source == {} and policy.per_tool == {}
        await session.aclose()

    kit.run(scenario())


def test_a_tool_name_taken_already_is_prefixed_with_the_server_name(kit: Kit) -> None:
    async def scenario() -> None:
        session = Session()
        mounts = McpMounts(session)
        await mounts.add_many([kit.everything(), kit.tiny("tiny", "--tool", "echo")])
        assert _tool(session, "echo").spec.source == "mcp:everything"
        renamed = _tool(session, "tiny__echo")
        assert renamed.spec.source == "mcp:tiny"
        assert (await renamed.call({"message": "x"})).content == "Echo: x"
        await session.aclose()

    kit.run(scenario())


def test_a_server_gets_its_own_env_and_the_allowlist_never_the_kernels_secrets(kit: Kit) -> None:
    os.environ["JUPYTER_ORCH_TEST_SECRET_KEY"] = "sk-do-not-leak"
    try:

        async def scenario() -> set[str]:
            session = Session()
            await McpMounts(session).add(kit.tiny("tiny", env={"GIVEN": "1"}))
            result = await _tool(session, "env").call({})
            await session.aclose()
            return set(result.text().split())

        names = kit.run(scenario())
    finally:
        del os.environ["JUPYTER_ORCH_TEST_SECRET_KEY"]
    assert "GIVEN" in names and "PATH" in names
    assert "JUPYTER_ORCH_TEST_SECRET_KEY" not in names
    assert names <= {"GIVEN", "JUPYTER_ORCH_MCP_MOUNT", *os.environ}


def test_closing_the_session_leaves_no_server_process(kit: Kit) -> None:
    async def scenario() -> list[int]:
        session = Session()
        servers = await McpMounts(session).add_many([kit.everything(), kit.time(), kit.tiny()])
        pids = [s.pid for s in servers]
        assert all(pid is not None and psutil.pid_exists(pid) for pid in pids)
        await session.aclose()
        return [p for p in pids if p is not None]

    pids = kit.run(scenario())
    assert not [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"]


def test_a_changed_tool_list_is_fetched_again_and_published(kit: Kit) -> None:
    async def scenario() -> None:
        session = Session()
        await McpMounts(session).add(kit.tiny())
        assert "late" not in session.registry
        assert (await _tool(session, "grow").call({})).content == "grown"
        await kit.until(lambda: "late" in session.registry, what="the new tool")
        assert (await _tool(session, "late").call({"message": "hi"})).content == "Echo: hi"
        await session.aclose()

    kit.run(scenario())
