"""The JSONL transcript store: a turn's lines, appended as the turn happens.

A turn is written whole at each step that matters (start, each round, each tool decision and
result, the end); while text streams, only the new text is appended (a ``text`` line, at most
once a second), so the file grows with the answer, not with its square. Each line is one
``os.write`` on a file opened for appending: a kernel killed mid-turn leaves only complete
lines and loses nothing written before. Readers take the **last record of each turn key**
(plus the text lines after it), in the order the keys first appeared (a re-run cell replaces
its turn in place). A turn whose last line still says ``running`` was cut off by a dying
kernel; readers report it as ``interrupted``. :meth:`TranscriptStore.compact` rewrites the file
with one line per turn.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..core.errors import UsageError
from .record import MIME, TurnRecord, load_record

STORE_DIR = ".jupyter-orch"
DEFAULT_STEM = "transcript"
KILLED = "the kernel stopped before the turn ended"


def notebook_path(
    user_ns: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> Path | None:
    """Return the notebook's path when the frontend told the kernel (JupyterLab does).

    jupyter-server starts a notebook's kernel with ``JPY_SESSION_NAME`` set to the notebook's
    path, and ipykernel copies it into ``__session__``. nbclient and terminals set neither.
    """
    env = os.environ if environ is None else environ
    value = user_ns.get("__session__") or env.get("JPY_SESSION_NAME") or ""
    if not isinstance(value, str) or not value.endswith(".ipynb"):
        return None
    path = Path(value).expanduser()
    # A relative value is a server path, not relative to the kernel's folder: keep the name.
    return path if path.is_absolute() else Path.cwd() / path.name


def store_path(setting: str, notebook: Path | None, cwd: Path | None = None) -> Path:
    """Return where the store goes.

    Parameters
    ----------
    setting
        ``JupyterOrch.transcript_path``: empty for the default, a folder, or a ``.jsonl`` file.
    notebook
        The notebook's path, when known.
    cwd
        The folder used when the notebook is unknown (the kernel's working directory).
    """
    stem = notebook.stem if notebook is not None else DEFAULT_STEM
    if setting:
        path = Path(setting).expanduser()
        return path if path.suffix == ".jsonl" else path / f"{stem}.jsonl"
    folder = notebook.parent if notebook is not None else (cwd or Path.cwd())
    return folder / STORE_DIR / f"{stem}.jsonl"


class TranscriptStore:
    """Appends records to one JSONL file.

    Parameters
    ----------
    path
        The file; its folder is created on the first write.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self.writes = 0
        self.bytes = 0
        self.error: str | None = None
        """Why the store stopped writing (a full disk, no permission); ``None`` while it works."""

    def append(self, record: TurnRecord) -> None:
        """Write ``record`` as one line and hand it to the OS before returning.

        A failure to write never fails the turn: the store stops and says why in ``error``.
        """
        self._line((record.model_dump_json() + "\n").encode("utf-8"))

    def append_text(self, key: str, turn_id: str, text: str) -> None:
        """Append text streamed into the turn ``key`` since its last line."""
        data = {"kind": "text", "key": key, "id": turn_id, "text": text}
        self._line((json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8"))

    def compact(self, *, live_session: str | None = None) -> tuple[int, int]:
        """Rewrite the file with one line per turn; return its size before and after."""
        if not self.path.exists():
            return 0, 0
        before = self.path.stat().st_size
        records = read_store(self.path, live_session=live_session, mark_killed=False)
        self.close()  # the next append reopens the new file
        tmp = self.path.with_name(self.path.name + ".compacting")
        with open(tmp, "w", encoding="utf-8") as out:
            out.writelines(r.model_dump_json() + "\n" for r in records)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)
        return before, self.path.stat().st_size

    def _line(self, line: bytes) -> None:
        if self.error is not None:
            return
        try:
            fd = self._open()
            view = memoryview(line)
            while view:
                # One write per line normally; a short write (a full disk) continues the line.
                view = view[os.write(fd, view) :]
        except OSError as exc:
            self.error = f"cannot write the transcript store {self.path}: {exc.strerror}"
            self.close()
            return
        self.writes += 1
        self.bytes += len(line)

    def close(self) -> None:
        """Close the file (the next append reopens it)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _open(self) -> int:
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return self._fd


def latest(
    records: Iterable[TurnRecord], *, live_session: str | None = None, mark_killed: bool = True
) -> list[TurnRecord]:
    """Keep the last record of each key, in first-appearance order; dead turns -> interrupted."""
    by_key: dict[str, TurnRecord] = {}
    for record in records:
        by_key[record.key] = record
    out = []
    for record in by_key.values():
        if mark_killed and record.status == "running" and record.session != live_session:
            record = record.model_copy(
                update={"status": "interrupted", "stop": "killed", "error": KILLED}
            )
        out.append(record)
    return out


def read_store(
    path: Path, *, live_session: str | None = None, mark_killed: bool = True
) -> list[TurnRecord]:
    """Read a JSONL store: the latest record of every turn, with any text streamed after it."""
    records: list[TurnRecord] = []
    by_key: dict[str, TurnRecord] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError:
            if number == len(lines):
                break  # a last line torn by a failed write: everything before it stands
            raise UsageError(f"{path}:{number}: not valid JSON") from None
        if isinstance(data, dict) and data.get("kind") == "text":
            _add_text(by_key.get(str(data.get("key"))), data)
            continue
        record = load_record(data, where=f"{path}:{number}")
        by_key[record.key] = record
        records.append(record)
    return latest(records, live_session=live_session, mark_killed=mark_killed)


def _add_text(record: TurnRecord | None, data: dict[str, Any]) -> None:
    text = data.get("text")
    if record is None or record.id != data.get("id") or not isinstance(text, str):
        return  # text of a turn whose start was lost: nothing to join it to
    record.answer += text
    if record.rounds:
        record.rounds[-1].text += text


def read_notebook(path: Path) -> list[TurnRecord]:
    """Read the turn records a saved notebook's ``%%chat`` outputs carry, in cell order."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError:
        raise UsageError(f"{path}: not a notebook (invalid JSON)") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise UsageError(f"{path}: not a notebook (no cells)")
    records = []
    for index, cell in enumerate(nb["cells"]):
        where = f"{path} cell {index + 1}"
        for data in _records_of(cell, where):
            records.append(load_record(_json(data, where), where=where))
    return latest(records)


def _records_of(cell: Any, where: str) -> list[Any]:
    """Return the turn records of one saved cell's outputs (a bad cell: one line naming it)."""
    if not isinstance(cell, dict):
        raise UsageError(f"{where}: not a notebook cell (a JSON object)")
    outputs = cell.get("outputs") or []
    if not isinstance(outputs, list):
        raise UsageError(f"{where}: its outputs are not a list")
    found = []
    for output in outputs:
        data = output.get("data") if isinstance(output, dict) else None
        if isinstance(data, dict) and data.get(MIME) is not None:
            found.append(data[MIME])
    return found


def read_records(path: Path) -> list[TurnRecord]:
    """Read a notebook (``.ipynb``) or a JSONL store, by its suffix."""
    return read_notebook(path) if path.suffix == ".ipynb" else read_store(path)


def _json(data: Any, where: str) -> Any:
    # nbformat keeps +json outputs as objects; some writers store them as a JSON string.
    if not isinstance(data, str):
        return data
    try:
        return json.loads(data)
    except ValueError:
        raise UsageError(f"{where}: its turn record is not valid JSON") from None
