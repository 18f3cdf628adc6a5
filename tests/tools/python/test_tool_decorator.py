from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

import jupyter_orch.tools.python as python_tools
from jupyter_orch.core.errors import UsageError
from jupyter_orch.core.messages import ToolResult
from jupyter_orch.session import Session
from jupyter_orch.tools.python import PENDING, FunctionTool, drain_pending, install_pending, tool


@pytest.fixture(autouse=True)
def empty_queue() -> Iterator[None]:
    drain_pending()
    yield
    drain_pending()


def test_the_decorator_returns_the_original_function_with_its_tool_attached() -> None:
    def area(width: float, height: float) -> float:
        """Return the area of a rectangle."""
        return width * height

    decorated = tool(area)

    assert decorated is area
    assert area(2, 3) == 6
    made = area.__jupyter_orch_tool__  # type: ignore[attr-defined]  # set by the decorator
    assert isinstance(made, FunctionTool)
    assert (made.spec.name, made.spec.description) == ("area", "Return the area of a rectangle.")


def test_a_session_takes_the_decorated_tools_and_their_policies() -> None:
    session = Session()

    @tool(name="rect_area", description="Area.", policy="auto")
    def area(width: float, height: float) -> float:
        return width * height

    @tool()
    def perimeter(width: float, height: float) -> float:
        return 2 * (width + height)

    install_pending(session)
    assert session.registry.names() == ["rect_area", "perimeter"]
    assert session.policy.per_tool == {"rect_area": "auto"}
    assert PENDING == []
    called = asyncio.run(session.registry.select(["rect_area"])[0].call({"width": 2, "height": 4}))
    assert called == ToolResult(content="8.0")


def test_without_a_session_tools_wait_until_the_extension_loads() -> None:
    @tool(policy="deny")
    def wipe() -> None:
        """Delete everything."""

    @tool
    def keep() -> None:
        """Keep everything."""

    session = Session()
    installed = install_pending(session)

    assert [t.spec.name for t in installed] == ["wipe", "keep"]
    assert session.registry.names() == ["wipe", "keep"]
    assert session.policy.per_tool == {"wipe": "deny"}
    assert PENDING == []


def test_redefining_a_function_replaces_its_tool() -> None:
    def make(version: int) -> None:
        @tool(name="step")
        def step() -> int:
            return version

    make(1)
    make(2)
    pending = drain_pending()
    session = Session()
    make(3)
    install_pending(session)
    make(4)
    install_pending(session)

    assert [asyncio.run(t.call({})) for t in pending] == [ToolResult(content="2")]
    assert asyncio.run(session.registry.select(["step"])[0].call({})) == ToolResult(content="4")
    assert len(session.registry) == 1


def test_a_bad_policy_is_refused_before_anything_is_registered() -> None:
    with pytest.raises(UsageError, match="policy must be one of auto, ask, deny, not 'sometimes'"):
        tool(policy="sometimes")

    assert PENDING == []


def test_the_public_names_are_pinned() -> None:
    assert python_tools.__all__ == [
        "PENDING",
        "Docstring",
        "FunctionTool",
        "RunPythonTool",
        "VariableView",
        "drain_pending",
        "format_result",
        "install_pending",
        "parse_docstring",
        "tool",
        "variable_tools",
    ]
