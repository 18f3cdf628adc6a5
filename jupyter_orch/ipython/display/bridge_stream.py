"""Streaming a cell's answer over the bridge, when the page extension renders it.

The cell shows one small bundle of our own MIME type naming a stream id (other viewers see
its ``text/plain``); the text itself goes to the page as ``stream`` events carrying only the
new pieces, which the extension renders into that output as they come. When the turn ends,
the cell's renderer replaces it with the one final standard bundle, as without the bridge.
"""

from __future__ import annotations

from typing import Any

from ...bridge.stream import BridgeStream, Emitter
from .stream import Handle, Show

STREAM_MIME = "application/vnd.jupyter-orch.stream+json"
"""The bundle the page extension renders from the bridge's ``stream`` events."""

PLACEHOLDER = "(the answer is streaming; it shows here when the turn ends)"


def stream_bundle(stream_id: str, fmt: str) -> dict[str, Any]:
    """Return the bundle of a streamed output: its id for the page, a note for others."""
    return {STREAM_MIME: {"id": stream_id, "format": fmt}, "text/plain": PLACEHOLDER}


class BridgeTextStream:
    """One run of streamed text in a cell, sent over the bridge (a ``TextStream`` twin).

    Parameters
    ----------
    show
        Creates a new display from a MIME bundle and returns its handle.
    bridge
        Where the text goes.
    fmt
        ``markdown`` or ``text``: how the page shows it.
    first
        A display already shown (the "waiting" state) that the stream's bundle replaces.
    """

    def __init__(
        self, show: Show, bridge: Emitter, fmt: str = "markdown", first: Handle | None = None
    ) -> None:
        self._stream = BridgeStream(bridge)
        bundle = stream_bundle(self._stream.id, fmt)
        # The output exists before the first piece is sent: the page has somewhere to put it.
        if first is None:
            show(bundle)
        else:
            first.update(bundle)

    @property
    def updates(self) -> int:
        """How many times text was sent."""
        return self._stream.flushes

    def add(self, text: str) -> None:
        """Take a piece of text; it is sent now or at the next tick."""
        self._stream.add(text)

    def flush(self) -> None:
        """Send what has arrived since the last send."""
        self._stream.flush()

    def close(self) -> None:
        """Send the rest; no further text joins this stream."""
        self._stream.close()
