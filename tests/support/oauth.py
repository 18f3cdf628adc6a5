"""Our OAuth-protected test server as a fixture, and a browser that signs in at once."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2

SERVER = Path(__file__).resolve().parents[1] / "tools/mcp/servers/oauth_server.py"


@dataclass
class OAuthServer:
    """A running server: its MCP URL and the grants it made."""

    url: str
    events: Path

    def grants(self) -> list[dict[str, Any]]:
        if not self.events.exists():
            return []
        return [json.loads(line) for line in self.events.read_text().splitlines()]

    def tokens(self) -> list[str]:
        """Every access and refresh token it issued."""
        found = []
        for grant in self.grants():
            found += [grant[k] for k in ("token", "refresh") if k in grant]
        return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def oauth_server(folder: Path, expires_in: int = 3600) -> Iterator[OAuthServer]:
    """Start the server on 127.0.0.1 and wait until it accepts connections."""
    port = _free_port()
    events = folder / "grants.jsonl"
    argv = [sys.executable, str(SERVER), "--port", str(port), "--events", str(events)]
    proc = subprocess.Popen([*argv, "--expires-in", str(expires_in)])
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None, "the OAuth test server exited"
                assert time.monotonic() < deadline, "the OAuth test server did not start"
                time.sleep(0.05)
        yield OAuthServer(f"http://127.0.0.1:{port}/mcp", events)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def follow_sign_in(url: str) -> str:
    """Do what a browser does with the link: the redirect lands on our loopback callback."""
    with httpx2.Client(timeout=30, follow_redirects=True) as browser:
        return browser.get(url).text
