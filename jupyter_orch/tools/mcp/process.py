"""The processes of stdio servers: their environment, finding them, killing them without a loop.

The SDK starts a stdio server in a new session (POSIX) and stops it inside the ``async with``
that opened it. At kernel shutdown there may be no running loop to do that, so every server
is started with a marker in its environment, and :func:`kill_marked` finds it and its
children with psutil and kills them synchronously.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path

import psutil

from ...core.errors import OrchError

MARKER_VARIABLE = "JUPYTER_ORCH_MCP_MOUNT"

# What a server may inherit from the kernel: enough to run (paths, locale, temp dirs, the
# Windows system variables), nothing else: the kernel's environment holds API keys.
ENV_ALLOWLIST = (
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "TERM",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "TMPDIR",
    "TEMP",
    "TMP",
    "SystemRoot",
    "SYSTEMROOT",
    "SystemDrive",
    "WINDIR",
    "COMSPEC",
    "PATHEXT",
    "APPDATA",
    "LOCALAPPDATA",
    "USERPROFILE",
    "HOMEDRIVE",
    "HOMEPATH",
    "PROGRAMFILES",
    "PROGRAMDATA",
)


def new_marker() -> str:
    """Return a fresh value for :data:`MARKER_VARIABLE`."""
    return uuid.uuid4().hex


def server_env(
    extra: Mapping[str, str], marker: str, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Return a server's environment: the allowlist from ``environ``, then ``extra``, the marker."""
    source = os.environ if environ is None else environ
    env = {k: source[k] for k in ENV_ALLOWLIST if k in source}
    env.update(extra)
    env[MARKER_VARIABLE] = marker
    return env


def resolve_command(command: str, env: Mapping[str, str], cwd: str | None) -> str:
    """Return the executable to run, or raise a one-line error when there is none.

    A bare name is looked up on the server's ``PATH``, then beside the kernel's Python: a
    kernel running from a virtual environment that was never activated still finds the
    servers installed in it (``mcp-server-time``).
    """
    if cwd is not None and not Path(cwd).is_dir():
        raise OrchError(f"working directory {cwd!r} does not exist", "config")
    if os.sep in command or (os.altsep and os.altsep in command):
        path = Path(cwd or ".", command) if not Path(command).is_absolute() else Path(command)
        if path.is_file():
            return command
        raise OrchError(f"command not found: {command!r}", "config")
    found = shutil.which(command, path=env.get("PATH", os.defpath))
    if found is not None:
        return command
    beside = shutil.which(command, path=str(Path(sys.executable).parent))
    if beside is not None:
        return beside
    raise OrchError(f"command not found: {command!r} (not on PATH)", "config")


def marked_processes(marker: str) -> list[psutil.Process]:
    """Return this process's descendants started with ``marker`` in their environment."""
    found = []
    for proc in psutil.Process().children(recursive=True):
        try:
            if proc.environ().get(MARKER_VARIABLE) == marker:
                found.append(proc)
        except psutil.Error:
            continue  # gone, a zombie, or not ours to read
    return found


def kill_marked(marker: str) -> list[int]:
    """Kill every process started with ``marker`` and its children; return the PIDs killed."""
    killed: list[int] = []
    for proc in marked_processes(marker):
        try:
            family = [proc, *proc.children(recursive=True)]
        except psutil.Error:
            family = [proc]
        if sys.platform != "win32":
            _kill_group(proc.pid)
        for member in family:
            try:
                member.kill()
                killed.append(member.pid)
            except psutil.Error:
                continue
    return killed


def _kill_group(pid: int) -> None:
    # The SDK starts each server as a session leader, so its group id is its PID; killing
    # the group reaches helpers it spawned (npx -> node) even when they re-parented.
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
