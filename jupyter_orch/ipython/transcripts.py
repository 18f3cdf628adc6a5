"""Transcripts in the kernel: the recorder of every turn, the store, and replay.

:class:`Transcripts` is owned by the loaded extension. The turn runner asks it, for each turn,
for a recorder (a turn hook, whose record joins the cell's final bundle and the JSONL store)
and, while a replay is on, for the turn's replay (a wrapper of that one turn). The work is in
:mod:`jupyter_orch.transcript`; the ``%chat export/replay/fork/compact`` commands are in
:mod:`jupyter_orch.ipython.transcript_commands`.
"""

from __future__ import annotations

import platform
import sys
import uuid
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._version import __version__
from ..core.errors import OrchError
from ..core.tools import ToolRegistry
from ..session import Session
from ..turns import TurnStart

if TYPE_CHECKING:
    # pydantic costs ~0.3 s to import: the record modules load with the first turn, not at
    # %load_ext.
    from ..transcript.record import TurnRecord, Versions
    from ..transcript.recorder import TranscriptLog, TurnRecorder
    from ..transcript.replay import Replay, ReplayTurn
    from ..transcript.store import TranscriptStore
    from .config import JupyterOrch


class Transcripts:
    """The transcript state of one loaded extension.

    Parameters
    ----------
    config
        The settings (``record_transcripts``, ``transcript_path``, ``replay...``).
    session
        The session whose tools the records name.
    namespace
        The user's namespace (it says which notebook runs).
    """

    def __init__(self, config: JupyterOrch, session: Session, namespace: dict[str, Any]) -> None:
        self.config = config
        self.session = session
        self.namespace = namespace
        self.session_id = uuid.uuid4().hex[:12]
        self.replay: Replay | None = None
        self._log: TranscriptLog | None = None
        self._versions: Versions | None = None
        self._store: TranscriptStore | None = None
        self._warned = False

    def install(self) -> None:
        """Follow the ``replay`` setting and close the store with the session."""
        config = self.config
        config.observe(self._on_replay_setting, "replay")
        self.session.on_close(now=self.close)
        if config.replay:
            self._on_replay_setting({"new": config.replay})

    @property
    def log(self) -> TranscriptLog:
        """Return the records of this kernel session, latest per turn."""
        if self._log is None:
            from ..transcript.recorder import TranscriptLog

            self._log = TranscriptLog()
        return self._log

    def store(self) -> TranscriptStore | None:
        """Return the store of the running notebook (``None`` when recording is off)."""
        from ..transcript.store import TranscriptStore, notebook_path, store_path

        config = self.config
        if not config.record_transcripts:
            return None
        path = store_path(config.transcript_path, notebook_path(self.namespace))
        if self._store is None or self._store.path != path:
            self.close()
            self._store = TranscriptStore(path)
        if self._store.error is not None:
            if not self._warned:
                self._warned = True
                print(f"jupyter-orch: transcripts not stored: {self._store.error}", file=sys.stderr)
            return None
        return self._store

    def recorder(self, start: TurnStart) -> TurnRecorder:
        """Turn-hook factory: the recorder of one turn."""
        from ..transcript.recorder import RecorderSettings, TurnRecorder

        if self._versions is None:
            self._versions = _versions()
        registry = self.session.registry
        settings = RecorderSettings(
            session=self.session_id,
            redactor=start.redactor,
            versions=self._versions,
            store=self.store(),
            log=self.log,
            execution_count=start.plan.input.execution_count,
            tool_source=lambda name: _source(registry, name),
            server_version=lambda source: _server_version(registry, source),
            replay=self.replay.source if self.replay is not None else None,
        )
        return TurnRecorder(start.request, settings)

    def replay_turn(self, start: TurnStart) -> ReplayTurn | None:
        """Return the replay of one turn while a replay is on (a wrapper factory)."""
        if self.replay is None:
            return None
        request = start.request
        return self.replay.turn(
            request.thread, request.cell_id, start.plan.input.execution_count, start.redactor
        )

    def start_replay(self, path: str) -> Replay:
        """Answer from the recording at ``path`` from now on."""
        from ..transcript.replay import Recording, Replay, ReplaySettings

        recording = Recording.load(Path(path).expanduser())
        config = self.config
        settings = ReplaySettings(
            live=config.replay_live, mcp=config.replay_mcp, notebook=config.replay_notebook_tools
        )
        self.replay = Replay(recording, settings)
        return self.replay

    def stop_replay(self) -> None:
        """Go back to live model calls."""
        self.replay = None

    def records(self, *, session_only: bool) -> list[TurnRecord]:
        """Return the turns to export: the store's (all of this notebook's) or this session's."""
        from ..transcript.store import read_store

        store = self.store()
        if session_only or store is None or not store.path.exists():
            return self.log.records()
        return read_store(store.path, live_session=self.session_id)

    def close(self) -> None:
        """Close the store's file."""
        if self._store is not None:
            self._store.close()

    def _on_replay_setting(self, change: dict[str, Any]) -> None:
        new = str(change["new"] or "")
        if self.replay is not None and new == self.replay.source:
            return
        if not new:
            self.stop_replay()
            return
        try:
            self.start_replay(new)
        except OrchError as exc:
            print(f"jupyter-orch: replay not started: {exc}", file=sys.stderr)


def _source(registry: ToolRegistry, name: str) -> str | None:
    tool = registry.get(name)
    return tool.spec.source if tool is not None else None


def _server_version(registry: ToolRegistry, source: str) -> str | None:
    for tool in registry:
        server = getattr(tool, "server", None)  # an MCP tool knows its server
        if tool.spec.source == source and server is not None:
            words = [getattr(server, "server_name", None), getattr(server, "server_version", None)]
            return " ".join(str(w) for w in words if w) or None
    return None


def _versions() -> Versions:
    from ..transcript.record import Versions

    try:
        litellm: str | None = metadata.version("litellm")
    except metadata.PackageNotFoundError:
        litellm = None
    return Versions(jupyter_orch=__version__, litellm=litellm, python=platform.python_version())
