"""The "Sign in to NAME" link an MCP server's OAuth flow shows in the cell that started it."""

from __future__ import annotations

import contextvars
import html
from typing import Any
from urllib.parse import urlsplit

from IPython.display import display


class CellSignIn:
    """Shows the sign-in link in the output of the cell that is running now.

    The flow runs in the server's own task, so the cell's context (its parent header) is
    captured here, when the cell mounts the server. The URL comes from the server: it is
    checked to be http(s) and shown escaped, with its domain.
    """

    def __init__(self) -> None:
        self._context = contextvars.copy_context()
        self._handles: dict[str, Any] = {}

    def show(self, server: str, url: str) -> None:
        """Show the link (an address that is not http(s) is refused by the caller)."""
        self._context.run(self._show, server, url)

    def done(self, server: str) -> None:
        """Replace the link with a note."""
        handle = self._handles.pop(server, None)
        if handle is not None:
            text = f"Sign-in to {server} finished."
            self._context.run(
                handle.update, {"text/plain": text, "text/html": html.escape(text)}, raw=True
            )

    def _show(self, server: str, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return
        name, host, href = (
            html.escape(server),
            html.escape(parts.hostname),
            html.escape(url, quote=True),
        )
        bundle = {
            "text/plain": f"Sign in to {server} ({parts.hostname}): {url}",
            "text/html": (
                f"<b>🔑 <a href='{href}' target='_blank' rel='noopener noreferrer'>"
                f"Sign in to {name}</a></b> <span style='opacity:.7'>at {host}; "
                "this cell goes on once you are back</span>"
            ),
        }
        self._handles[server] = display(bundle, raw=True, display_id=True)
