"""Which notebook tools are offered, and why the others are not.

The read tools are offered when a page offers ``notebook.read`` or the saved notebook is
known; the edit tools only when a page offers ``notebook.edit`` (the page applies edits
through its notebook model; nothing else can, safely, while the user works in it). During a
replay, the tools the recording offered are offered too: their results come from the
recording, so nothing is re-read or re-applied.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from ...core.policy import PolicyTable
from ...core.tools import Tool, ToolRegistry
from .reader import NotebookReader
from .sources import EDIT

NO_EDIT = (
    "not offered: no JupyterLab or Notebook 7 page with the jupyter-orch extension is "
    "connected to this kernel (VS Code, nbclient, papermill and terminals cannot apply "
    "edits to the notebook)"
)
NO_READ = (
    "not offered: no page shows this notebook and the kernel does not know its saved file "
    "(give a headless kernel JPY_SESSION_NAME=path/to/notebook.ipynb)"
)


@dataclass
class NotebookTools:
    """Keeps the notebook tools in the registry while they can work.

    Parameters
    ----------
    registry, policy
        The session's tools and policy table.
    reader
        Where the read tools read (it also says whether any page or file is there).
    read_tools, edit_tools
        The tools of each kind.
    always_ask
        Names of tools that ask before every call (running a cell): set as per-tool ``ask``.
    replayed
        Returns the names the recording being replayed offered (empty when none).
    """

    registry: ToolRegistry
    policy: PolicyTable
    reader: NotebookReader
    read_tools: Sequence[Tool]
    edit_tools: Sequence[Tool] = ()
    always_ask: Collection[str] = ()
    replayed: Callable[[], Collection[str]] = lambda: ()
    _offered: set[str] = field(default_factory=set)

    def sync(self) -> None:
        """Add the tools that can work now; remove the others (never a user's own tool)."""
        mode = self.reader.mode()
        bridge = self.reader.bridge()
        editing = bridge is not None and bridge.offers(EDIT)
        replayed = set(self.replayed())
        wanted = [t for t in self.read_tools if mode is not None or t.spec.name in replayed]
        wanted += [t for t in self.edit_tools if editing or t.spec.name in replayed]
        # A tool of the user's under the same name is theirs: ours stays out of its way.
        wanted = [t for t in wanted if self.registry.get(t.spec.name) in (None, t)]
        names = {t.spec.name for t in wanted}
        self._remove(self._offered - names)
        for tool in wanted:
            self.registry.add(tool)
            if tool.spec.name in self.always_ask and tool.spec.name not in self.policy.per_tool:
                self.policy.per_tool[tool.spec.name] = "ask"
        self._offered = names

    def _remove(self, names: Collection[str]) -> None:
        ours = {t.spec.name: t for t in (*self.read_tools, *self.edit_tools)}
        for name in names:
            if self.registry.get(name) is ours.get(name):
                self.registry.remove(name)

    def remove_all(self) -> None:
        """Take every notebook tool out of the registry (the extension unloads)."""
        self._remove(self._offered)
        self._offered = set()

    def notes(self) -> list[str]:
        """Say, for ``%chat tools``, which notebook tools are not offered and why."""
        self.sync()
        out = []
        missing_read = [t.spec.name for t in self.read_tools if t.spec.name not in self._offered]
        missing_edit = [t.spec.name for t in self.edit_tools if t.spec.name not in self._offered]
        if missing_read:
            out.append(f"notebook read tools ({', '.join(missing_read)}): {NO_READ}")
        if missing_edit:
            out.append(f"notebook edit tools ({', '.join(missing_edit)}): {NO_EDIT}")
        mode = self.reader.mode()
        if mode == "disk" and not missing_read:
            path = self.reader.saved_path()
            out.append(f"notebook read tools read the saved copy on disk ({path})")
        return out
