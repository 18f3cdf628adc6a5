"""An MCP server's tool as one of ours: a :class:`~jupyter_orch.core.tools.Tool`.

The tool keeps the server's name for it; the registry may know it under another (a clash
with a tool already offered is resolved by prefixing the server name). Results come back as
:class:`~jupyter_orch.core.messages.ToolResult`: a failed, crashed or timed-out server is an
error result the model reads, never an exception through the kernel.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Container
from typing import Any

from mcp_types import CallToolResult, Tool

from ...core.messages import ToolResult
from ...core.tools import ToolArgumentError, ToolSpec
from .apps import AppLauncher
from .content import convert_blocks
from .errors import McpCallError
from .server import MountedServer

_INVALID = re.compile(r"[^a-zA-Z0-9_-]")
_MAX_NAME = 64


class McpTool:
    """A tool of a mounted MCP server.

    Parameters
    ----------
    server
        The mounted server that runs it.
    tool
        The tool as the server lists it.
    name
        The name offered to the model (the server's, or prefixed after a clash).
    apps
        Shows the tool's MCP App when it has one and a page can draw it (``None``: never).
    """

    def __init__(
        self, server: MountedServer, tool: Tool, name: str, apps: AppLauncher | None = None
    ) -> None:
        self.server = server
        self.tool = tool
        self.apps = apps
        self._validate: Callable[[dict[str, Any]], None] | None = None
        title = tool.title or (tool.annotations.title if tool.annotations else None)
        hints = (
            tool.annotations.model_dump(by_alias=True, exclude_none=True)
            if tool.annotations
            else None
        )
        self._spec = ToolSpec(
            name=name,
            description=tool.description or title or f"{tool.name} (from MCP server {server.name})",
            parameters=dict(tool.input_schema),
            source=server.source,
            title=title,
            annotations=hints or None,
        )

    @property
    def meta(self) -> dict[str, Any]:
        """The tool's ``_meta`` as the server listed it (an MCP App's ``ui`` is there)."""
        return dict(self.tool.meta or {})

    @property
    def spec(self) -> ToolSpec:
        """The tool's spec, with source ``mcp:<server>``."""
        return self._spec

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Check ``arguments`` against the tool's input schema.

        Models often send ``null`` for an optional parameter they mean to leave out: when
        the arguments fit only without those, they are left out.
        """
        if self._validate is None:
            self._validate = _validator(self._spec.parameters)
        try:
            self._validate(arguments)
        except ToolArgumentError:
            required = self._spec.parameters.get("required") or ()
            given = {k: v for k, v in arguments.items() if v is not None or k in required}
            if given == arguments:
                raise
            self._validate(given)
            return given
        return arguments

    async def call(self, arguments: dict[str, Any]) -> ToolResult:
        """Call the tool on its server; failures become error results.

        A tool with an app (``_meta.ui.resourceUri``) has the app's bundle in its result's
        display when a page can draw it; its text is the same either way.
        """
        name = self._spec.name
        launch = self.apps.prepare(self.server, self.tool, name, arguments) if self.apps else None
        try:
            result = await self.server.call_tool(self.tool.name, arguments)
        except McpCallError as exc:
            if launch is not None:
                launch.cancel()
            return ToolResult.error(exc.message)
        except BaseException:
            if launch is not None:
                launch.cancel()
            raise
        converted = to_tool_result(result)
        return launch.finish(result, converted) if launch is not None else converted


def to_tool_result(result: CallToolResult) -> ToolResult:
    """Convert an MCP tool result: text, images, resources, structured content, ``isError``."""
    converted = convert_blocks(list(result.content))
    structured = result.structured_content
    if not converted.parts and structured is not None:
        # Servers should repeat structured content as text; when one does not, the model
        # still needs to read it.
        converted.add_text(json.dumps(structured, ensure_ascii=False, default=str))
    if not converted.parts:
        converted.add_text("(the tool returned no content)")
    return ToolResult(
        content=converted.content(),
        is_error=bool(result.is_error),
        structured=structured,
        display=tuple(converted.display),
    )


def is_app_only(tool: Tool) -> bool:
    """Whether an MCP App tool is for its app alone (``_meta.ui.visibility`` lacks "model").

    Such tools are never offered to the model; the app calls them on its own server.
    """
    ui = (tool.meta or {}).get("ui")
    visibility = ui.get("visibility") if isinstance(ui, dict) else None
    return isinstance(visibility, list) and "model" not in visibility


def tool_name(server: str, tool: str, taken: Container[str]) -> str:
    """Return the name to offer for ``server``'s ``tool``, avoiding names in ``taken``.

    The tool's own name when it is free (made valid for providers); else
    ``<server>__<tool>``, then with a number when even that is taken.
    """
    base = _valid(tool)
    if base not in taken:
        return base
    prefixed = _valid(f"{server}__{tool}")
    candidate, n = prefixed, 2
    while candidate in taken:
        suffix = f"_{n}"
        candidate = prefixed[: _MAX_NAME - len(suffix)] + suffix
        n += 1
    return candidate


def _valid(name: str) -> str:
    return (_INVALID.sub("_", name) or "tool")[:_MAX_NAME]


def _validator(schema: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    # jsonschema costs an import; the SDK loads it lazily too, on first validation.
    import jsonschema

    try:
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
    except jsonschema.SchemaError:
        return lambda arguments: None  # the server's schema is broken: let the server judge
    checker = cls(schema)

    def check(arguments: dict[str, Any]) -> None:
        error = jsonschema.exceptions.best_match(checker.iter_errors(arguments))
        if error is not None:
            place = "/".join(str(p) for p in error.absolute_path)
            where = f" at {place}" if place else ""
            raise ToolArgumentError(f"invalid arguments{where}: {error.message}")

    return check
