"""The kernel's host of MCP Apps: which apps are open, what a page may ask, when they close.

When a tool with a ``ui://`` app is called and a page offers ``mcp-apps``, the app's document
is read from the tool's own server while the call runs; when the call ends, the tool's
result carries a small bundle of our MIME type (:data:`~.apps.APP_MIME`), shown in the
cell. The page extension draws the app from it: it asks ``mcp_apps.open`` for the document,
the declared sandbox rules, the tool's input and its result, and forwards the app's own
``tools/call`` as ``mcp_apps.call_tool``. With no such page nothing is read and nothing is
shown beyond the tool's text, as before.

An app is closed (``mcp_apps.closed`` to the pages, its calls refused from then on) when its
cell runs again, when its turn is interrupted or stopped, and when the extension unloads.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from ...bridge.protocol import card_class, one_line
from ...core.approval import Approver, Decision, PendingApproval
from ...core.context import TurnContext, current_turn
from ...core.events import Event, ToolCallRequested
from ...core.policy import PolicyTable
from .app_calls import AppCall, CallLimits, run_app_call
from .apps import (
    APP_MIME,
    AppError,
    UiResource,
    callable_by_app,
    read_ui_resource,
    tool_json,
    ui_resource_uri,
)
from .apps import result_json as _result_json

if TYPE_CHECKING:
    from mcp_types import CallToolResult, Tool

    from ...core.messages import ToolResult
    from ...turns import TurnStart
    from .server import MountedServer

CAPABILITY = "mcp-apps"
"""What a page offers when it can draw apps."""
MAX_OPEN = 32
"""Apps open at once in one kernel; opening one more closes the oldest."""
MAX_CALLS_AT_ONCE = 4
_FORGOTTEN = "this kernel does not know the app (the kernel was restarted?)"


class AppPages(Protocol):
    """The pages, as the host uses them (the bridge)."""

    def offers(self, capability: str) -> bool:
        """Whether a connected page offers ``capability``."""
        ...

    def emit(self, name: str, data: Any = None) -> None:
        """Send an event to every page."""
        ...

    def on_request(self, method: str, handler: Callable[[Any, Any], Any]) -> None:
        """Answer the pages' requests of ``method``."""
        ...


class ApprovalBoard(Protocol):
    """Where a call waiting for a decision is announced (status bar, notifications)."""

    def waiting(self, event: ToolCallRequested, cell_id: str | None) -> None:
        """Keep and announce a call that waits for the user's decision."""
        ...


@dataclass(eq=False)
class HostedApp:
    """One app shown in a cell: its tool call, its document, and what it is doing."""

    id: str
    server: MountedServer
    tool: Tool
    uri: str
    arguments: dict[str, Any]
    resource: asyncio.Task[UiResource]
    turn: TurnContext | None
    cell_id: str | None
    result: dict[str, Any] | None = None
    calls: int = 0
    running: int = 0
    pending: set[PendingApproval] = field(default_factory=set)

    def bundle(self) -> dict[str, Any]:
        """Return the output bundle: our MIME type for the page, a line of text for others."""
        title = self.tool.title or self.tool.name
        app = {
            "version": 1,
            "app_id": self.id,
            "server": self.server.name,
            "tool": self.tool.name,
            "title": title,
            "uri": self.uri,
        }
        text = f"[MCP App {self.tool.name} from {self.server.name}: {self.uri}]"
        return {APP_MIME: app, "text/plain": text}


class McpAppHost:
    """The apps of one kernel, and the page's requests about them.

    Parameters
    ----------
    pages
        The bridge: whether a page offers ``mcp-apps``, events to the pages, their requests.
    policy
        The session's policy table (an app's calls are decided by it, as a model's are).
    offered
        Returns the tools offered to the model (the session's registry), so an app's call
        goes by the same name and policy as the model's call of the same tool.
    board
        Announces calls waiting for a decision (``None``: not announced).
    limits
        Returns the current tool timeout and approval expiry (``%config`` applies at once).
    """

    def __init__(
        self,
        pages: AppPages,
        policy: PolicyTable,
        *,
        offered: Callable[[], Iterable[Any]] = tuple,
        board: ApprovalBoard | None = None,
        limits: Callable[[], CallLimits] = CallLimits,
    ) -> None:
        self.pages = pages
        self.policy = policy
        self.offered = offered
        self.board = board
        self.limits = limits
        self.apps: OrderedDict[str, HostedApp] = OrderedDict()
        self._closed: OrderedDict[str, str] = OrderedDict()
        self._turns: dict[str, str | None] = {}
        pages.on_request("mcp_apps.open", self.open)
        pages.on_request("mcp_apps.call_tool", self.call_tool)

    # --- the tool's side -----------------------------------------------------------------

    def prepare(
        self, server: MountedServer, tool: Tool, name: str, arguments: dict[str, Any]
    ) -> AppLaunch | None:
        """Start reading the tool's app, when it has one and a page can draw it."""
        uri = ui_resource_uri(tool)
        if uri is None or not self.pages.offers(CAPABILITY):
            return None
        turn = current_turn()
        task = asyncio.get_running_loop().create_task(read_ui_resource(server, uri))
        task.add_done_callback(_retrieve)
        cell_id = self._turns.get(turn.turn_id) if turn is not None else None
        app = HostedApp(secrets.token_hex(8), server, tool, uri, arguments, task, turn, cell_id)
        return AppLaunch(self, app)

    def admit(self, app: HostedApp) -> None:
        """Keep ``app`` open (its call ended); the oldest closes beyond :data:`MAX_OPEN`."""
        self.apps[app.id] = app
        while len(self.apps) > MAX_OPEN:
            oldest = next(iter(self.apps.values()))
            self.close(oldest, "too many apps are open in this kernel")

    # --- the page's requests -------------------------------------------------------------

    async def open(self, params: Any, page: Any = None) -> dict[str, Any]:
        """Answer ``mcp_apps.open``: the app's document, sandbox rules, input and result."""
        app_id = _text(params, "app_id")
        app = self.apps.get(app_id)
        if app is None and app_id in self._closed:
            return {"state": "closed", "reason": self._closed[app_id]}
        if app is None:  # another kernel's app, or this kernel's before a restart
            return {"state": "unknown", "reason": _FORGOTTEN}
        try:
            resource = await asyncio.shield(app.resource)
        except asyncio.CancelledError:
            if app.id in self.apps:  # the request itself was cancelled
                raise
            return {"state": "closed", "reason": self._closed.get(app_id, _FORGOTTEN)}
        except Exception as exc:  # any failure to read is the app's, in one line
            reason = exc.message if isinstance(exc, AppError) else f"{type(exc).__name__}: {exc}"
            return {"state": "failed", "reason": one_line(reason)}
        limits = self.limits()
        return {
            "state": "open",
            **resource.to_page(),
            "server": app.server.name,
            "tool": tool_json(app.tool),
            "arguments": app.arguments,
            "result": app.result,
            "callTimeout": limits.approval_ttl + limits.tool_timeout + 10,
        }

    async def call_tool(self, params: Any, page: Any = None) -> dict[str, Any]:
        """Answer ``mcp_apps.call_tool``: the app's own ``tools/call``, to its own server.

        Raises
        ------
        AppError
            The app is closed or unknown, the tool is not its server's or not for apps, or
            too many of its calls run at once (the app gets a JSON-RPC error).
        """
        app = self.apps.get(_text(params, "app_id"))
        if app is None:
            reason = self._closed.get(_text(params, "app_id"), _FORGOTTEN)
            raise AppError(f"the app is closed: {reason}")
        tool = _server_tool(app, _text(params, "name"))
        arguments = params.get("arguments") or {}
        if not isinstance(arguments, dict):
            raise AppError("tools/call arguments must be an object")
        if app.running >= MAX_CALLS_AT_ONCE:
            raise AppError(f"the app already has {app.running} calls running")
        app.calls += 1
        call = AppCall(f"app-{app.id}-{app.calls}", app.server, tool, arguments)
        app.running += 1
        try:
            return await run_app_call(
                call,
                offered=self.offered(),
                policy=self.policy,
                approver=_Announced(self, app),
                limits=self.limits(),
            )
        finally:
            app.running -= 1

    # --- closing -------------------------------------------------------------------------

    def close(self, app: HostedApp, reason: str) -> None:
        """Close ``app``: its pending approvals end, the pages tear it down."""
        if self.apps.pop(app.id, None) is None:
            return
        self._closed[app.id] = reason
        while len(self._closed) > 4 * MAX_OPEN:
            self._closed.popitem(last=False)
        app.resource.cancel()
        for pending in list(app.pending):
            pending.settle(Decision(False, "expired", reason=f"the app was closed: {reason}"))
        self.pages.emit("mcp_apps.closed", {"app_id": app.id, "reason": reason})

    def close_where(self, matches: Callable[[HostedApp], bool], reason: str) -> None:
        """Close every open app that ``matches``."""
        for app in [a for a in self.apps.values() if matches(a)]:
            self.close(app, reason)

    def close_all(self, reason: str) -> None:
        """Close every app (the extension unloads)."""
        self.close_where(lambda app: True, reason)

    def pre_run_cell(self, info: Any) -> None:
        """Close the apps a cell showed, as it runs again (IPython's ``pre_run_cell``)."""
        cell_id = getattr(info, "cell_id", None)
        if cell_id:
            self.close_where(lambda app: app.cell_id == cell_id, "the cell was run again")

    def hook(self, start: TurnStart) -> AppTurnHook:
        """Make the turn hook of one turn (a factory for the turn runner's hooks)."""
        return AppTurnHook(self, start.plan.turn_id, start.request.cell_id)

    def running(self, turn: TurnContext | None) -> bool:
        """Whether ``turn`` is still running."""
        return turn is not None and turn.turn_id in self._turns

    def announce(self, app: HostedApp, pending: PendingApproval, *, card: bool) -> None:
        """Announce an app's call that waits for a decision; ``card``: the page draws one."""
        app.pending.add(pending)
        pending.on_decided(lambda decision: app.pending.discard(pending))
        event = ToolCallRequested(pending.call, pending.spec, "ask", pending.arguments, pending)
        if self.board is not None:
            self.board.waiting(event, app.cell_id)
        if card:
            self.pages.emit("mcp_apps.pending", _pending_info(app, pending))


class AppLaunch:
    """A UI tool's call under way (an :class:`~.apps.AppLaunch`)."""

    def __init__(self, host: McpAppHost, app: HostedApp) -> None:
        self.host = host
        self.app = app

    def finish(self, raw: CallToolResult, result: ToolResult) -> ToolResult:
        """Keep the raw result for the app, and add the app's bundle to the tool's result."""
        self.app.result = _result_json(raw)
        self.host.admit(self.app)
        return replace(result, display=(*result.display, self.app.bundle()))

    def cancel(self) -> None:
        """Forget the app: its call failed or was cancelled, so it is never shown."""
        self.app.resource.cancel()


class AppTurnHook:
    """Follows one turn for the host: its cell, whether it runs, and its interruption."""

    def __init__(self, host: McpAppHost, turn_id: str, cell_id: str | None) -> None:
        self.host = host
        self.turn_id = turn_id
        host._turns[turn_id] = cell_id

    def event(self, event: Event) -> None:
        """Nothing to follow event by event."""

    def end(self, interrupted: bool) -> dict[str, Any]:
        """End the turn; an interrupted (or stopped) turn closes the apps it showed."""
        self.host._turns.pop(self.turn_id, None)
        if interrupted:
            self.host.close_where(
                lambda app: app.turn is not None and app.turn.turn_id == self.turn_id,
                "the turn was interrupted",
            )
        return {}


class _Announced:
    """Decides an app's call: the turn's approver while its turn runs, else a page card."""

    def __init__(self, host: McpAppHost, app: HostedApp) -> None:
        self.host = host
        self.app = app

    async def decide(self, pending: PendingApproval) -> Decision:
        turn = self.app.turn
        inner: Approver | None = turn.approver if self.host.running(turn) and turn else None
        self.host.announce(self.app, pending, card=inner is None)
        if inner is not None:
            return await inner.decide(pending)
        return await pending.wait()


def _server_tool(app: HostedApp, name: str) -> Tool:
    tool = next((t for t in app.server.tools if t.name == name), None)
    if tool is None:
        raise AppError(f"MCP server {app.server.name!r} has no tool {name!r}")
    if not callable_by_app(tool):
        raise AppError(f"the tool {name!r} is not offered to apps (its visibility is model only)")
    return tool


def _pending_info(app: HostedApp, pending: PendingApproval) -> dict[str, Any]:
    spec = pending.spec
    try:
        arguments = json.dumps(pending.arguments, indent=2, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        arguments = repr(pending.arguments)
    return {
        "app_id": app.id,
        "call_id": pending.call.id,
        "card": card_class(pending.call.id),
        "tool": spec.name,
        "source": spec.source,
        "description": one_line(spec.description, 500),
        "annotations": spec.annotations or {},
        "arguments": arguments[:4000],
        "scopes": list(pending.scopes),
        "changed": pending.changed,
        "expires": pending.ttl,
    }


def _text(params: Any, key: str) -> str:
    value = params.get(key) if isinstance(params, dict) else None
    if not isinstance(value, str) or not value:
        raise AppError(f"the request needs {key!r}")
    return value


def _retrieve(task: asyncio.Task[Any]) -> None:
    # A read nobody awaits (a failed call, a closed app) must not warn at garbage collection.
    if not task.cancelled():
        task.exception()
