"""The pages connected to this kernel, as the kernel knows them."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from .protocol import KNOWN_CAPABILITIES, PROTOCOL, one_line


class Channel(Protocol):
    """One open channel to a page (in a kernel: a comm)."""

    def send(self, data: dict[str, Any]) -> None:
        """Send one message to the page."""
        ...

    def close(self, data: dict[str, Any] | None = None) -> None:
        """Close the channel (the page sees it closed)."""
        ...


@dataclass
class Page:
    """A connected page: one browser tab's connection to this kernel.

    Parameters
    ----------
    channel_id
        The id of its channel (the comm id).
    id
        The page's own id (new after each reload).
    app
        ``jupyterlab`` or ``notebook`` (Notebook 7).
    version
        The application's version.
    capabilities
        What it offers that this kernel knows (see :data:`KNOWN_CAPABILITIES`).
    channel
        Where to send its messages.
    """

    channel_id: str
    id: str
    app: str
    version: str
    capabilities: frozenset[str]
    channel: Channel = field(repr=False)
    connected_at: float = field(default_factory=time.monotonic)

    def describe(self) -> dict[str, Any]:
        """Return the page as plain data (for status and tests)."""
        return {
            "id": self.id,
            "app": self.app,
            "version": self.version,
            "capabilities": sorted(self.capabilities),
        }


class HandshakeError(ValueError):
    """A page's opening message cannot be accepted; the message says why, in one line."""


def _text(value: Any, limit: int = 100) -> str:
    return one_line(value, limit) if isinstance(value, str) else ""


def page_from_handshake(channel_id: str, channel: Channel, data: Any) -> Page:
    """Read a page's opening message; raise :class:`HandshakeError` when it cannot be used."""
    if not isinstance(data, dict):
        raise HandshakeError("jupyter-orch bridge: the page sent no handshake")
    protocol = data.get("protocol")
    if protocol != PROTOCOL:
        raise HandshakeError(
            f"jupyter-orch bridge: the page speaks protocol {protocol!r} and this kernel "
            f"speaks {PROTOCOL}; install the same jupyter-orch version in the kernel and "
            "in JupyterLab, then reload the page"
        )
    info = data.get("page")
    if not isinstance(info, dict):
        info = {}
    offered = data.get("capabilities")
    names = {c for c in offered if isinstance(c, str)} if isinstance(offered, list) else set()
    return Page(
        channel_id=channel_id,
        id=_text(info.get("id")) or channel_id,
        app=_text(info.get("app")) or "unknown",
        version=_text(info.get("version")),
        capabilities=frozenset(names & KNOWN_CAPABILITIES),
        channel=channel,
    )
