"""What the edit tools share: the live notebook, the planned edits, the page that applies them.

Each edit reads the live notebook from the page *before* its card shows (its preview: the new
cell, or old against new source, or the code about to run), and the page applies it, after
Approve, through its notebook model (``notebook.edit``): the page's undo, the user's typing
and the saved document stay consistent. The page is told what the card showed (the old
source), so an edit whose cell changed meanwhile is merged with the user's typing or refused,
never applied over it. A rejected call changes nothing; the model hears the reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ...core.context import current_call, current_turn
from ...core.errors import OrchError
from ...core.messages import ToolResult
from ...core.tools import ToolArgumentError, ToolSpec
from .cells import Cell, Snapshot
from .reader import NotebookReader
from .sources import EDIT, PAGE_TIMEOUT

SOURCE = "notebook-edit"
CellRun = Callable[[str], Awaitable[list[dict[str, Any]]]]
"""Runs a cell's source in the kernel; returns its outputs as nbformat JSON."""

_KEPT_PLANS = 100


@dataclass(frozen=True)
class Plan:
    """What a card showed, and what the page will be asked to do once approved."""

    params: dict[str, Any]
    label: str
    source: str = ""


@dataclass
class EditDesk:
    """What the edit tools share: the page, the running chat cell, and the planned edits.

    Parameters
    ----------
    reader
        Reads the live notebook (the edit tools work only with a page).
    chat_cell
        Returns the id of the running ``%%chat`` cell (never edited by its own turn).
    run
        Runs a cell's source in the kernel (``run_cell``).
    """

    reader: NotebookReader
    chat_cell: Callable[[], str | None] = lambda: None
    run: CellRun | None = None
    plans: dict[str, Plan] = field(default_factory=dict)

    async def snapshot(self) -> Snapshot:
        """Read the live notebook; a problem is a :class:`ToolArgumentError` for the model."""
        if self.reader.page() is None:
            raise ToolArgumentError("no page shows this notebook: it cannot be edited now")
        try:
            return await self.reader.snapshot(images=False)
        except OrchError as exc:
            raise ToolArgumentError(str(exc)) from None

    async def cell(self, reference: str, *, editable: bool = True) -> Cell:
        """Find the cell ``reference`` names in the live notebook."""
        snapshot = await self.snapshot()
        found = snapshot.find(reference)
        if found is None:
            raise ToolArgumentError(
                f"no cell {reference!r}: the notebook has {len(snapshot.cells)} cells "
                "(positions from 1, or the ids list_cells shows)"
            )
        if editable and found.id and found.id == self.chat_cell():
            raise ToolArgumentError(f"cell {found.index} is the chat cell running this turn")
        return found

    def plan(self, plan: Plan) -> None:
        """Keep what the card of the current call shows."""
        call = current_call()
        if call is not None:
            self.plans[call.call_id] = plan
            while len(self.plans) > _KEPT_PLANS:
                self.plans.pop(next(iter(self.plans)))

    def take(self) -> Plan | None:
        """Return (and forget) the plan of the current call."""
        call = current_call()
        return self.plans.pop(call.call_id, None) if call is not None else None

    async def apply(self, params: dict[str, Any]) -> dict[str, Any]:
        """Have the page apply ``params`` (a one-line :class:`OrchError` when it cannot)."""
        bridge = self.reader.page()
        if bridge is None:
            raise OrchError("the page went away: nothing was changed")
        turn = current_turn()
        asked = {**params, "turn": turn.turn_id if turn is not None else ""}
        answer = await bridge.request(EDIT, asked, capability=EDIT, timeout=PAGE_TIMEOUT)
        return answer if isinstance(answer, dict) else {}


def edit_spec(
    name: str, description: str, properties: dict[str, Any], required: list[str]
) -> ToolSpec:
    """Return the spec of an edit tool (policy ``ask``, source ``notebook-edit``)."""
    return ToolSpec(
        name=name,
        description=description,
        parameters={
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        },
        source=SOURCE,
        default_policy="ask",
    )


def source_argument(arguments: dict[str, Any]) -> str:
    """Return the ``source`` argument; raise :class:`ToolArgumentError` when missing."""
    value = arguments.get("source")
    if not isinstance(value, str):
        raise ToolArgumentError("'source' is required: the cell's whole text")
    return value


def language_of(cell_type: str) -> str:
    """Return the highlighting language of a cell type."""
    return "markdown" if cell_type == "markdown" else "python"


def label_of(cell: Cell) -> str:
    """Name a cell for the user and the model: ``cell 3 (code, id 1a2b)``."""
    return f"cell {cell.index} ({cell.type}" + (f", id {cell.id})" if cell.id else ")")


async def applied(desk: EditDesk) -> tuple[Plan, dict[str, Any]] | ToolResult:
    """Apply the current call's plan; return it with the page's answer, or an error."""
    plan = desk.take()
    if plan is None:
        return ToolResult.error("this edit was not shown to the user first: nothing was changed")
    try:
        return plan, await desk.apply(plan.params)
    except OrchError as exc:
        return ToolResult.error(f"{exc}; the notebook is as it was")
