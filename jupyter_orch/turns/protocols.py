"""The seams of a turn: what shows it, what follows it, what wraps it for one turn."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..core.approval import Approver
from ..core.events import Event
from ..core.provider import Provider
from ..core.redaction import Redactor
from ..core.request import ChatRequest
from ..core.tools import ToolRegistry
from .plan import TurnPlan


@dataclass(frozen=True)
class TurnStart:
    """A turn about to run, as hooks and wrappers see it.

    Parameters
    ----------
    plan
        The checked plan.
    request
        The orchestrator's request (the thread, the prompt with its attachments).
    redactor
        The turn's one redactor: everything that shows or records the turn uses it.
    """

    plan: TurnPlan
    request: ChatRequest
    redactor: Redactor


class Renderer(Protocol):
    """Shows one turn: a cell's output, a chat panel, a terminal, a list of events."""

    def waiting(self, text: str) -> None:
        """Say that the turn waits for another one on its thread (``text`` says which)."""
        ...

    def start(self, start: TurnStart) -> None:
        """Begin: the turn holds its thread; nothing has been sent yet."""
        ...

    def handle(self, event: Event) -> None:
        """Show one (redacted) event."""
        ...

    def finish(self, extra: Mapping[str, Any], *, interrupted: bool) -> None:
        """Leave the final view (``extra``: MIME entries from the hooks) and close widgets."""
        ...


class TurnHook(Protocol):
    """Follows one turn (the transcript recorder is one); made per turn by a factory."""

    def event(self, event: Event) -> None:
        """See one (redacted) event, in order."""
        ...

    def end(self, interrupted: bool) -> dict[str, Any]:
        """End the turn; return MIME entries to add to the final view."""
        ...


class TurnWrapper(Protocol):
    """Changes what one turn talks to (a replay answers from a recording this way)."""

    def provider(self, provider: Provider) -> Provider:
        """Return the provider this turn uses instead of ``provider``."""
        ...

    def approver(self, approver: Approver) -> Approver:
        """Return the approver this turn uses instead of ``approver``."""
        ...

    def tools(self, registry: ToolRegistry) -> ToolRegistry:
        """Return the tools of this turn (a view over ``registry``; never change it)."""
        ...

    def end(self) -> None:
        """End the turn (it is over)."""
        ...


HookFactory = Callable[[TurnStart], TurnHook]
WrapperFactory = Callable[[TurnStart], "TurnWrapper | None"]
