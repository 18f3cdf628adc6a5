"""The tool-call card: what the model wants to run, Approve / Reject, then progress and result.

Every button has a programmatic twin on the pending request (``approve()``/``reject()``), and
the card's own :meth:`ToolCard.approve` / :meth:`ToolCard.reject` press the real buttons, so
scripts and tests exercise the same path a click does.

A click must carry everything its decision needs: while a cell runs, ipywidgets holds back a
widget's value updates after the first one, and a click overtakes them. So the scope of an
approval is a button of its own (never a checkbox read at click time), and the reason box
sends its text once, when it loses focus (before the click), and is then replaced by a fresh
box holding the same text, whose next update is again a first one.
"""

from __future__ import annotations

import asyncio
import html
import time
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ...bridge.protocol import card_class
from ...core.approval import Decision, PendingApproval, Scope
from ...core.messages import ToolResult
from ...core.safe_markdown import neutralise_tex
from ..display.code import code_argument, code_html
from ..display.diff import preview_html
from ..display.summary import FOLD_CHARS, ToolView, pretty_json, source_words
from .closing import close_tree

CARD_CLASS = "jupyter-orch-approval"
_CSS = (
    f"<style>.{CARD_CLASS} {{border:1px solid var(--jp-border-color1,#ccc);"
    "border-radius:6px;padding:6px 10px;margin:4px 0;}}"
    f".{CARD_CLASS} pre {{white-space:pre-wrap;word-break:break-word;margin:2px 0;"
    "max-height:24em;overflow:auto;}}"
    f".{CARD_CLASS} .jo-muted {{opacity:.75;}}"
    f".{CARD_CLASS} .jo-ok {{color:var(--jp-success-color1,#2e7d32);font-weight:600;}}"
    f".{CARD_CLASS} .jo-no {{color:var(--jp-error-color1,#c62828);font-weight:600;}}"
    f".{CARD_CLASS} .jo-warn {{color:var(--jp-warn-color1,#b26a00);font-weight:600;}}"
    "</style>"
)
_REASON = "Reason (optional)"


class ToolCard:
    """The card of one tool call.

    Parameters
    ----------
    view
        The call as the user should see it (name, source, arguments).
    pending
        Set when the user must decide: the card then shows Approve / Reject.
    """

    def __init__(self, view: ToolView, pending: PendingApproval | None = None) -> None:
        self.view = view
        self.pending = pending
        self.header = w.HTML(_header(view, pending))
        shown = preview_html(view.preview) if view.preview else _arguments(view.arguments)
        self.arguments = w.HTML(shown)
        self.status = w.HTML("")
        self.result = w.HTML("")
        self.widget = w.VBox([w.HTML(_CSS), self.header, self.arguments, self.status, self.result])
        self.widget.add_class(CARD_CLASS)
        self.widget.add_class(card_class(view.call.id))
        self._ticker: asyncio.TimerHandle | None = None
        self._started = 0.0
        self._progress: tuple[float, float | None, str | None] | None = None
        self.buttons: w.VBox | None = None
        self.scope_buttons: dict[Scope, w.Button] = {}
        if pending is not None:
            self._add_buttons(pending)

    def _add_buttons(self, pending: PendingApproval) -> None:
        # Buttons exist only while a decision is pending: automatic calls open no comms for them.
        self.approve_button = _button("Approve", "success", "check", lambda: self._approve("once"))
        self.scope_buttons["once"] = self.approve_button
        if "session" in pending.scopes:
            self.scope_buttons["session"] = _button(
                "Allow for this session", "", "", lambda: self._approve("session")
            )
        if "always" in pending.scopes:
            self.scope_buttons["always"] = _button(
                "Always allow", "", "", lambda: self._approve("always")
            )
        self.reject_button = _button(
            "Reject", "danger", "times", lambda: pending.reject(self.reason.value)
        )
        self.reason = self._reason_box("")
        rows: list[w.Widget] = [w.HBox(list(self.scope_buttons.values()))]
        reject_row: list[w.Widget] = [self.reject_button, self.reason]
        if pending.total > 1:
            rows[0].children = (
                *rows[0].children,
                _button(f"Approve all {pending.total}", "success", "", pending.approve_all),
            )
            reject_row.append(
                _button("Reject all", "danger", "", lambda: pending.reject_all(self.reason.value))
            )
        self._reject_row = w.HBox(reject_row)
        self.buttons = w.VBox([*rows, self._reject_row])
        self.widget.children = (*self.widget.children[:3], self.buttons, *self.widget.children[3:])
        pending.on_decided(self.decided)
        self.status.value = (
            f"<i>Waiting for your decision (expires in {_duration(pending.ttl)})…</i>"
        )

    def _approve(self, scope: Scope) -> None:
        assert self.pending is not None  # the buttons exist only with a pending request
        self.pending.approve(scope=scope)

    def _reason_box(self, value: str) -> w.Text:
        box = w.Text(
            value=value,
            placeholder=_REASON,
            continuous_update=False,
            layout=w.Layout(width="20em"),
        )
        box.observe(self._reason_sent, "value")
        return box

    def _reason_sent(self, change: dict[str, Any]) -> None:
        # The page holds a widget's later updates while the cell runs: a fresh box (the same
        # text) makes the next edit a first update again, so it reaches the kernel at once.
        old, fresh = self.reason, self._reason_box(str(change["new"]))
        self.reason = fresh
        row = self._reject_row
        row.children = tuple(fresh if child is old else child for child in row.children)
        old.unobserve(self._reason_sent, "value")
        close_tree(old)

    def approve(self, *, always: bool = False, scope: Scope | None = None) -> None:
        """Press Approve, or "Allow for this session" (``always``) or the button of ``scope``."""
        chosen: Scope = scope or ("session" if always else "once")
        self.scope_buttons[chosen].click()

    def reject(self, reason: str = "") -> None:
        """Type ``reason`` and press Reject."""
        self.reason.value = reason
        self.reject_button.click()

    def decided(self, decision: Decision) -> None:
        """Show the decision; hide the buttons."""
        if self.buttons is not None:
            self.buttons.layout.display = "none"
        self.view.decision = decision
        kind = "jo-ok" if decision.approved else "jo-no"
        self.status.value = f"<span class='{kind}'>{_escape(self.view.outcome())}</span>"

    def started(self) -> None:
        """Show a running state with the elapsed time, ticking until :meth:`finished`."""
        self._started = time.monotonic()
        self._tick()

    def finished(self, result: ToolResult, seconds: float) -> None:
        """Show the result (folded when long)."""
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        self.view.result, self.view.seconds = result, seconds
        label = "error" if result.is_error else "result"
        outcome = _escape(self.view.outcome())
        kind = "jo-warn" if result.is_error else "jo-ok"
        self.status.value = f"<span class='{kind}'>{outcome}</span> · finished in {seconds:.2f} s"
        self.result.value = _folded(label, result.text())

    def progressed(self, progress: float, total: float | None, message: str | None) -> None:
        """Show a running tool's progress report (a bar when the total is known)."""
        self._progress = (progress, total, message)
        self._tick(reschedule=False)

    def close(self) -> None:
        """Stop the timer and free the card's widget models (the turn has ended)."""
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        close_tree(self.widget)

    def _tick(self, *, reschedule: bool = True) -> None:
        elapsed = time.monotonic() - self._started
        self.status.value = f"<i>running… {elapsed:.1f} s</i>{_progress_html(self._progress)}"
        if reschedule:
            self._ticker = asyncio.get_running_loop().call_later(0.5, self._tick)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def _button(label: str, style: str, icon: str, action: Callable[[], object]) -> w.Button:
    button = w.Button(description=label, button_style=style, icon=icon)
    button.on_click(lambda _b: action())
    return button


def _progress_html(progress: tuple[float, float | None, str | None] | None) -> str:
    if progress is None:
        return ""
    done, total, message = progress
    text = _escape(message or "")
    if total:
        percent = max(0.0, min(100.0, 100.0 * done / total))
        bar = f" <progress max='100' value='{percent:.0f}'></progress> {percent:.0f}%"
    else:
        bar = f" · {done:g}"
    return f"{bar} {text}".rstrip()


def _escape(text: str) -> str:
    # ipywidgets' HTML sets innerHTML unsanitized, and the page may typeset math in it: every
    # value from a model, a tool or a server is escaped, its link-making TeX commands broken.
    return html.escape(neutralise_tex(text))


def _header(view: ToolView, pending: PendingApproval | None) -> str:
    place = ""
    if pending is not None and pending.total > 1:
        place = f" <span class='jo-muted'>· call {pending.position} of {pending.total}</span>"
    head = (
        f"<b>The model wants to run <code>{_escape(view.call.name)}</code></b>"
        f" <span class='jo-muted'>({_escape(source_words(view.source))})</span>{place}"
    )
    if view.description:
        first = view.description.strip().splitlines()[0][:200]
        head += f"<br><span class='jo-muted'>{_escape(first)}</span>"
    if view.hints():
        said = ", ".join(view.hints())
        head += f"<br><span class='jo-muted'>The server says: {_escape(said)}.</span>"
    if pending is not None and pending.changed:
        head += f"<br><span class='jo-warn'>{_escape(pending.changed)}: asking again.</span>"
    return head


def _arguments(arguments: Any) -> str:
    code = code_argument(arguments)
    if code is not None:
        return code_html(code)
    return _pre(pretty_json(arguments))


def _pre(text: str) -> str:
    if len(text) <= FOLD_CHARS:
        return f"<pre>{_escape(text)}</pre>"
    return (
        f"<pre>{_escape(text[:FOLD_CHARS])}…</pre>"
        f"<details><summary>all {len(text):,} characters</summary>"
        f"<pre>{_escape(text)}</pre></details>"
    )


def _folded(label: str, text: str) -> str:
    if not text:
        return ""
    if len(text) <= FOLD_CHARS:
        return f"<b>{label}</b>{_pre(text)}"
    return (
        f"<details><summary><b>{label}</b> ({len(text):,} characters)</summary>"
        f"<pre>{_escape(text)}</pre></details>"
    )


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


def card_state(card: ToolCard) -> dict[str, Any]:
    """Return what the card shows now (for tests and scripts)."""
    return {
        "buttons_visible": card.buttons is not None and card.buttons.layout.display != "none",
        "status": card.status.value,
        "result": card.result.value,
    }
