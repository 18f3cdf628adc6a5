"""Where the cells come from: the page (live), the saved ``.ipynb`` on disk, or the kernel.

With a JupyterLab / Notebook 7 page that offers ``notebook.read``, the cells are read from
the page's notebook model: what the user sees, unsaved changes included. Without one (VS
Code, nbclient, papermill), the saved copy on disk is read, found from the kernel's session
path, and every answer says so. Failing both, ``--context`` falls back to the kernel's own
history (the cells as they ran).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from ...core.errors import OrchError
from .cells import Cell, Output, Snapshot, cells_from_json

READ = "notebook.read"
EDIT = "notebook.edit"
PAGE_TIMEOUT = 10.0
MAX_NOTEBOOK_BYTES = 50_000_000
"""A saved notebook larger than this is not read (its outputs would not fit a prompt anyway)."""


class PageBridge(Protocol):
    """What the notebook tools use of :class:`~jupyter_orch.bridge.Bridge`."""

    def offers(self, capability: str) -> bool:
        """Whether a connected page offers ``capability``."""
        ...

    async def request(
        self, method: str, params: Any = None, *, capability: str | None = None, timeout: float
    ) -> Any:
        """Ask the newest page offering ``capability``; raise ``BridgeError`` on failure."""
        ...


def notebook_file(namespace: Mapping[str, Any]) -> Path | None:
    """Return the notebook's path as the kernel knows it (``None`` when it does not).

    JupyterLab starts the kernel with the notebook's path (ipykernel copies it into
    ``__session__``); VS Code sets ``__vsc_ipynb_file__``. nbclient and papermill set neither:
    start their kernel with ``JPY_SESSION_NAME=path/to/notebook.ipynb`` to give it.
    """
    vscode = namespace.get("__vsc_ipynb_file__")
    if isinstance(vscode, str) and vscode.endswith(".ipynb"):
        return Path(vscode)
    # The rule of jupyter_orch.transcript.store.notebook_path, without importing the store
    # (it loads pydantic, and this runs at %load_ext).
    value = namespace.get("__session__") or os.environ.get("JPY_SESSION_NAME") or ""
    if not isinstance(value, str) or not value.endswith(".ipynb"):
        return None
    path = Path(value).expanduser()
    return path if path.is_absolute() else Path.cwd() / path.name


def saved_notebook(path: Path) -> Snapshot:
    """Read the saved notebook at ``path``; a one-line :class:`OrchError` when it cannot."""
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            raise OrchError(f"the saved notebook {path} is too large to read ({size:,} bytes)")
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise OrchError(f"cannot read the saved notebook {path}: {exc.strerror}") from None
    except ValueError:
        raise OrchError(f"the saved notebook {path} is not valid JSON") from None
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        raise OrchError(f"the saved notebook {path} has no cells list")
    saved = datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M:%S")
    origin = f"the saved copy on disk, as saved at {saved}; unsaved changes are not in it"
    return Snapshot(cells_from_json(cells), origin, str(path))


async def page_notebook(
    bridge: PageBridge,
    *,
    cell_id: str | None = None,
    images: bool = True,
    span: tuple[int, int] | None = None,
) -> Snapshot:
    """Read the notebook from the page (its live model); raise ``BridgeError`` on failure."""
    params: dict[str, Any] = {
        "cell_id": cell_id,
        "outputs": True,
        "images": images,
        "max_output_chars": 20_000,
        "max_image_chars": 2_800_000,
    }
    if span is not None:
        params["cells"] = [span[0] - 1, span[1]]
    answer = await bridge.request(READ, params, capability=READ, timeout=PAGE_TIMEOUT)
    if not isinstance(answer, dict) or not isinstance(answer.get("cells"), list):
        raise OrchError("the page sent no cells")
    first = int(answer.get("first") or 0)
    cells = cells_from_json(answer["cells"])
    if first:
        cells = tuple(_moved(c, first) for c in cells)
    dirty = " (with unsaved changes)" if answer.get("dirty") else ""
    path = str(answer.get("path") or "")
    return Snapshot(cells, f"live from the page{dirty}", path, live=True)


def _moved(cell: Cell, first: int) -> Cell:
    return Cell(
        cell.index + first,
        cell.id,
        cell.type,
        cell.source,
        cell.execution_count,
        cell.running,
        cell.outputs,
    )


def kernel_history(
    inputs: Sequence[str], results: Mapping[int, str], errors: Mapping[int, str]
) -> Snapshot:
    """Return the cells as this kernel ran them (``In``), with results and errors, as text."""
    cells = []
    for count in range(1, len(inputs)):
        outputs = []
        if count in results:
            outputs.append(Output("result", results[count]))
        if count in errors:
            outputs.append(Output("error", errors[count]))
        cells.append(Cell(count, "", "code", str(inputs[count]), count, False, tuple(outputs)))
    origin = "this kernel's history: the cells in the order they ran, without Markdown cells"
    return Snapshot(tuple(cells), origin, os.environ.get("JPY_SESSION_NAME", ""))
