"""The MCP conformance suite's client, driven through jupyter-orch's own MCP layer.

``@modelcontextprotocol/conformance client --command "python tests/conformance/client.py"``
starts one mock server per scenario and runs this script with the server's URL as the last
argument, the scenario's name in ``MCP_CONFORMANCE_SCENARIO``, the spec revision in
``MCP_CONFORMANCE_PROTOCOL_VERSION`` and scenario data (JSON) in ``MCP_CONFORMANCE_CONTEXT``.

Everything goes the way a notebook user's servers go: the server is mounted with
:class:`~jupyter_orch.tools.mcp.mounts.McpMounts` (``%mcp add NAME --url URL``), its tools
join the session's registry as :class:`~jupyter_orch.tools.mcp.tools.McpTool`, and a
scripted "model" calls them through the orchestrator, behind the headless approval policy
(approving every call, as ``JupyterOrch.headless_approve`` does), inside a turn whose
elicitor is a user who accepts each form as it is shown (with the schema's defaults).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx2

from jupyter_orch.core.approval import HeadlessApprover
from jupyter_orch.core.context import TurnContext, turn_entered
from jupyter_orch.core.elicitation import ElicitationRequest, ElicitationResponse
from jupyter_orch.core.events import ToolCallFinished
from jupyter_orch.core.messages import ToolResult
from jupyter_orch.core.orchestrator import Orchestrator
from jupyter_orch.core.redaction import Redactor
from jupyter_orch.core.request import ChatRequest
from jupyter_orch.core.thread import Thread
from jupyter_orch.providers.scripted import ScriptedProvider
from jupyter_orch.session import Session
from jupyter_orch.tools.mcp.auth import ServerAuth, wants_oauth
from jupyter_orch.tools.mcp.config import ServerConfig
from jupyter_orch.tools.mcp.elicitation import defaults, form_fields
from jupyter_orch.tools.mcp.mounts import McpMounts
from jupyter_orch.tools.mcp.server import MountedServer
from jupyter_orch.tools.mcp.tokens import TokenFile

logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(message)s")
log = logging.getLogger("conformance-client")
SERVER = "conformance"
Scenario = Callable[["Driver"], Awaitable[None]]
SCENARIOS: dict[str, Scenario] = {}


def scenario(*names: str) -> Callable[[Scenario], Scenario]:
    """Register a scenario's steps under ``names``."""

    def register(steps: Scenario) -> Scenario:
        for name in names:
            SCENARIOS[name] = steps
        return steps

    return register


class AcceptsAsShown:
    """A user who accepts every form as it is shown (its defaults) and opens no URL."""

    async def elicit(self, request: ElicitationRequest) -> ElicitationResponse:
        """Accept a form with the values it shows; decline a URL."""
        if request.mode != "form":
            return ElicitationResponse("decline", reason="the conformance user opens no URL")
        return ElicitationResponse("accept", content=defaults(form_fields(request.schema)))


class Driver:
    """One mounted server in a session, and turns whose model calls its tools."""

    def __init__(self, session: Session, mounts: McpMounts, server: MountedServer) -> None:
        self.session = session
        self.mounts = mounts
        self.server = server

    def tool_names(self) -> list[str]:
        """The tools the server offers to the model."""
        return self.session.registry.names()

    def input_schema(self, name: str) -> dict[str, Any]:
        """The input schema of the offered tool ``name``."""
        tool = self.session.registry.get(name)
        if tool is None:
            raise RuntimeError(f"the server offers no tool {name!r}")
        return dict(tool.spec.parameters)

    async def turn(self, calls: list[tuple[str, dict[str, Any]]]) -> list[ToolResult]:
        """Run one turn whose model calls ``calls`` one after another; return the results."""
        provider = ScriptedProvider()
        for name, arguments in calls:
            provider.enqueue_tool_call(name, arguments)
        provider.enqueue_text("done")
        approver = HeadlessApprover(approve=True)
        orchestrator = Orchestrator(provider, self.session.registry, self.session.policy, approver)
        redactor = Redactor()
        context = TurnContext(
            turn_id="conformance",
            thread="conformance",
            model="scripted",
            approver=approver,
            elicitor=AcceptsAsShown(),
            provider=provider,
            redact=redactor.value,
        )
        request = ChatRequest("call the tools", Thread("conformance"), "scripted")
        results: list[ToolResult] = []
        with turn_entered(context):
            async for event in orchestrator.run(request):
                if isinstance(event, ToolCallFinished):
                    log.info("%s -> %s", event.call.name, event.result.text()[:200])
                    results.append(event.result)
        return results

    async def call(self, name: str, arguments: dict[str, Any] | None = None) -> ToolResult:
        """Call one tool in a turn of its own."""
        return (await self.turn([(name, arguments or {})]))[0]


def _stub_arguments(schema: dict[str, Any]) -> dict[str, Any]:
    by_type = {"string": "x", "integer": 0, "number": 0, "boolean": False, "object": {}}
    properties = schema.get("properties", {})
    return {
        name: by_type.get(properties.get(name, {}).get("type"), "x")
        for name in schema.get("required", [])
    }


def _context() -> dict[str, Any]:
    text = os.environ.get("MCP_CONFORMANCE_CONTEXT") or "{}"
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


@scenario("initialize", "json-schema-ref-no-deref")
async def _mount_only(driver: Driver) -> None:
    log.info("mounted; tools: %s", driver.tool_names())


@scenario("tools_call", "http-standard-headers", "request-metadata")
async def _add_numbers(driver: Driver) -> None:
    if "add_numbers" in driver.tool_names():
        await driver.call("add_numbers", {"a": 5, "b": 3})
    else:
        # request-metadata's mock lists no tools: call it the way %mcp would reach it.
        await driver.server.call_tool("add_numbers", {"a": 5, "b": 3})


@scenario("sse-retry")
async def _reconnection(driver: Driver) -> None:
    await driver.call("test_reconnection")


@scenario("elicitation-sep1034-client-defaults")
async def _elicitation_defaults(driver: Driver) -> None:
    await driver.call("test_client_elicitation_defaults")


@scenario("sep-2322-client-request-state")
async def _request_state(driver: Driver) -> None:
    names = ("test_mrtr_echo_state", "test_mrtr_unrelated", "test_mrtr_no_state")
    await driver.turn([(name, {}) for name in names])
    await driver.call("test_mrtr_no_result_type")


@scenario("json-schema-2020-12-preservation")
async def _schema_echo(driver: Driver) -> None:
    schema = driver.input_schema("json_schema_2020_12_tool")
    await driver.call("json_schema_echo", {"schema": schema})


@scenario("http-invalid-tool-headers")
async def _every_tool(driver: Driver) -> None:
    names = driver.tool_names()
    await driver.turn([(n, _stub_arguments(driver.input_schema(n))) for n in names])


@scenario("http-custom-headers")
async def _custom_headers(driver: Driver) -> None:
    offered = set(driver.tool_names())
    calls = [
        (call["name"], call.get("arguments") or {})
        for call in _context().get("toolCalls", [])
        if call["name"] in offered
    ]
    await driver.turn(calls)


@scenario("auth/*")
async def _signed_in(driver: Driver) -> None:
    names = driver.tool_names()
    if names:
        await driver.call(names[0])


class BrowserUser:
    """A user who follows the "Sign in" link in a browser that signs in at once.

    The authorization server answers the link with a redirect to our loopback callback;
    the browser follows it, which is what ends the sign-in on our side.
    """

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[None]] = set()
        self.shown: list[str] = []

    def show(self, server: str, url: str) -> None:
        self.shown.append(server)
        task = asyncio.get_running_loop().create_task(self._follow(url))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def done(self, server: str) -> None:
        log.info("sign-in to %s done", server)

    async def _follow(self, url: str) -> None:
        async with httpx2.AsyncClient(timeout=30) as browser:
            answer = await browser.get(url, follow_redirects=False)
            location = answer.headers.get("location")
            if answer.status_code not in (301, 302, 303, 307, 308) or not location:
                log.error("the authorization server answered %s", answer.status_code)
                return
            await browser.get(location)


def _oauth_settings() -> dict[str, Any]:
    context = _context()
    settings: dict[str, Any] = {
        "client_metadata_url": "https://conformance-test.local/client-metadata.json"
    }
    for key in ("client_id", "client_secret"):
        if context.get(key):
            settings[key] = context[key]
    return settings


async def run(url: str, name: str) -> int:
    """Mount the server at ``url`` and run scenario ``name``; return the exit status."""
    steps = SCENARIOS.get("auth/*" if name.startswith("auth/") else name)
    if steps is None:
        print(f"unknown scenario {name!r}", file=sys.stderr)
        return 1
    session = Session()
    with tempfile.TemporaryDirectory(prefix="conformance-") as folder:
        tokens = TokenFile(Path(folder) / "tokens.json")
        user = BrowserUser()
        mounts = McpMounts(
            session,
            log_dir=Path(folder) / "logs",
            start_timeout=30,
            auth=lambda config: ServerAuth(config, tokens, user) if wants_oauth(config) else None,
        )
        config = ServerConfig(SERVER, "http", url=url, oauth=_oauth_settings())
        try:
            server = await mounts.add(config)
            if server.state != "connected":
                print(f"mount failed: {server.error}\n{server.log_text()}", file=sys.stderr)
                return 1
            await steps(Driver(session, mounts, server))
            print(server.log_text(), file=sys.stderr)
        finally:
            await session.aclose()
    return 0


def main() -> None:
    """Run the scenario the suite names against the URL it gives."""
    if len(sys.argv) < 2:
        print(f"usage: {sys.argv[0]} URL", file=sys.stderr)
        sys.exit(2)
    scenario_name = os.environ.get("MCP_CONFORMANCE_SCENARIO", "")
    version = os.environ.get("MCP_CONFORMANCE_PROTOCOL_VERSION")
    log.info("scenario %s, protocol %s, url %s", scenario_name, version, sys.argv[-1])
    sys.exit(asyncio.run(run(sys.argv[-1], scenario_name)))


if __name__ == "__main__":
    main()
