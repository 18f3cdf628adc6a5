"""Redaction of what streams: text a word at a time, and a turn's events one by one.

A word that could still grow into a secret is held back until it is complete, so a key split
over several chunks is never shown half-way (:class:`TextGuard`); :class:`EventRedactor`
redacts every event of a turn before anything shows or records it.
"""

from __future__ import annotations

from dataclasses import replace

from .events import (
    Event,
    RoundStarted,
    TextDelta,
    ToolCallApproved,
    ToolCallFinished,
    ToolCallRejected,
    ToolCallRequested,
    ToolCallStarted,
    TurnFailed,
    TurnFinished,
)
from .redaction import Redactor

_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./+=~:")
_CONTEXT_CHARS = 64
"""Text kept before a streamed piece, so a pattern that needs context (``Bearer``) still sees it."""
_MAX_HOLD = 4096
"""A run of token characters longer than this is released anyway (no key is that long)."""


class TextGuard:
    """Streams text through a redactor, releasing only what can no longer turn into a secret.

    The trailing run of token characters (letters, digits, ``_-./+=~:``) is held back until a
    different character follows, and so is any tail that begins a known literal secret. When
    the user has patterns of their own (which may span words), text is released a line at a
    time. :meth:`flush` releases the rest.
    """

    def __init__(self, redactor: Redactor) -> None:
        self._redactor = redactor
        self._raw = ""
        self._sent = 0
        self._by_line = bool(redactor.user_patterns)

    def feed(self, piece: str) -> str:
        """Take a piece of streamed text; return the redacted text now safe to show."""
        self._raw += piece
        return self._emit(self._safe_point())

    def flush(self) -> str:
        """Return the rest (the text run ended)."""
        return self._emit(len(self._raw))

    def _emit(self, cut: int) -> str:
        if cut <= self._sent:
            return ""
        base = max(0, self._sent - _CONTEXT_CHARS)
        out = self._redactor.redact_from(self._raw[base:cut], self._sent - base)
        self._sent = cut
        drop = max(0, cut - _CONTEXT_CHARS)
        self._raw, self._sent = self._raw[drop:], self._sent - drop
        return out

    def _safe_point(self) -> int:
        raw = self._raw
        cut = len(raw)
        floor = max(self._sent, len(raw) - _MAX_HOLD)
        while cut > floor and raw[cut - 1] in _TOKEN_CHARS:
            cut -= 1
        for secret in self._redactor.secrets:
            cut = min(cut, len(raw) - _secret_prefix_tail(raw, secret))
        if self._by_line:
            cut = raw.rfind("\n", 0, cut) + 1
        return cut


def _secret_prefix_tail(text: str, secret: str) -> int:
    """Length of the longest tail of ``text`` that is a proper prefix of ``secret``."""
    tail = text[-(len(secret) - 1) :] if len(secret) > 1 else ""
    i = tail.find(secret[0])
    while i >= 0:
        if secret.startswith(tail[i:]):
            return len(tail) - i
        i = tail.find(secret[0], i + 1)
    return 0


class EventRedactor:
    """Redacts a turn's events before anything shows or records them.

    Text deltas pass through a :class:`TextGuard` (so one delta in may give none out, and the
    held text comes out before the next other event); tool events get their arguments,
    results and reasons redacted; the final answer and error messages too; a round's request
    (messages, and parameters such as ``api_key``) too. ``pending`` approvals pass through
    untouched: the buttons act on what really runs.
    """

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        self._guard = TextGuard(redactor)

    def feed(self, event: Event) -> list[Event]:
        """Return the redacted events to show for ``event`` (zero, one or two)."""
        if isinstance(event, TextDelta):
            text = self._guard.feed(event.text)
            return [TextDelta(text)] if text else []
        out = self.flush()
        out.append(self._redact(event))
        return out

    def flush(self) -> list[Event]:
        """Return the held-back text as a delta (a turn ended or was interrupted)."""
        text = self._guard.flush()
        return [TextDelta(text)] if text else []

    def _redact(self, event: Event) -> Event:
        r = self.redactor
        if isinstance(event, ToolCallRequested):
            r.learn(event.arguments)
            arguments = r.value(event.arguments) if event.arguments is not None else None
            preview = event.preview.redacted(r.text) if event.preview is not None else None
            return replace(event, call=r.call(event.call), arguments=arguments, preview=preview)
        if isinstance(event, (ToolCallApproved, ToolCallRejected)):
            decision = replace(event.decision, reason=r.text(event.decision.reason))
            return replace(event, call=r.call(event.call), decision=decision)
        if isinstance(event, ToolCallStarted):
            return replace(event, call=r.call(event.call))
        if isinstance(event, ToolCallFinished):
            return replace(event, call=r.call(event.call), result=r.result(event.result))
        if isinstance(event, TurnFinished):
            return replace(event, answer=r.text(event.answer))
        if isinstance(event, TurnFailed):
            return replace(event, message=r.text(event.message), partial=r.text(event.partial))
        if isinstance(event, RoundStarted) and event.request is not None:
            return replace(event, request=r.request(event.request))
        return event
