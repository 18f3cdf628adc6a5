"""The read-only notebook tools: list the cells, read one cell, list the variables.

Their policy is ``auto``: they only read. Cells come from the page (live) or from the saved
file (and the answer says it is the saved copy); the variables from the kernel's namespace,
by name, type and shape only.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from ...core.errors import OrchError
from ...core.messages import ContentPart, ToolResult
from ...core.tools import ToolArgumentError, ToolSpec
from .reader import NotebookReader, redacted
from .render import cell_detail, cell_list
from .variables import variables_text

SOURCE = "notebook-read"
CELL_ARGUMENT = {
    "type": "string",
    "description": "The cell: its id (from list_cells), or its position from 1, like '3'.",
}


def cell_reference(arguments: dict[str, Any], name: str = "cell") -> str:
    """Return the ``cell`` argument as text; raise :class:`ToolArgumentError` when missing."""
    value = arguments.get(name)
    if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value).strip() == "":
        raise ToolArgumentError(f"{name!r} is required: a cell id, or a position from 1")
    return str(value).strip()


def no_extra(arguments: dict[str, Any], allowed: Collection[str]) -> None:
    """Raise :class:`ToolArgumentError` for arguments the tool does not take."""
    extra = sorted(set(arguments) - set(allowed))
    if extra:
        raise ToolArgumentError(f"unexpected argument(s): {', '.join(extra)}")


class ListCells:
    """``list_cells``: every cell in one line (position, id, type, run state, error)."""

    def __init__(self, reader: NotebookReader) -> None:
        self.reader = reader
        self.spec = ToolSpec(
            name="list_cells",
            description=(
                "List the cells of the user's notebook, one line each: position (from 1), "
                "id, type, run state (In [n], not run, running), whether it raised an error, "
                "first line."
            ),
            parameters={"type": "object", "properties": {}, "additionalProperties": False},
            source=SOURCE,
            default_policy="auto",
        )

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Accept no arguments."""
        no_extra(arguments, ())
        return {}

    async def call(self, arguments: dict[str, Any]) -> ToolResult:
        """Return the list of cells."""
        try:
            snapshot = await self.reader.snapshot(images=False)
        except OrchError as exc:
            return ToolResult.error(str(exc))
        return ToolResult(redacted(cell_list(snapshot)))


class ReadCell:
    """``read_cell``: one cell with its source and outputs; images as image parts."""

    def __init__(self, reader: NotebookReader) -> None:
        self.reader = reader
        self.spec = ToolSpec(
            name="read_cell",
            description=(
                "Read one cell of the user's notebook: its source, its outputs (printed text, "
                "results, errors with tracebacks) and the images it shows."
            ),
            parameters={
                "type": "object",
                "properties": {"cell": CELL_ARGUMENT},
                "required": ["cell"],
                "additionalProperties": False,
            },
            source=SOURCE,
            default_policy="auto",
        )

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Check that ``cell`` names a cell (an id or a position)."""
        no_extra(arguments, ("cell",))
        return {"cell": cell_reference(arguments)}

    async def call(self, arguments: dict[str, Any]) -> ToolResult:
        """Return the cell's text, and its images as image parts."""
        try:
            snapshot = await self.reader.snapshot(images=True)
        except OrchError as exc:
            return ToolResult.error(str(exc))
        cell = snapshot.find(arguments["cell"])
        if cell is None:
            return ToolResult.error(
                f"no cell {arguments['cell']!r}: the notebook has {len(snapshot.cells)} cells "
                "(positions from 1, or the ids list_cells shows)"
            )
        text, images = cell_detail(cell, images=True)
        where = f"From the notebook {snapshot.where()}.\n"
        body = redacted(where + text)
        if not images:
            return ToolResult(body)
        parts: list[ContentPart] = [{"type": "text", "text": body}, *images]
        return ToolResult(parts)


class NotebookVariables:
    """``notebook_variables``: the user's variables by name, type and shape, no values."""

    def __init__(self, namespace: Mapping[str, Any], hidden: Callable[[], Collection[str]]) -> None:
        self.namespace = namespace
        self.hidden = hidden
        self.spec = ToolSpec(
            name="notebook_variables",
            description=(
                "List the variables defined in the user's notebook by name, type and shape "
                "(DataFrame columns and dtypes, array shapes, lengths), without their values."
            ),
            parameters={"type": "object", "properties": {}, "additionalProperties": False},
            source=SOURCE,
            default_policy="auto",
        )

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Accept no arguments."""
        no_extra(arguments, ())
        return {}

    async def call(self, arguments: dict[str, Any]) -> ToolResult:
        """Return the list of variables."""
        return ToolResult(variables_text(self.namespace, self.hidden()))
