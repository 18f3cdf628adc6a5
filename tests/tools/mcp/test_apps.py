"""MCP Apps through our MCP layer: a UI tool's app, read when a page can draw it, and the
app's own calls through policy and approval, against real servers (our SDK fixture on
``mcp.server.apps`` and npm's ``server-basic-vanillajs``). The page is a fake of the bridge
seam: what it offers, the events it receives, the requests it makes."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import mcp_types as types
import pytest

from jupyter_orch.core.approval import HeadlessApprover
from jupyter_orch.core.context import TurnContext, turn_entered
from jupyter_orch.core.elicitation import HeadlessElicitor
from jupyter_orch.core.events import ToolCallRequested
from jupyter_orch.core.tools import Tool
from jupyter_orch.providers.scripted import ScriptedProvider
from jupyter_orch.session import Session
from jupyter_orch.tools.mcp.app_host import McpAppHost
from jupyter_orch.tools.mcp.apps import (
    APP_MIME,
    AppError,
    callable_by_app,
    ui_resource_uri,
    visibility,
)
from jupyter_orch.tools.mcp.mounts import McpMounts
from tests.tools.mcp.conftest import Kit


class FakePages:
    """The bridge seam as the host sees it: what pages offer, events sent, handlers."""

    def __init__(self, *offered: str) -> None:
        self.offered = set(offered)
        self.events: list[tuple[str, Any]] = []
        self.handlers: dict[str, Callable[[Any, Any], Any]] = {}

    def offers(self, capability: str) -> bool:
        return capability in self.offered

    def emit(self, name: str, data: Any = None) -> None:
        self.events.append((name, data))

    def on_request(self, method: str, handler: Callable[[Any, Any], Any]) -> None:
        self.handlers[method] = handler

    def named(self, name: str) -> list[Any]:
        return [data for event, data in self.events if event == name]


class FakeBoard:
    """The status board seam: the calls announced as waiting for a decision."""

    def __init__(self) -> None:
        self.waiting_calls: list[tuple[ToolCallRequested, str | None]] = []

    def waiting(self, event: ToolCallRequested, cell_id: str | None) -> None:
        self.waiting_calls.append((event, cell_id))


class Hosted:
    """A session with mounted servers and an app host over fake pages."""

    def __init__(self, tmp_path: Path, *offered: str) -> None:
        self.session = Session()
        self.pages = FakePages(*offered)
        self.board = FakeBoard()
        self.host = McpAppHost(
            self.pages,
            self.session.policy,
            offered=lambda: self.session.registry,
            board=self.board,
        )
        self.mounts = McpMounts(self.session, log_dir=tmp_path, apps=self.host)

    def tool(self, name: str) -> Tool:
        tool = self.session.registry.get(name)
        assert tool is not None, self.session.registry.names()
        return tool

    async def show(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """Call a UI tool as the model would; return its app's bundle."""
        result = await self.tool(name).call(arguments)
        (bundle,) = [b for b in result.display if APP_MIME in b]
        return dict(bundle)

    async def until_pending(self) -> ToolCallRequested:
        return await _next_pending(self, 1)


def _turn(turn_id: str = "turn-1") -> TurnContext:
    return TurnContext(
        turn_id,
        "default",
        "scripted",
        HeadlessApprover(approve=True),
        HeadlessElicitor(),
        ScriptedProvider(),
        lambda value: value,
    )


def test_a_ui_tool_with_a_page_shows_its_app_and_the_page_opens_it(
    kit: Kit, tmp_path: Path
) -> None:
    async def scenario() -> None:
        hosted = Hosted(tmp_path, "mcp-apps")
        await hosted.mounts.add(kit.apps())
        # The app-only tool is not offered to the model; the UI tool is.
        assert "bump" not in hosted.session.registry
        result = await hosted.tool("show_counter").call({"start": 3})
        assert result.text() == "The counter starts at 3."
        (bundle,) = result.display
        app = bundle[APP_MIME]
        assert app == {
            "version": 1,
            "app_id": app["app_id"],
            "server": "counter",
            "tool": "show_counter",
            "title": "Counter",
            "uri": "ui://counter/app.html",
        }
        assert bundle["text/plain"] == (
            "[MCP App show_counter from counter: ui://counter/app.html]"
        )
        opened = await hosted.host.open({"app_id": app["app_id"]})
        html = opened.pop("html")
        assert html.startswith("<!DOCTYPE html>") and "Count:" in html
        assert opened == {
            "state": "open",
            "uri": "ui://counter/app.html",
            "csp": {
                "connectDomains": ["https://api.example.com", "evil.example; script-src *"],
                "resourceDomains": ["https://cdn.example.com"],
            },
            "permissions": {},
            "prefersBorder": True,
            "server": "counter",
            "tool": {
                "name": "show_counter",
                "title": "Counter",
                "description": "Show a counter, starting at start.",
                "inputSchema": opened["tool"]["inputSchema"],
            },
            "arguments": {"start": 3},
            "result": {
                "content": [{"type": "text", "text": "The counter starts at 3."}],
                "structuredContent": {"count": 3},
                "isError": False,
            },
            "callTimeout": 670.0,
        }
        await hosted.session.aclose()

    kit.run(scenario())


def test_with_no_page_offering_apps_the_tool_gives_its_text_alone(kit: Kit, tmp_path: Path) -> None:
    async def scenario() -> None:
        hosted = Hosted(tmp_path, "notify", "status")
        await hosted.mounts.add(kit.apps())
        result = await hosted.tool("show_counter").call({"start": 3})
        assert (result.text(), result.display) == ("The counter starts at 3.", ())
        assert hosted.host.apps == {}
        await hosted.session.aclose()

    kit.run(scenario())


def test_the_app_calls_its_app_only_tool_after_approval_on_a_card_of_its_own(
    kit: Kit, tmp_path: Path
) -> None:
    async def scenario() -> None:
        hosted = Hosted(tmp_path, "mcp-apps")
        await hosted.mounts.add(kit.apps())
        app_id = (await hosted.show("show_counter", {"start": 3}))[APP_MIME]["app_id"]
        call = _call(hosted, app_id, "bump", count=3)
        requested = await hosted.until_pending()
        (card,) = hosted.pages.named("mcp_apps.pending")
        assert card == {
            "app_id": app_id,
            "call_id": requested.call.id,
            "card": f"jupyter-orch-call-{requested.call.id}",
            "tool": "bump",
            "source": "mcp:counter",
            "description": "Add one to the count.",
            "annotations": {},
            "arguments": '{\n  "count": 3\n}',
            "scopes": ["once", "session", "always"],
            "changed": "",
            "expires": 600.0,
        }
        assert requested.pending is not None
        requested.pending.approve()
        assert await call == {
            "content": [{"type": "text", "text": "The count is 4."}],
            "structuredContent": {"count": 4},
            "isError": False,
        }
        # Rejected: the app gets an error result with the reason, and the server is not called.
        again = _call(hosted, app_id, "bump", count=4)
        waiting = await _next_pending(hosted, 2)
        assert waiting.pending is not None
        waiting.pending.reject("not now")
        assert await again == {
            "content": [{"type": "text", "text": "The user rejected this tool call: not now"}],
            "isError": True,
        }
        assert hosted.mounts.get("counter").log_text().count("apps_server: bump") == 1
        await hosted.session.aclose()

    kit.run(scenario())


def test_during_its_turn_the_app_call_is_decided_by_the_turn_approver(
    kit: Kit, tmp_path: Path
) -> None:
    async def scenario() -> None:
        hosted = Hosted(tmp_path, "mcp-apps")
        await hosted.mounts.add(kit.apps())
        turn = _turn()
        hook = hosted.host.hook(_start(turn.turn_id, "cell-7"))
        with turn_entered(turn):
            app_id = (await hosted.show("show_counter", {"start": 1}))[APP_MIME]["app_id"]
        answer = await hosted.host.call_tool(
            {"app_id": app_id, "name": "bump", "arguments": {"count": 1}}
        )
        assert answer["structuredContent"] == {"count": 2}
        # Announced (status bar, notifications) with the turn's cell; no page card drawn.
        ((event, cell_id),) = hosted.board.waiting_calls
        assert (event.call.name, cell_id) == ("bump", "cell-7")
        assert hosted.pages.named("mcp_apps.pending") == []
        hook.end(interrupted=False)
        assert app_id in hosted.host.apps  # a turn that ends normally leaves its app open
        await hosted.session.aclose()

    kit.run(scenario())


def test_an_app_reaches_only_app_tools_of_its_own_server(kit: Kit, tmp_path: Path) -> None:
    async def scenario() -> None:
        hosted = Hosted(tmp_path, "mcp-apps")
        await hosted.mounts.add_many([kit.apps(), kit.features()])
        app_id = (await hosted.show("show_counter", {"start": 0}))[APP_MIME]["app_id"]
        refusals = {
            "echo": "MCP server 'counter' has no tool 'echo'",
            "say_count": (
                "the tool 'say_count' is not offered to apps (its visibility is model only)"
            ),
        }
        for name, message in refusals.items():
            with pytest.raises(AppError, match=re.escape(message)):
                await hosted.host.call_tool({"app_id": app_id, "name": name, "arguments": {}})
        with pytest.raises(AppError, match="arguments must be an object"):
            await hosted.host.call_tool({"app_id": app_id, "name": "bump", "arguments": [1]})
        # A policy that allows the server's tools lets the app's call run without asking.
        hosted.session.policy.per_source["mcp:counter"] = "auto"
        answer = await hosted.host.call_tool(
            {"app_id": app_id, "name": "bump", "arguments": {"count": 0}}
        )
        assert answer["structuredContent"] == {"count": 1}
        assert hosted.board.waiting_calls == []
        await hosted.session.aclose()

    kit.run(scenario())


def test_rerun_and_interrupt_close_the_apps_and_their_waiting_calls(
    kit: Kit, tmp_path: Path
) -> None:
    async def scenario() -> None:
        hosted = Hosted(tmp_path, "mcp-apps")
        await hosted.mounts.add(kit.apps())
        ended = hosted.host.hook(_start("turn-a", "cell-1"))
        with turn_entered(_turn("turn-a")):
            first = (await hosted.show("show_counter", {"start": 0}))[APP_MIME]["app_id"]
        ended.end(interrupted=False)
        waiting = _call(hosted, first, "bump", count=0)  # a card of its own, waiting
        hook = hosted.host.hook(_start("turn-c", "cell-2"))
        with turn_entered(_turn("turn-c")):
            second = (await hosted.show("show_counter", {"start": 5}))[APP_MIME]["app_id"]
        await hosted.until_pending()

        hosted.host.pre_run_cell(_info("cell-1"))  # cell 1 runs again
        assert (await waiting)["content"][0]["text"] == (
            "The approval request expired: the app was closed: the cell was run again"
        )
        hook.end(interrupted=True)
        assert hosted.pages.named("mcp_apps.closed") == [
            {"app_id": first, "reason": "the cell was run again"},
            {"app_id": second, "reason": "the turn was interrupted"},
        ]
        assert await hosted.host.open({"app_id": first}) == {
            "state": "closed",
            "reason": "the cell was run again",
        }
        with pytest.raises(AppError, match="the app is closed: the turn was interrupted"):
            await hosted.host.call_tool({"app_id": second, "name": "bump", "arguments": {}})
        assert (await hosted.host.open({"app_id": "0123"}))["state"] == "unknown"
        await hosted.session.aclose()

    kit.run(scenario())


def test_the_npm_basic_app_is_read_and_its_tool_callable_by_its_app(
    kit: Kit, tmp_path: Path
) -> None:
    async def scenario() -> None:
        hosted = Hosted(tmp_path, "mcp-apps")
        await hosted.mounts.add(kit.basic_app())
        bundle = await hosted.show("get-time", {})
        opened = await hosted.host.open({"app_id": bundle[APP_MIME]["app_id"]})
        assert opened["state"] == "open", opened
        assert "<title>Get Time App</title>" in opened["html"]
        assert opened["uri"] == "ui://get-time/mcp-app.html"
        assert set(opened["result"]["structuredContent"]) == {"time"}
        hosted.session.policy.per_tool["get-time"] = "auto"
        answer = await hosted.host.call_tool(
            {"app_id": bundle[APP_MIME]["app_id"], "name": "get-time", "arguments": {}}
        )
        assert answer["isError"] is False and "time" in answer["structuredContent"]
        await hosted.session.aclose()

    kit.run(scenario())


def test_both_forms_of_a_tool_ui_link_are_read_and_other_schemes_ignored() -> None:
    def tool(meta: dict[str, Any]) -> types.Tool:
        return types.Tool(name="t", input_schema={"type": "object"}, _meta=meta)

    assert ui_resource_uri(tool({"ui": {"resourceUri": "ui://a/b"}})) == "ui://a/b"
    assert ui_resource_uri(tool({"ui/resourceUri": "ui://old"})) == "ui://old"
    assert ui_resource_uri(tool({"ui": {"resourceUri": "https://x.example/app"}})) is None
    assert ui_resource_uri(tool({})) is None
    assert visibility(tool({})) == ("model", "app")
    assert visibility(tool({"ui": {"visibility": ["app"]}})) == ("app",)
    assert not callable_by_app(tool({"ui": {"visibility": ["model"]}}))


# --- helpers ------------------------------------------------------------------------------


def _start(turn_id: str, cell_id: str) -> Any:
    """What the host's turn hook reads of a starting turn."""
    return SimpleNamespace(
        plan=SimpleNamespace(turn_id=turn_id), request=SimpleNamespace(cell_id=cell_id)
    )


def _info(cell_id: str) -> Any:
    """What IPython's pre_run_cell passes: the cell about to run."""
    return SimpleNamespace(cell_id=cell_id)


def _call(hosted: Hosted, app_id: str, name: str, **arguments: Any) -> asyncio.Future[Any]:
    """The app's tools/call, as a task (it may wait for a decision)."""
    request = {"app_id": app_id, "name": name, "arguments": arguments}
    return asyncio.ensure_future(hosted.host.call_tool(request))


async def _next_pending(hosted: Hosted, count: int, timeout: float = 10) -> ToolCallRequested:
    """Wait (a deadline, checking between loop turns) for the count-th announced call."""
    deadline = asyncio.get_running_loop().time() + timeout
    while len(hosted.board.waiting_calls) < count:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no call number {count} waited for a decision")
        await asyncio.sleep(0.01)
    return hosted.board.waiting_calls[count - 1][0]
