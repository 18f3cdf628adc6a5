"""The client features of our MCP layer against a real SDK server: arguments, annotations."""

from __future__ import annotations

from jupyter_orch.core.tools import Tool
from jupyter_orch.session import Session
from jupyter_orch.tools.mcp.mounts import McpMounts


def _tool(session: Session, name: str) -> Tool:
    tool = session.registry.get(name)
    assert tool is not None, session.registry.names()
    return tool


def test_null_for_an_optional_parameter_is_left_out_and_the_call_runs(kit, tmp_path) -> None:
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


def test_tool_annotations_are_carried_on_the_spec_and_change_no_policy(kit, tmp_path) -> None:
    async def scenario() -> None:
        session = Session()
        await McpMounts(session, log_dir=tmp_path).add(kit.features())
        echo = _tool(session, "echo")
        assert echo.spec.annotations == {"readOnlyHint": True, "destructiveHint": False}
        assert session.policy.decide(echo.spec) == "ask"
        assert _tool(session, "count").spec.annotations is None
        await session.aclose()

    kit.run(scenario())
