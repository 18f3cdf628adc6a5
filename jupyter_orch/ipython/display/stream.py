"""Streaming text into a cell cheaply.

Each update re-sends only the paragraph still growing; settled paragraphs are left in their
own outputs and never sent again. Updates go out at most ``hz`` times a second.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...core.batching import TextBatcher
from ...core.safe_markdown import safe_markdown
from .paragraphs import ParagraphSplitter

Show = Callable[[dict[str, Any]], "Handle"]


class Handle:
    """A display that can be updated (IPython's ``DisplayHandle`` or a test double)."""

    def update(self, bundle: dict[str, Any]) -> None:  # pragma: no cover - interface
        """Replace what the display shows."""
        raise NotImplementedError


class TextStream:
    """One run of streamed text in a cell, throttled and cut into settled paragraphs.

    Parameters
    ----------
    show
        Creates a new display from a MIME bundle and returns its handle.
    mime
        ``text/markdown`` (the text is untrusted: each update is made safe to render, see
        :func:`~jupyter_orch.core.safe_markdown.safe_markdown`) or ``text/plain``.
    hz
        Updates per second at most.
    first
        A display already shown (the "waiting" state) that the first text replaces.
    """

    def __init__(self, show: Show, mime: str, hz: float, first: Handle | None = None) -> None:
        self._show = show
        self._mime = mime
        self._handle = first
        self._batch = TextBatcher(self._shown, hz)
        self._tail = ""
        self._splitter = ParagraphSplitter()
        self.updates = 0

    def add(self, text: str) -> None:
        """Take a piece of text; it is shown now or at the next tick."""
        self._batch.add(text)

    def flush(self) -> None:
        """Show what has arrived since the last update."""
        self._batch.flush()

    def _shown(self, text: str) -> None:
        self._tail += text
        cut = self._splitter.cut(self._tail)
        if cut:
            self._put(self._tail[:cut])
            self._handle, self._tail = None, self._tail[cut:]
        if self._tail:
            self._put(self._tail)

    def close(self) -> None:
        """Show the rest; no further text joins this stream."""
        self.flush()

    def _put(self, text: str) -> None:
        # Every update is a document of its own on the page: each one is made safe whole.
        bundle = {self._mime: safe_markdown(text) if self._mime == "text/markdown" else text}
        if self._handle is None:
            self._handle = self._show(bundle)
        else:
            self._handle.update(bundle)
        self.updates += 1
