"""``%chat export``, ``replay`` and ``fork``: thin over :mod:`jupyter_orch.transcript`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import UsageError
from ..transcript.fork import fork_thread, turn_index
from .command_table import ArgParser, Command

if TYPE_CHECKING:
    from .extension import Extension


def _export(ext: Extension, ns: argparse.Namespace) -> None:
    from ..transcript.export import format_for, render, select
    from ..transcript.store import notebook_path

    path = Path(ns.path).expanduser()
    fmt = format_for(path, ns.format)
    records = select(ext.transcripts.records(session_only=ns.session), ns.thread)
    if not records:
        raise UsageError("no %%chat turns to export yet")
    notebook = notebook_path(ext.shell.user_ns)
    title = notebook.name if notebook is not None else "jupyter-orch session"
    try:
        path.write_text(render(records, fmt, title), encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    print(f"exported {len(records)} turns to {path} ({fmt})")


def _replay(ext: Extension, ns: argparse.Namespace) -> None:
    transcripts = ext.transcripts
    if ns.path is None:
        if transcripts.replay is None:
            print("replay: off (%chat replay PATH answers from a recording)")
        else:
            served = transcripts.replay.calls_served
            print(f"replay: on, from {transcripts.replay.source} ({served} model calls served)")
        return
    if ns.path == "off":
        ext.config.replay = ""
        transcripts.stop_replay()
        print("replay: off")
        return
    replay = transcripts.start_replay(ns.path)
    ext.config.replay = replay.source
    turns = len(replay.recording.records)
    print(f"replay: on, from {replay.source} ({turns} recorded turns)")


def _fork(ext: Extension, ns: argparse.Namespace) -> None:
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


def _args_export(p: ArgParser) -> None:
    p.add_argument("path", metavar="PATH")
    p.add_argument("--thread")
    p.add_argument("--format", choices=["md", "json", "html"])
    p.add_argument("--session", action="store_true", help="only this kernel session's turns")


def _args_replay(p: ArgParser) -> None:
    p.add_argument("path", nargs="?", metavar="PATH|off")


def _args_fork(p: ArgParser) -> None:
    p.add_argument("name")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--from-cell", dest="cell", metavar="ID")
    where.add_argument("--turn", type=int, metavar="N")


TRANSCRIPT_COMMANDS = [
    Command("export", "write the chat transcript (this notebook's store)", _export, _args_export),
    Command(
        "replay",
        "answer from a recording (a JSONL store or an .ipynb), or off",
        _replay,
        _args_replay,
    ),
    Command("fork", "branch the current thread into NEW (up to that turn)", _fork, _args_fork),
]
