"""Streaming text to the pages over the bridge: only the new pieces, batched.

A :class:`BridgeStream` is one growing text (an answer's run of text in a cell, or a panel
turn's answer). Each flush sends ``{"id": ..., "text": <the text since the last flush>}`` as
one ``stream`` event; the page appends it to what it has of that id. The first piece goes
at once (the first token is visible as soon as it arrives); later pieces at most
:data:`STREAM_HZ` times a second, so a 2,000-token answer costs about a hundred small
messages instead of hundreds of re-sent paragraphs.
"""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from ..core.batching import TextBatcher

STREAM_EVENT = "stream"
"""The bridge event that carries streamed text (``{"id", "text"}``, and ``"end": true``)."""

STREAM_HZ = 5.0
"""Flushes per second at most after the first piece. Each message costs ~0.7 KB of envelope
on iopub: at this rate a 20 s answer costs ~100 messages, ~75 KB."""


class Emitter(Protocol):
    """Where events go (a :class:`~jupyter_orch.bridge.Bridge`)."""

    def emit(self, name: str, data: Any = None) -> None:
        """Send event ``name`` to the pages."""
        ...


def new_stream_id() -> str:
    """Return a fresh stream id (short: it travels in every message of the stream)."""
    return uuid.uuid4().hex[:10]


class BridgeStream:
    """One text streamed to the pages as its new pieces.

    Parameters
    ----------
    bridge
        Where the ``stream`` events go.
    stream_id
        The id the page files the text under (default: a new one).
    hz
        Flushes per second at most, after the first.
    """

    def __init__(self, bridge: Emitter, stream_id: str | None = None, hz: float = STREAM_HZ):
        self.bridge = bridge
        self.id = stream_id or new_stream_id()
        self._batch = TextBatcher(self._send, hz)
        self.closed = False

    @property
    def flushes(self) -> int:
        """How many pieces were sent."""
        return self._batch.sends

    def add(self, text: str) -> None:
        """Take a piece of text; it is sent now (the first one) or at the next tick."""
        if not self.closed:
            self._batch.add(text)

    def flush(self) -> None:
        """Send what arrived since the last flush."""
        self._batch.flush()

    def _send(self, text: str) -> None:
        self.bridge.emit(STREAM_EVENT, {"id": self.id, "text": text})

    def close(self) -> None:
        """Send the rest and tell the page this text is complete."""
        if self.closed:
            return
        self.flush()
        self.closed = True
        self.bridge.emit(STREAM_EVENT, {"id": self.id, "end": True})
