"""Transcripts in the kernel: the recorder and replay wired in, and ``%chat export/replay/fork``.

:func:`install` (called by ``%load_ext``) adds two turn hooks: one that keeps a replay in step
with the turn being run, and the recorder, whose record joins the cell's final bundle and the
JSONL store. The subcommands are thin: the work is in :mod:`jupyter_orch.transcript`.
"""

from __future__ import annotations

import argparse
import platform
import sys
import uuid
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from .._version import __version__
from ..core.approval import Approver
from ..core.errors import OrchError, UsageError
from ..core.events import Event
from ..core.provider import Provider
from ..core.redaction import Redactor
from ..core.request import ChatRequest
from ..transcript.fork import fork_thread, turn_index
from .subcommands import subcommand

if TYPE_CHECKING:
    # pydantic costs ~0.3 s to import: the record modules load with the first turn, not at
    # %load_ext.
    from ..transcript.record import TurnRecord, Versions
    from ..transcript.recorder import TranscriptLog, TurnRecorder
    from ..transcript.replay import Replay
    from ..transcript.store import TranscriptStore
    from .extension import Extension


class Transcripts:
    """The transcript state of one loaded extension.

    Parameters
    ----------
    ext
        The extension.
    """

    def __init__(self, ext: Extension) -> None:
        self.ext = ext
        self.session_id = uuid.uuid4().hex[:12]
        self._log: TranscriptLog | None = None
        self.replay: Replay | None = None
        self._versions: Versions | None = None
        self._store: TranscriptStore | None = None
        self._warned = False
        self._saved_provider: Provider | None = None
        self._turn: tuple[ChatRequest, Redactor] | None = None

    @property
    def log(self) -> TranscriptLog:
        """Return the records of this kernel session, latest per turn."""
        if self._log is None:
            from ..transcript.recorder import TranscriptLog

            self._log = TranscriptLog()
        return self._log

    def redactor(self, request: ChatRequest | None = None) -> Redactor:
        """Return the redactor of ``request``'s turn (one per turn, shared by all its users)."""
        if request is None:
            return self._turn[1] if self._turn is not None else self._fresh(self.ext.config.params)
        if self._turn is None or self._turn[0] is not request:
            self._turn = (request, self._fresh(request.params))
        return self._turn[1]

    def store(self) -> TranscriptStore | None:
        """Return the store of the running notebook (``None`` when recording is off)."""
        from ..transcript.store import TranscriptStore, notebook_path, store_path

        config = self.ext.config
        if not config.record_transcripts:
            return None
        path = store_path(config.transcript_path, notebook_path(self.ext.shell.user_ns))
        if self._store is None or self._store.path != path:
            self.close()
            self._store = TranscriptStore(path)
        if self._store.error is not None:
            if not self._warned:
                self._warned = True
                print(f"jupyter-orch: transcripts not stored: {self._store.error}", file=sys.stderr)
            return None
        return self._store

    def recorder(self, ext: Extension, request: ChatRequest) -> TurnRecorder:
        """Turn-hook factory: the recorder of one turn."""
        from ..transcript.recorder import RecorderSettings, TurnRecorder

        if self._versions is None:
            self._versions = _versions()
        registry = ext.session.registry
        settings = RecorderSettings(
            session=self.session_id,
            redactor=self.redactor(request),
            versions=self._versions,
            store=self.store(),
            log=self.log,
            execution_count=getattr(ext.shell, "execution_count", None),
            tool_source=lambda name: _source(registry.get(name)),
            server_version=lambda source: _server_version(registry, source),
            replay=self.replay.source if self.replay is not None else None,
        )
        return TurnRecorder(request, settings)

    def replay_hook(self, ext: Extension, request: ChatRequest) -> _ReplayHook:
        """Turn-hook factory: keeps the replay (if any) on the turn about to run."""
        if self.replay is not None:
            count = getattr(ext.shell, "execution_count", None)
            self.replay.begin_turn(request.thread, request.cell_id, count, ext.session.registry)
        return _ReplayHook(self.replay)

    def wrap_approver(self, approver: Approver) -> Approver:
        """Replay recorded decisions while a replay is on."""
        return self.replay.approver(approver) if self.replay is not None else approver

    def start_replay(self, path: str) -> Replay:
        """Answer from the recording at ``path`` from now on."""
        from ..transcript.replay import Recording, Replay, ReplaySettings

        recording = Recording.load(Path(path).expanduser())
        config = self.ext.config
        settings = ReplaySettings(
            live=config.replay_live, mcp=config.replay_mcp, notebook=config.replay_notebook_tools
        )
        self.stop_replay()
        replay = Replay(recording, settings, redactor=self.redactor)
        self._saved_provider = self.ext.provider
        self.ext.provider = replay.provider(self._live_provider)
        self.replay = replay
        return replay

    def stop_replay(self) -> None:
        """Go back to live model calls."""
        if self.replay is None:
            return
        self.replay.end_turn()
        self.ext.provider = self._saved_provider
        self.replay, self._saved_provider = None, None

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

    def _live_provider(self) -> Provider:
        if self._saved_provider is not None:
            return self._saved_provider
        from ..providers.litellm import LiteLLMProvider

        config = self.ext.config
        return LiteLLMProvider(
            max_retries=config.max_retries,
            retry_backoff=config.retry_backoff,
            timeout=config.timeout,
        )

    def _fresh(self, params: dict[str, Any]) -> Redactor:
        return Redactor.build(self.ext.config.redact_patterns, params=params)

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


class _ReplayHook:
    """Puts the live tools back when the turn ends."""

    def __init__(self, replay: Replay | None) -> None:
        self.replay = replay

    def event(self, event: Event) -> None:
        """Nothing to do per event."""

    def end(self, interrupted: bool) -> dict[str, Any]:
        """End the replayed turn."""
        if self.replay is not None:
            self.replay.end_turn()
        return {}


def install(ext: Extension) -> Transcripts:
    """Wire transcripts into ``ext``: recorder, replay hooks, approver wrapper, settings."""
    state = Transcripts(ext)
    ext.transcripts = state  # type: ignore[attr-defined]  # the extension carries adapters' state
    ext.turn_hooks.append(state.replay_hook)
    ext.turn_hooks.append(state.recorder)
    ext.approver_wrappers.append(state.wrap_approver)
    ext.config.observe(state._on_replay_setting, "replay")
    ext.session.on_close(now=state.close)
    if ext.config.replay:
        state._on_replay_setting({"new": ext.config.replay})
    return state


def turn_redactor(ext: Extension, request: ChatRequest) -> Redactor:
    """Return the redactor of ``request``'s turn (a fresh one when transcripts are not wired)."""
    state: Transcripts | None = getattr(ext, "transcripts", None)
    if state is not None:
        return state.redactor(request)
    return Redactor.build(ext.config.redact_patterns, params=request.params)


def _state(ext: Extension) -> Transcripts:
    state: Transcripts | None = getattr(ext, "transcripts", None)
    if state is None:
        raise UsageError("transcripts are not set up in this kernel (reload jupyter_orch)")
    return state


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one-line :class:`UsageError` s."""

    def error(self, message: str) -> NoReturn:
        """Raise instead of printing and exiting."""
        raise UsageError(f"{self.prog}: {message}; {self.format_usage().strip()}")


def _parser(prog: str) -> _Parser:
    return _Parser(prog=f"%chat {prog}", add_help=False)


def _parse(parser: _Parser, args: list[str]) -> argparse.Namespace:
    return parser.parse_args(args)


@subcommand("export")
def _export(ext: Extension, args: list[str]) -> None:
    parser = _parser("export")
    parser.add_argument("path")
    parser.add_argument("--thread")
    parser.add_argument("--format", choices=["md", "json", "html"])
    parser.add_argument("--session", action="store_true")
    ns = _parse(parser, args)
    from ..transcript.export import format_for, render, select
    from ..transcript.store import notebook_path

    state = _state(ext)
    path = Path(ns.path).expanduser()
    fmt = format_for(path, ns.format)
    records = select(state.records(session_only=ns.session), ns.thread)
    if not records:
        raise UsageError("no %%chat turns to export yet")
    notebook = notebook_path(ext.shell.user_ns)
    title = notebook.name if notebook is not None else "jupyter-orch session"
    try:
        path.write_text(render(records, fmt, title), encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    print(f"exported {len(records)} turns to {path} ({fmt})")


@subcommand("replay")
def _replay(ext: Extension, args: list[str]) -> None:
    state = _state(ext)
    if not args:
        if state.replay is None:
            print("replay: off (%chat replay PATH answers from a recording)")
        else:
            served = state.replay.calls_served
            print(f"replay: on, from {state.replay.source} ({served} model calls served)")
        return
    if len(args) != 1:
        raise UsageError("%chat replay PATH | off")
    if args[0] == "off":
        ext.config.replay = ""
        state.stop_replay()
        print("replay: off")
        return
    replay = state.start_replay(args[0])
    ext.config.replay = replay.source
    turns = len(replay.recording.records)
    print(f"replay: on, from {replay.source} ({turns} recorded turns)")


@subcommand("fork")
def _fork(ext: Extension, args: list[str]) -> None:
    parser = _parser("fork")
    parser.add_argument("name")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--from-cell", dest="cell")
    where.add_argument("--turn", type=int)
    ns = _parse(parser, args)
    session = ext.session
    source = session.thread()
    existing = session.threads.get(ns.name)
    if existing is not None and existing.turns:
        raise UsageError(f"thread {ns.name!r} already exists; pick a new name")
    upto = turn_index(source, cell_id=ns.cell, number=ns.turn)
    session.threads[ns.name] = fork_thread(source, ns.name, upto)
    session.current_thread = ns.name
    print(
        f"forked thread {source.name!r} (turns 1-{upto + 1}) into {ns.name!r}; "
        "it is now the current thread"
    )


def _source(tool: Any) -> str | None:
    return str(tool.spec.source) if tool is not None else None


def _server_version(registry: Any, source: str) -> str | None:
    for tool in registry:
        server = getattr(tool, "server", None)
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
