"""The tool-call card: what the model wants to run, Approve / Reject, then progress and result.

Every button has a programmatic twin on the pending request (``approve()``/``reject()``), and
the card's own :meth:`ToolCard.approve` / :meth:`ToolCard.reject` press the real buttons, so
scripts and tests exercise the same path a click does.
"""

from __future__ import annotations

import asyncio
import html
import time
from typing import Any

import ipywidgets as w

from ...bridge.protocol import card_class
from ...core.approval import Decision, PendingApproval
from ...core.messages import ToolResult
from ..display.summary import FOLD_CHARS, ToolView, pretty_json

CARD_CLASS = "jupyter-orch-approval"
_CSS = (
    f"<style>.{CARD_CLASS} {{border:1px solid var(--jp-border-color1,#ccc);"
    "border-radius:6px;padding:6px 10px;margin:4px 0;}}"
    f".{CARD_CLASS} pre {{white-space:pre-wrap;word-break:break-word;margin:2px 0;"
    "max-height:24em;overflow:auto;}}</style>"
)


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
        self.header = w.HTML(_header(view))
        self.arguments = w.HTML(_pre(pretty_json(view.arguments)))
        self.status = w.HTML("")
        self.result = w.HTML("")
        self.widget = w.VBox([w.HTML(_CSS), self.header, self.arguments, self.status, self.result])
        self.widget.add_class(CARD_CLASS)
        self.widget.add_class(card_class(view.call.id))  # the page finds the card by call id
        self._ticker: asyncio.TimerHandle | None = None
        self._started = 0.0
        self.buttons: w.HBox | None = None
        if pending is not None:
            self._add_buttons(pending)

    def _add_buttons(self, pending: PendingApproval) -> None:
        # Buttons exist only while a decision is pending: automatic calls open no comms for them.
        self.approve_button = w.Button(description="Approve", button_style="success", icon="check")
        self.reject_button = w.Button(description="Reject", button_style="danger", icon="times")
        self.reason = w.Text(placeholder="Reason (optional)", layout=w.Layout(width="16em"))
        self.always = w.Checkbox(value=False, description="Always allow this tool", indent=False)
        self.buttons = w.HBox([self.approve_button, self.reject_button, self.reason, self.always])
        self.widget.children = (*self.widget.children[:3], self.buttons, *self.widget.children[3:])
        self.approve_button.on_click(lambda _b: pending.approve(always=self.always.value))
        self.reject_button.on_click(lambda _b: pending.reject(self.reason.value))
        pending.on_decided(self.decided)
        self.status.value = (
            f"<i>Waiting for your decision (expires in {pending.ttl / 60:g} min)…</i>"
        )

    def approve(self, *, always: bool = False) -> None:
        """Press Approve (with "Always allow" ticked when ``always``)."""
        self.always.value = always
        self.approve_button.click()

    def reject(self, reason: str = "") -> None:
        """Type ``reason`` and press Reject."""
        self.reason.value = reason
        self.reject_button.click()

    def decided(self, decision: Decision) -> None:
        """Show the decision; hide the buttons."""
        if self.buttons is not None:
            self.buttons.layout.display = "none"
        self.view.decision = decision
        icon = "✅" if decision.approved else "❌"
        self.status.value = f"{icon} {html.escape(self.view.outcome())}"

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
        outcome = html.escape(self.view.outcome())
        self.status.value = (
            f"{'⚠️' if result.is_error else '✅'} {outcome} · finished in {seconds:.2f} s"
        )
        self.result.value = _folded(label, result.text())

    def _tick(self) -> None:
        elapsed = time.monotonic() - self._started
        self.status.value = f"⚙️ running… {elapsed:.1f} s"
        self._ticker = asyncio.get_running_loop().call_later(0.5, self._tick)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def _header(view: ToolView) -> str:
    policy = f" · policy <code>{view.policy}</code>" if view.policy else ""
    return (
        f"<b>🔧 {html.escape(view.call.name)}</b> "
        f"<span style='opacity:.7'>from {html.escape(view.source)}{policy}</span>"
    )


def _pre(text: str) -> str:
    if len(text) <= FOLD_CHARS:
        return f"<pre>{html.escape(text)}</pre>"
    return (
        f"<pre>{html.escape(text[:FOLD_CHARS])}…</pre>"
        f"<details><summary>all {len(text):,} characters</summary>"
        f"<pre>{html.escape(text)}</pre></details>"
    )


def _folded(label: str, text: str) -> str:
    if not text:
        return ""
    if len(text) <= FOLD_CHARS:
        return f"<b>{label}</b>{_pre(text)}"
    return (
        f"<details><summary><b>{label}</b> ({len(text):,} characters)</summary>"
        f"<pre>{html.escape(text)}</pre></details>"
    )


def card_state(card: ToolCard) -> dict[str, Any]:
    """Return what the card shows now (for tests and scripts)."""
    return {
        "buttons_visible": card.buttons is not None and card.buttons.layout.display != "none",
        "status": card.status.value,
        "result": card.result.value,
    }
