"""A turn as it will be saved: answer text interleaved with tool calls, and a footer."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ...core.approval import Decision, decision_words
from ...core.events import (
    Event,
    TextDelta,
    ToolCallApproved,
    ToolCallFinished,
    ToolCallRejected,
    ToolCallRequested,
    TurnFailed,
    TurnFinished,
)
from ...core.messages import ToolCall, ToolResult, Usage
from ...core.safe_markdown import html_line, html_text, safe_markdown
from ...core.tools import ToolPreview
from .code import code_argument, code_html
from .diff import preview_html

FOLD_CHARS = 600


@dataclass
class ToolView:
    """What the user saw of one tool call."""

    call: ToolCall
    source: str
    policy: str | None
    arguments: Any
    decision: Decision | None = None
    result: ToolResult | None = None
    seconds: float = 0.0
    description: str = ""
    annotations: dict[str, Any] = field(default_factory=dict)
    preview: ToolPreview | None = None

    def hints(self) -> list[str]:
        """Return what the tool's server says of it (``read-only``...), for the card.

        These are the server's claims, shown as such: they never approve anything.
        """
        a = self.annotations
        words = []
        if a.get("readOnlyHint"):
            words.append("read-only")
        if a.get("destructiveHint"):
            words.append("destructive")
        if a.get("openWorldHint"):
            words.append("reaches outside services")
        return words

    def outcome(self) -> str:
        """Return the decision in words (``approved by you``, ``rejected by you: ...``)."""
        d = self.decision
        if d is None:
            return "not run" if self.result is None else "not run (error)"
        return decision_words(d.approved, d.by, d.reason, d.scope)


def source_words(source: str) -> str:
    """Say where a tool comes from, in words (``a notebook function``, ``MCP server time``)."""
    if source.startswith("mcp:"):
        return f"MCP server {source[4:]}"
    return {
        "notebook": "a notebook function",
        "variables": "reads your exposed variables",
        "python": "runs Python in your kernel",
        "notebook-read": "reads this notebook",
        "notebook-edit": "changes this notebook",
    }.get(source, source)


@dataclass
class TurnSummary:
    """Folds a turn's events into segments: text runs and tool calls, in order."""

    model: str
    segments: list[str | ToolView] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    seconds: float = 0.0
    stop: str = ""
    error: str = ""
    remarks: list[str] = field(default_factory=list)

    def add(self, event: Event) -> ToolView | None:
        """Fold ``event`` in; return the tool view it touched, if any."""
        if isinstance(event, TextDelta):
            if self.segments and isinstance(self.segments[-1], str):
                self.segments[-1] += event.text
            else:
                self.segments.append(event.text)
        elif isinstance(event, ToolCallRequested):
            source = event.spec.source if event.spec else "unknown"
            args = event.arguments if event.arguments is not None else _raw(event.call)
            description = event.spec.description if event.spec else ""
            hints = dict(event.spec.annotations or {}) if event.spec else {}
            view = ToolView(
                event.call,
                source,
                event.policy,
                args,
                description=description,
                annotations=hints,
                preview=event.preview,
            )
            self.segments.append(view)
            return view
        elif isinstance(event, (ToolCallApproved, ToolCallRejected, ToolCallFinished)):
            return self._update(event)
        elif isinstance(event, TurnFinished):
            self.usage, self.seconds, self.stop = event.usage, event.seconds, event.stop
        elif isinstance(event, TurnFailed):
            self.error = event.message
        return None

    def _update(
        self, event: ToolCallApproved | ToolCallRejected | ToolCallFinished
    ) -> ToolView | None:
        view = self.find(event.call.id)
        if view is None:
            return None
        if isinstance(event, ToolCallFinished):
            view.result, view.seconds = event.result, event.seconds
        else:
            view.decision = event.decision
        return view

    def find(self, call_id: str) -> ToolView | None:
        """Return the view of the call ``call_id``."""
        for seg in self.segments:
            if isinstance(seg, ToolView) and seg.call.id == call_id:
                return seg
        return None

    def answer(self) -> str:
        """Return the answer's text over all rounds."""
        return "".join(s for s in self.segments if isinstance(s, str))

    def footer(self) -> str:
        """Return ``model · tokens · cost · time``."""
        parts = [self.model]
        if self.usage.total_tokens:
            parts.append(f"{self.usage.prompt_tokens:,} → {self.usage.completion_tokens:,} tokens")
        if self.usage.cost:
            parts.append(f"${self.usage.cost:.4f}")
        if self.seconds:
            parts.append(f"{self.seconds:.1f} s")
        return " · ".join(parts)

    def notes(self) -> list[str]:
        """Return remarks on the turn and lines that say how it ended, when not normally.

        An error is not repeated here: the cell (or the panel) shows it once, in one line.
        """
        answered = bool(self.answer().strip())
        notes = {
            "max_rounds": "Stopped: the model used the maximum number of tool rounds "
            "(JupyterOrch.max_rounds).",
            "interrupted": "Stopped here: the answer above is partial."
            if answered
            else "Stopped before the model answered.",
            "length": "The answer hit the max_tokens limit and is cut.",
        }
        out = [*self.remarks, *([notes[self.stop]] if self.stop in notes else [])]
        if self.error and answered:
            out.append("The answer above was cut short by an error.")
        if not self.segments and not self.error and self.stop == "done":
            out.append("The model returned an empty answer.")
        return out

    def to_markdown(self, *, footer: bool = True) -> str:
        """Render the turn as Markdown: text, folded tool calls, notes, footer.

        The model's text is untrusted and made safe to render, each run of it on its own
        (:func:`~jupyter_orch.core.safe_markdown.safe_markdown` closes what it opened); the
        tool calls, notes and footer are our own fixed HTML around escaped values.
        """
        out: list[str] = []
        for seg in self.segments:
            out.append(safe_markdown(seg) if isinstance(seg, str) else tool_markdown(seg))
        out.extend(f"\n\n*{html_line(n)}*" for n in self.notes())
        if footer:
            out.append(f"\n\n<sub>{html_line(self.footer())}</sub>")
        return "".join(out).strip() + "\n"

    def to_text(self, *, footer: bool = True) -> str:
        """Render the turn as plain text."""
        out: list[str] = []
        for seg in self.segments:
            out.append(
                seg if isinstance(seg, str) else f"\n[tool {seg.call.name}: {seg.outcome()}]\n"
            )
        out.extend(f"\n{n}" for n in self.notes())
        if footer:
            out.append(f"\n-- {self.footer()}")
        return "".join(out).strip() + "\n"


TOOL_BOX = (
    "border:1px solid var(--jp-border-color2,#ccc);border-radius:4px;"
    "padding:2px 8px;margin:6px 0;background:var(--jp-layout-color2,rgba(127,127,127,.08))"
)


def tool_markdown(view: ToolView) -> str:
    """Render one tool call as a folded ``<details>`` block, boxed apart from the answer."""
    result = view.result.text() if view.result is not None else ""
    # Each value is escaped, kept on one line in the summary (a blank line would end the HTML
    # block and let Markdown parse the rest), and hidden from the math finder.
    name, source = html_line(view.call.name), html_line(source_words(view.source))
    head = f"tool <code>{name}</code> ({source}): {html_line(view.outcome())}"
    if view.result is not None and view.decision is not None and view.decision.approved:
        head += f" · {view.seconds * 1000:.0f} ms"
    code = code_argument(view.arguments)
    shown = code_html(code) if code is not None else None
    body = f"<b>{'code' if code is not None else 'arguments'}</b>\n"
    body += shown or f"<pre>{html_text(pretty_json(view.arguments))}</pre>"
    if view.preview is not None:
        body = f"<b>change</b>\n{preview_html(view.preview)}"
    if result:
        label = "error" if view.result is not None and view.result.is_error else "result"
        body += f"\n<b>{label}</b>\n<pre>{html_text(fold(result))}</pre>"
    box = f"<details style='{TOOL_BOX}'><summary>{head}</summary>"
    images = _images(view)
    return f"\n\n{box}\n\n{body}\n</details>\n{images}\n"


IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


def _images(view: ToolView) -> str:
    """Return the raster images a call returned, to sit right below it (never its HTML)."""
    if view.result is None:
        return ""
    tags = []
    name = html_line(view.call.name)
    for bundle in view.result.display:
        for mime in IMAGE_TYPES:
            data = "".join(str(bundle.get(mime, "")).split())
            if data and _BASE64.fullmatch(data):
                alt = f"image returned by {name}"
                tags.append(f"<img src='data:{mime};base64,{data}' alt='{alt}'>")
                break
    return ("\n" + "\n".join(f"<p>{tag}</p>" for tag in tags) + "\n") if tags else ""


def pretty_json(value: Any) -> str:
    """Return ``value`` as indented JSON (or its repr when it is not JSON)."""
    try:
        return json.dumps(value, indent=2, ensure_ascii=False, default=repr)
    except (TypeError, ValueError):
        return repr(value)


def fold(text: str, limit: int = FOLD_CHARS * 8) -> str:
    """Cut ``text`` to ``limit`` characters with a note of what was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n… ({len(text) - limit:,} more characters)"


def _raw(call: ToolCall) -> Any:
    try:
        return json.loads(call.arguments or "{}")
    except ValueError:
        return call.arguments
