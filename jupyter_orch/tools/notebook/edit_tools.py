"""The edit tools: insert, replace or delete a cell, and run a cell. Each asks first.

Each call reads the live notebook from the page *before* its card shows, to preview the
change (the new cell, old against new source, or the code about to run); the page applies it
only after Approve, through its notebook model (:mod:`.desk`). A rejected call changes
nothing, and the model hears the reason. Running a cell is its own decision: the code runs in
the kernel, its outputs go into the cell, and (bounded) back to the model.
"""

from __future__ import annotations

import uuid
from typing import Any

from ...core.errors import OrchError
from ...core.messages import ContentPart, ToolResult
from ...core.tools import ToolArgumentError, ToolPreview
from .cells import cell_from_json
from .desk import EditDesk, Plan, applied, edit_spec, label_of, language_of, source_argument
from .read_tools import CELL_ARGUMENT, cell_reference, no_extra
from .render import Limits, cell_detail

RUN_LIMITS = Limits(source=0, output=4_000, error=3_000, images=2)
"""What the model reads of a cell it ran."""


class InsertCell:
    """``insert_cell``: a new code or Markdown cell at a position."""

    def __init__(self, desk: EditDesk) -> None:
        self.desk = desk
        self.spec = edit_spec(
            "insert_cell",
            "Insert a new cell into the user's notebook (the user sees it and approves). "
            "It becomes the cell at `position` (from 1; default: at the end).",
            {
                "source": {"type": "string", "description": "The new cell's text."},
                "cell_type": {"type": "string", "enum": ["code", "markdown"]},
                "position": {"type": "integer", "minimum": 1},
            },
            ["source"],
        )

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Check the source, the type (``code`` by default) and the position."""
        no_extra(arguments, ("source", "cell_type", "position"))
        kind = arguments.get("cell_type") or "code"
        if kind not in ("code", "markdown"):
            raise ToolArgumentError("'cell_type' is 'code' or 'markdown'")
        position = arguments.get("position")
        if position is not None and (not isinstance(position, int) or position < 1):
            raise ToolArgumentError("'position' is a number from 1")
        checked = {"source": source_argument(arguments), "cell_type": kind}
        return checked if position is None else {**checked, "position": position}

    async def preview(self, arguments: dict[str, Any]) -> ToolPreview:
        """Show the new cell, and where it goes."""
        cells = (await self.desk.snapshot()).cells
        position = arguments.get("position") or len(cells) + 1
        if position > len(cells) + 1:
            raise ToolArgumentError(
                f"position {position}: the notebook has {len(cells)} cells, so a new cell goes "
                f"at 1 to {len(cells) + 1}"
            )
        kind, source = arguments["cell_type"], arguments["source"]
        where = (
            "at the end" if position == len(cells) + 1 else f"before the current cell {position}"
        )
        params = {
            "op": "insert",
            "index": position - 1,
            "after": cells[position - 2].id if position > 1 else None,
            "cell_type": kind,
            "source": source,
            "id": uuid.uuid4().hex,
        }
        self.desk.plan(Plan(params, f"cell {position}"))
        title = f"Insert a new {kind} cell at position {position} ({where})"
        return ToolPreview(title, None, source, language_of(kind))

    async def call(self, arguments: dict[str, Any]) -> ToolResult:
        """Have the page insert the cell."""
        done = await applied(self.desk)
        if isinstance(done, ToolResult):
            return done
        plan, answer = done
        at = answer.get("index", plan.params["index"])
        position = at + 1 if isinstance(at, int) else plan.params["index"] + 1
        return ToolResult(
            f"Inserted a {plan.params['cell_type']} cell at position {position} "
            f"(id {answer.get('id', plan.params['id'])})."
        )


class ReplaceCell:
    """``replace_cell``: a cell's new source, shown as a diff of old against new."""

    def __init__(self, desk: EditDesk) -> None:
        self.desk = desk
        self.spec = edit_spec(
            "replace_cell",
            "Replace the source of one cell of the user's notebook with a new text (the user "
            "sees the change as a diff and approves). It does not run the cell.",
            {"cell": CELL_ARGUMENT, "source": {"type": "string", "description": "The new text."}},
            ["cell", "source"],
        )

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Check the cell reference and the new source."""
        no_extra(arguments, ("cell", "source"))
        return {"cell": cell_reference(arguments), "source": source_argument(arguments)}

    async def preview(self, arguments: dict[str, Any]) -> ToolPreview:
        """Show the cell's source now against the new one."""
        cell = await self.desk.cell(arguments["cell"])
        new = arguments["source"]
        if cell.source == new:
            raise ToolArgumentError(f"{label_of(cell)} already has exactly this source")
        params = {"op": "replace", "id": cell.id, "old": cell.source, "source": new}
        self.desk.plan(Plan(params, label_of(cell)))
        title = f"Replace the source of {label_of(cell)}"
        return ToolPreview(title, cell.source, new, language_of(cell.type))

    async def call(self, arguments: dict[str, Any]) -> ToolResult:
        """Have the page replace the source (merged with the user's typing, if any)."""
        done = await applied(self.desk)
        if isinstance(done, ToolResult):
            return done
        plan, answer = done
        merged = (
            " (merged with what the user typed in it meanwhile)" if answer.get("merged") else ""
        )
        return ToolResult(f"Replaced the source of {plan.label}{merged}. It has not run.")


class DeleteCell:
    """``delete_cell``: remove a cell."""

    def __init__(self, desk: EditDesk) -> None:
        self.desk = desk
        self.spec = edit_spec(
            "delete_cell",
            "Delete one cell of the user's notebook (the user sees it and approves).",
            {"cell": CELL_ARGUMENT},
            ["cell"],
        )

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Check the cell reference."""
        no_extra(arguments, ("cell",))
        return {"cell": cell_reference(arguments)}

    async def preview(self, arguments: dict[str, Any]) -> ToolPreview:
        """Show the cell that goes."""
        cell = await self.desk.cell(arguments["cell"])
        self.desk.plan(Plan({"op": "delete", "id": cell.id, "old": cell.source}, label_of(cell)))
        return ToolPreview(f"Delete {label_of(cell)}", cell.source, None, language_of(cell.type))

    async def call(self, arguments: dict[str, Any]) -> ToolResult:
        """Have the page delete the cell."""
        done = await applied(self.desk)
        if isinstance(done, ToolResult):
            return done
        return ToolResult(f"Deleted {done[0].label}.")


class RunCell:
    """``run_cell``: run a code cell in the kernel; its outputs go into the cell and back."""

    def __init__(self, desk: EditDesk) -> None:
        self.desk = desk
        self.spec = edit_spec(
            "run_cell",
            "Run one code cell of the user's notebook in its kernel (the user sees the code "
            "and approves each run). Its outputs show in the cell and come back to you.",
            {"cell": CELL_ARGUMENT},
            ["cell"],
        )

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Check the cell reference."""
        no_extra(arguments, ("cell",))
        return {"cell": cell_reference(arguments)}

    async def preview(self, arguments: dict[str, Any]) -> ToolPreview:
        """Show the code that will run."""
        cell = await self.desk.cell(arguments["cell"])
        if cell.type != "code":
            raise ToolArgumentError(f"{label_of(cell)} is not a code cell: it cannot run")
        if cell.is_chat:
            raise ToolArgumentError(f"{label_of(cell)} is a %%chat cell: the chat does not run it")
        self.desk.plan(Plan({"op": "outputs", "id": cell.id}, label_of(cell), cell.source))
        title = f"Run {label_of(cell)} in the kernel; its output goes back to the model"
        return ToolPreview(title, cell.source, cell.source)

    async def call(self, arguments: dict[str, Any]) -> ToolResult:
        """Run the approved code, put its outputs in the cell, and return them bounded."""
        plan = self.desk.take()
        if plan is None or self.desk.run is None:
            return ToolResult.error("this run was not shown to the user first: nothing ran")
        try:
            now = await self.desk.cell(plan.params["id"])
        except ToolArgumentError as exc:
            return ToolResult.error(f"{exc}; nothing ran")
        if now.source != plan.source:
            return ToolResult.error(
                f"{plan.label} changed after the approval: nothing ran (ask again to run it)"
            )
        outputs = await self.desk.run(plan.source)
        note = ""
        try:
            await self.desk.apply({**plan.params, "outputs": outputs})
        except OrchError as exc:
            note = f"\n(its outputs could not be put in the cell: {exc})"
        return _ran(plan.label, outputs, note)


def _ran(label: str, outputs: list[dict[str, Any]], note: str) -> ToolResult:
    cell = cell_from_json(1, {"cell_type": "code", "source": "", "outputs": outputs})
    text, images = cell_detail(cell, images=True, limits=RUN_LIMITS)
    shown = "\n".join(text.splitlines()[2:]) or "(no output)"
    failed = cell.error is not None
    head = f"Ran {label}; it raised an error:" if failed else f"Ran {label}. Its output:"
    body = f"{head}\n{shown}{note}"
    if not images:
        return ToolResult(body, is_error=failed)
    parts: list[ContentPart] = [{"type": "text", "text": body}, *images]
    return ToolResult(parts, is_error=failed)


def edit_tools(desk: EditDesk) -> list[InsertCell | ReplaceCell | DeleteCell | RunCell]:
    """Return the four edit tools over ``desk``."""
    return [InsertCell(desk), ReplaceCell(desk), DeleteCell(desk), RunCell(desk)]
