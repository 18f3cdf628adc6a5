"""The tools the user chose to "always allow", remembered in a file only they can read."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from ..core.policy import Allowance


def default_path() -> Path:
    """``<Jupyter data dir>/jupyter-orch/approvals.json`` (``JUPYTER_DATA_DIR`` moves it)."""
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "jupyter-orch" / "approvals.json"


class RememberedApprovals:
    """Reads and writes the "always allow" choices.

    Parameters
    ----------
    setting
        ``JupyterOrch.approvals_path``: a file, or empty for :func:`default_path`.
    """

    def __init__(self, setting: str) -> None:
        self.path = Path(setting).expanduser() if setting else default_path()

    def load(self) -> dict[str, Any]:
        """Return what was remembered (empty when nothing, or the file is unreadable)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            print(
                f"jupyter-orch: {self.path}: remembered approvals not read: {exc}", file=sys.stderr
            )
            return {}
        tools = data.get("tools") if isinstance(data, dict) else None
        return tools if isinstance(tools, dict) else {}

    def save(self, allowed: dict[str, Allowance]) -> None:
        """Write ``allowed`` (0600, replaced whole so a crash leaves the old file)."""
        data = {"version": 1, "tools": {name: a.to_json() for name, a in allowed.items()}}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=2)
            os.replace(tmp, self.path)
        except OSError as exc:
            print(f"jupyter-orch: cannot remember approvals in {self.path}: {exc}", file=sys.stderr)
