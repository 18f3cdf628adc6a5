"""Reading the notebook for the tools: from the page when one offers it, else the saved file."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ...core.context import current_turn
from ...core.errors import OrchError
from .cells import Snapshot
from .sources import READ, PageBridge, notebook_file, page_notebook, saved_notebook

Mode = Literal["page", "disk"]


@dataclass
class NotebookReader:
    """Where the notebook tools read the cells.

    Parameters
    ----------
    bridge
        Returns the bridge to the pages (``None`` before it exists).
    namespace
        The notebook's namespace (it holds the kernel's session path).
    cell_id
        Returns the id of the running chat cell (it tells a page which notebook is meant).
    """

    bridge: Callable[[], PageBridge | None]
    namespace: Mapping[str, Any]
    cell_id: Callable[[], str | None] = lambda: None

    def page(self) -> PageBridge | None:
        """Return the bridge when a page offers ``notebook.read``."""
        bridge = self.bridge()
        return bridge if bridge is not None and bridge.offers(READ) else None

    def saved_path(self) -> Path | None:
        """Return the saved notebook's path when it is known and the file exists."""
        path = notebook_file(self.namespace)
        return path if path is not None and path.is_file() else None

    def mode(self) -> Mode | None:
        """Say where the cells would be read now (``None``: nowhere)."""
        if self.page() is not None:
            return "page"
        return "disk" if self.saved_path() is not None else None

    async def snapshot(self, *, images: bool = True) -> Snapshot:
        """Read the cells; a one-line :class:`OrchError` when there is nowhere to read."""
        page = self.page()
        if page is not None:
            return await page_notebook(page, cell_id=self.cell_id(), images=images)
        path = self.saved_path()
        if path is None:
            raise OrchError(
                "no page shows this notebook and its saved file is not known, so its cells "
                "cannot be read"
            )
        return saved_notebook(path)


def redacted(text: str) -> str:
    """Return ``text`` with secrets hidden as the running turn hides them.

    A notebook's cells may hold keys; they are not the user's message, so the model reads
    them redacted.
    """
    turn = current_turn()
    if turn is None:
        return text
    value = turn.redact(text)
    return value if isinstance(value, str) else text
