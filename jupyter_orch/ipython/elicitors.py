"""Choosing how a server's questions are answered in IPython: a form, a prompt, or headless.

A server asks in the middle of a tool call, from a task that is not the cell's: the form
must still appear in the cell that runs the turn. ipykernel routes output by a context
variable (the parent header), so the elicitor builds and shows its form inside the turn's
own context (:class:`TurnOutput`).
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from typing import Any, TypeVar

from ..core.approval import Approver, Decision, PendingApproval
from ..core.elicitation import ElicitationRequest, ElicitationResponse, Elicitor, HeadlessElicitor
from ..tools.mcp.elicitation import FormError, check_answer, form_fields, url_domain

Show = Callable[[Any], None]
_T = TypeVar("_T")


class TurnOutput:
    """Shows widgets where the turn is shown, from any task of the kernel's loop.

    Parameters
    ----------
    add_widget
        Displays a widget (in the running cell, or in a chat panel).

    The calling task's context (the cell's parent header) is captured when this is made;
    widgets are built and shown inside it, so their messages belong to the turn's cell.
    """

    def __init__(self, add_widget: Callable[[Any], None]) -> None:
        self._add_widget = add_widget
        self._context = contextvars.copy_context()

    def run(self, build: Callable[..., _T], *args: Any) -> _T:
        """Call ``build(*args)`` in the turn's context."""
        return self._context.run(build, *args)

    def show(self, widget: Any) -> None:
        """Display ``widget`` in the turn's output."""
        self.run(self._add_widget, widget)


class WidgetElicitor:
    """Shows each request as a form (:class:`~.widgets.elicitation.ElicitationForm`).

    Parameters
    ----------
    output
        Where the turn is shown (a :class:`TurnOutput`), or a plain function that
        displays a widget.
    ttl
        Seconds a form waits for an answer before it counts as cancelled.
    """

    def __init__(self, output: TurnOutput | Show, ttl: float = 600.0) -> None:
        self.output = output if isinstance(output, TurnOutput) else None
        self.show: Show = output.show if isinstance(output, TurnOutput) else output
        self.ttl = ttl
        self.forms: list[Any] = []

    async def elicit(self, request: ElicitationRequest) -> ElicitationResponse:
        """Show the form and wait for a button; an interrupt or the expiry closes it."""
        from .widgets.elicitation import ElicitationForm

        form = (
            self.output.run(ElicitationForm, request) if self.output else ElicitationForm(request)
        )
        self.forms.append(form)
        self.show(form.widget)
        try:
            return await asyncio.wait_for(form.wait(), self.ttl)
        except asyncio.TimeoutError:
            form.close(f"no answer within {self.ttl / 60:g} min")
            return await form.wait()
        except asyncio.CancelledError:
            form.close("the tool call ended before an answer")
            raise


class TextElicitor:
    """Asks on the terminal, one field after another (terminal IPython)."""

    async def elicit(self, request: ElicitationRequest) -> ElicitationResponse:
        """Prompt for each field (in a thread: the loop stays free); empty keeps the default."""
        return await asyncio.to_thread(_ask, request)


class CardApprover:
    """Shows an approval card for requests a tool makes itself (a server's sampling).

    The orchestrator's own approvals get their cards from the renderer; a request that
    comes from inside a tool call has none, so this shows one in the turn's output, then
    lets ``inner`` decide (the card's buttons settle it).
    """

    def __init__(self, inner: Approver, output: TurnOutput) -> None:
        self.inner = inner
        self.output = output

    async def decide(self, pending: PendingApproval) -> Decision:
        """Show the card, then wait for the decision."""
        from .display.summary import ToolView
        from .widgets.card import ToolCard

        view = ToolView(
            pending.call,
            pending.spec.source,
            "ask",
            pending.arguments,
            description=pending.spec.description,
        )
        card = self.output.run(ToolCard, view, pending)
        self.output.show(card.widget)  # closed with the turn's other widgets
        return await self.inner.decide(pending)


def make_elicitor(mode: str, output: TurnOutput) -> Elicitor:
    """Return the elicitor for a frontend ``mode`` (``widget``, ``text`` or ``headless``)."""
    if mode == "headless":
        return HeadlessElicitor()
    if mode == "text":
        return TextElicitor()
    return WidgetElicitor(output)


def _ask(request: ElicitationRequest) -> ElicitationResponse:
    print(f"\n{request.source} asks: {request.message}")
    if request.mode == "url":
        domain = url_domain(request.url or "")
        if domain is None:
            return ElicitationResponse("decline", reason="not an http(s) address")
        answer = input(f"Open a page on {domain} ({request.url})? [y/N] ").strip().lower()
        return ElicitationResponse("accept" if answer in ("y", "yes") else "decline")
    fields = form_fields(request.schema)
    values: dict[str, Any] = {}
    for field in fields:
        shown = f" [{field.default}]" if field.default is not None else ""
        choices = f" ({', '.join(v for v, _ in field.choices)})" if field.choices else ""
        typed = input(f"  {field.title}{choices}{shown}: ").strip()
        values[field.name] = _typed(field.kind, typed) if typed else field.default
    if input("Send? [Y/n] ").strip().lower() in ("n", "no"):
        return ElicitationResponse("decline", reason="declined by the user")
    try:
        return ElicitationResponse("accept", content=check_answer(fields, values))
    except FormError as exc:
        return ElicitationResponse("cancel", reason=str(exc))


def _typed(kind: str, text: str) -> Any:
    if kind == "boolean":
        return text.lower() in ("y", "yes", "true", "1")
    if kind == "multi":
        return [part.strip() for part in text.split(",") if part.strip()]
    return text
