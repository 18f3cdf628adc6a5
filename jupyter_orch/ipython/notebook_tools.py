"""The notebook tools of one loaded extension, made at first use.

Read and edit tools over the page, the saved file and the kernel that runs cells.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from ..tools.notebook.desk import EditDesk
from ..tools.notebook.edit_tools import edit_tools
from ..tools.notebook.offer import NotebookTools
from ..tools.notebook.read_tools import ListCells, NotebookVariables, ReadCell
from ..tools.notebook.reader import NotebookReader
from .cell_runner import CellRunner
from .references import ErrorLog


def notebook_tools(
    ext: Any, errors: ErrorLog, replayed: Callable[[], Collection[str]]
) -> NotebookTools:
    """Return the notebook tools of ``ext`` (a loaded extension), not yet offered.

    Parameters
    ----------
    ext
        The loaded extension: its shell, bridge, session and running cell.
    errors
        The kernel's errors (tracebacks of a cell the chat runs name the cells).
    replayed
        Returns the tool names of the recording being replayed.
    """
    namespace = ext.shell.user_ns
    reader = NotebookReader(lambda: ext.bridge, namespace, lambda: ext.cell_id)
    hidden = getattr(ext.shell, "user_ns_hidden", {})
    runner = CellRunner(ext.shell, errors)
    desk = EditDesk(reader, chat_cell=lambda: ext.cell_id, run=runner.run)
    return NotebookTools(
        ext.session.registry,
        ext.session.policy,
        reader,
        read_tools=[
            ListCells(reader),
            ReadCell(reader),
            NotebookVariables(namespace, lambda: hidden),
        ],
        edit_tools=edit_tools(desk),
        always_ask={"run_cell"},  # running code asks every time, as run_python does
        replayed=replayed,
    )
