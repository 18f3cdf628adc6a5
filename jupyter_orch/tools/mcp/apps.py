"""MCP Apps (the ``io.modelcontextprotocol/ui`` extension): a tool's ``ui://`` app, read.

A tool that declares ``_meta.ui.resourceUri`` (or the older flat ``_meta["ui/resourceUri"]``)
has an interactive view: an HTML document its own server serves as a ``ui://`` resource of
type ``text/html;profile=mcp-app``. This module reads what the tool and the resource say
(the URI, the visibility, the declared CSP domains, the permissions) and turns SDK results
into the plain JSON the page's host sends to the app. Hosting the app is
:mod:`.app_host`'s job; drawing it in its sandbox is the page extension's.

Importing this module loads no SDK module: ``%load_ext`` wires the host at once, and the
SDK loads only when a server is mounted.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ...core.errors import OrchError

if TYPE_CHECKING:
    from mcp_types import CallToolResult, ReadResourceResult, Resource, Tool

    from ...core.messages import ToolResult

EXTENSION_ID = "io.modelcontextprotocol/ui"
"""The extension's identifier, advertised in the client's capabilities."""
RESOURCE_MIME = "text/html;profile=mcp-app"
"""The only MIME type a ``ui://`` resource is rendered as."""
APP_MIME = "application/vnd.jupyter-orch.mcp-app+json"
"""Our output MIME type: the app's id and names; the page extension draws the app from it."""
LEGACY_URI_KEY = "ui/resourceUri"
MAX_HTML_CHARS = 5_000_000
"""A bigger document is refused (it travels to the page in one comm message)."""
CSP_KEYS = ("connectDomains", "resourceDomains", "frameDomains", "baseUriDomains")
PERMISSIONS = ("camera", "microphone", "geolocation", "clipboardWrite")
_MAX_DOMAINS = 32
_MAX_DOMAIN_CHARS = 253


class UiServer(Protocol):
    """What reading an app needs of its server (a mounted server)."""

    @property
    def name(self) -> str:
        """The mount's name."""
        ...

    @property
    def resources(self) -> list[Resource]:
        """The resources it lists."""
        ...

    async def read_resource(self, uri: str) -> ReadResourceResult:
        """Read one resource."""
        ...


class AppError(OrchError):
    """An app cannot be shown or cannot do what it asked; the message is one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "usage")


def advertised() -> dict[str, Any]:
    """Return the settings the client advertises for the extension."""
    return {"mimeTypes": [RESOURCE_MIME]}


def ui_resource_uri(tool: Tool) -> str | None:
    """Return the ``ui://`` URI of a tool's app, or ``None`` when it has none.

    Both forms are read, as the extension asks of hosts: ``_meta.ui.resourceUri`` first,
    then the deprecated flat key. Any other scheme counts as no app.
    """
    meta = tool.meta or {}
    ui = meta.get("ui")
    uri = ui.get("resourceUri") if isinstance(ui, dict) else None
    if not isinstance(uri, str):
        uri = meta.get(LEGACY_URI_KEY)
    if isinstance(uri, str) and uri.startswith("ui://") and len(uri) <= 2048:
        return uri
    return None


def visibility(tool: Tool) -> tuple[str, ...]:
    """Return who may call the tool: ``model``, ``app`` or both (the default)."""
    ui = (tool.meta or {}).get("ui")
    given = ui.get("visibility") if isinstance(ui, dict) else None
    if not isinstance(given, list):
        return ("model", "app")
    return tuple(v for v in given if v in ("model", "app"))


def callable_by_app(tool: Tool) -> bool:
    """Whether an app may call the tool (its visibility includes ``app``)."""
    return "app" in visibility(tool)


@dataclass(frozen=True)
class UiResource:
    """An app's document and what its resource declares for the sandbox.

    Parameters
    ----------
    uri
        The ``ui://`` URI it was read from.
    html
        The HTML document.
    csp
        The declared domains, by key (``connectDomains``...): lists of strings, as
        declared; the page keeps only those that are safe to put in a policy.
    permissions
        The permissions asked for (``camera``...), as declared.
    prefers_border
        Whether the app asks for a visible border (``None``: the host decides).
    """

    uri: str
    html: str
    csp: dict[str, list[str]] = field(default_factory=dict)
    permissions: dict[str, dict[str, Any]] = field(default_factory=dict)
    prefers_border: bool | None = None

    def to_page(self) -> dict[str, Any]:
        """Return what the page needs to draw the app."""
        return {
            "uri": self.uri,
            "html": self.html,
            "csp": self.csp,
            "permissions": self.permissions,
            "prefersBorder": self.prefers_border,
        }


async def read_ui_resource(server: UiServer, uri: str) -> UiResource:
    """Read the app's document from the tool's own server.

    ``_meta.ui`` is taken from the content item, falling back to the server's listing of
    the resource, as the extension asks.

    Raises
    ------
    AppError
        The read failed, or it is not one HTML document of the app's MIME type.
    """
    try:
        result = await server.read_resource(uri)
    except OrchError as exc:  # the server's failure, in one line
        raise AppError(f"cannot read the app {uri}: {exc.message}") from None
    items = [c for c in result.contents if str(c.uri) == uri] or list(result.contents)
    if not items:
        raise AppError(f"the app {uri} is empty (the server returned no content)")
    item = items[0]
    mime = (item.mime_type or "").replace(" ", "").lower()
    if mime != RESOURCE_MIME:
        raise AppError(f"the app {uri} is {item.mime_type or 'untyped'}, not {RESOURCE_MIME}")
    html = _document(item, uri)
    listed = next((r for r in server.resources if str(r.uri) == uri), None)
    ui = _ui_meta(item.meta, listed.meta if listed is not None else None)
    border = ui.get("prefersBorder")
    return UiResource(
        uri=uri,
        html=html,
        csp=_csp(ui.get("csp")),
        permissions=_permissions(ui.get("permissions")),
        prefers_border=border if isinstance(border, bool) else None,
    )


def _document(item: Any, uri: str) -> str:
    text = getattr(item, "text", None)
    if text is None:
        try:
            text = base64.b64decode(getattr(item, "blob", ""), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise AppError(f"the app {uri} is not valid base64 UTF-8 text") from None
    if len(text) > MAX_HTML_CHARS:
        raise AppError(f"the app {uri} is too big ({len(text):,} characters)")
    return str(text)


def _ui_meta(
    content: Mapping[str, Any] | None, listing: Mapping[str, Any] | None
) -> dict[str, Any]:
    for meta in (content, listing):
        ui = (meta or {}).get("ui")
        if isinstance(ui, dict):
            return ui
    return {}


def _csp(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        return {}
    out: dict[str, list[str]] = {}
    for key in CSP_KEYS:
        given = value.get(key)
        if isinstance(given, list):
            kept = [d for d in given[:_MAX_DOMAINS] if isinstance(d, str)]
            out[key] = [d for d in kept if len(d) <= _MAX_DOMAIN_CHARS]
    return out


def _permissions(value: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict):
        return {}
    return {key: {} for key in PERMISSIONS if isinstance(value.get(key), dict)}


def tool_json(tool: Tool) -> dict[str, Any]:
    """Return the tool as the app sees it in ``hostContext.toolInfo``."""
    shown: dict[str, Any] = {"name": tool.name, "inputSchema": dict(tool.input_schema)}
    if tool.title:
        shown["title"] = tool.title
    if tool.description:
        shown["description"] = tool.description
    return shown


def result_json(result: CallToolResult) -> dict[str, Any]:
    """Return a tool result as MCP's ``CallToolResult`` JSON (what the app receives)."""
    data: dict[str, Any] = result.model_dump(by_alias=True, exclude_none=True, mode="json")
    return {k: v for k, v in data.items() if k in ("content", "structuredContent", "isError")}


def error_json(text: str) -> dict[str, Any]:
    """Return a failed call as ``CallToolResult`` JSON with one text block."""
    return {"content": [{"type": "text", "text": text}], "isError": True}


class AppLaunch(Protocol):
    """A UI tool's call under way whose app will be shown when it ends."""

    def finish(self, raw: CallToolResult, result: ToolResult) -> ToolResult:
        """Keep the raw result for the app; return ``result`` with the app's bundle."""
        ...

    def cancel(self) -> None:
        """Forget the app: the call failed or was cancelled."""
        ...


class AppLauncher(Protocol):
    """Decides, when a tool is called, whether its app is shown (a page offers Apps)."""

    def prepare(
        self, server: Any, tool: Tool, name: str, arguments: dict[str, Any]
    ) -> AppLaunch | None:
        """Return the launch of the tool's app, or ``None`` (no app, or no page for it)."""
        ...
