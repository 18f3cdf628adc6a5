"""The user's MCP sign-ins on disk: one JSON file, readable by that user alone (0600).

Entries are keyed by server name and URL; each holds the tokens, the registered client
and the loopback port its redirect address uses. The file is rewritten whole through a
temporary file created 0600, so it is never readable by others, not even for a moment.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


class TokenFile:
    """The token file.

    Parameters
    ----------
    path
        Where it lives (its folder is created 0700 when missing).
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def get(self, key: str) -> dict[str, Any]:
        """Return the entry ``key`` (empty when there is none)."""
        entry = self._read().get(key)
        return entry if isinstance(entry, dict) else {}

    def update(self, key: str, **values: Any) -> None:
        """Set ``values`` in the entry ``key``."""
        data = self._read()
        entry = data.get(key)
        data[key] = {**(entry if isinstance(entry, dict) else {}), **values}
        self._write(data)

    def remove_server(self, name: str) -> int:
        """Remove every entry of the server ``name``; return how many there were."""
        data = self._read()
        keys = [k for k in data if k == name or k.startswith(f"{name} ")]
        for key in keys:
            del data[key]
        if keys:
            self._write(data)
        return len(keys)

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".tokens-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:  # mkstemp creates it 0600
                json.dump(data, out)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        os.chmod(self.path, 0o600)
