"""Real kernels driven over ZMQ, every iopub message stamped and weighed as it arrives.

Each message is read straight off the iopub socket: its arrival time is this process's
``time.monotonic()`` taken right after the frames are received, and its size is the sum of
its raw ZMQ frame sizes (what the kernel put on the wire for a frontend). The kernel's own
creation time of a message (its header date, wall clock) is converted to the same clock.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from jupyter_client.manager import KernelManager

Msg = dict[str, Any]
ROOT = Path(__file__).resolve().parents[1]
WALL_MINUS_MONOTONIC = time.time() - time.monotonic()
"""Converts a wall-clock time of this machine (a message header's date) to ``monotonic``."""
OUTPUT_TYPES = {"stream", "display_data", "update_display_data", "execute_result"}


class BenchError(RuntimeError):
    """A benchmark step failed (a cell raised, a kernel did not answer)."""


@dataclass(frozen=True)
class Received:
    """One iopub message, when it arrived and how many bytes it took."""

    msg: Msg
    at: float
    size: int

    @property
    def created(self) -> float:
        """When the kernel created the message (its header date), on ``time.monotonic()``."""
        return float(self.msg["header"]["date"].timestamp()) - WALL_MINUS_MONOTONIC

    @property
    def type(self) -> str:
        """The message type."""
        return str(self.msg["msg_type"])

    def text(self) -> str:
        """The text an output message shows (every string of its MIME bundle; a bridge
        ``stream`` event's new text), else ``""``."""
        content = self.msg["content"]
        if self.type == "stream":
            return str(content.get("text", ""))
        if self.type in OUTPUT_TYPES:
            data = content.get("data", {})
            return "\n".join(v for v in data.values() if isinstance(v, str))
        if self.type == "comm_msg":
            # A bridge `stream` event: the new text of an answer, for the page to show.
            data = content.get("data") or {}
            if data.get("type") == "event" and data.get("event") == "stream":
                return str((data.get("data") or {}).get("text", ""))
        return ""


@dataclass
class Execution:
    """What one execute request produced."""

    msg_id: str
    sent_at: float
    received: list[Received] = field(default_factory=list)
    cpu_seconds: float = 0.0

    def first(self, test: Callable[[Received], bool]) -> Received | None:
        """The first message that passes ``test``."""
        return next((r for r in self.received if test(r)), None)

    def last(self, test: Callable[[Received], bool]) -> Received | None:
        """The last message that passes ``test``."""
        return next((r for r in reversed(self.received) if test(r)), None)

    def showing(self, text: str) -> Received | None:
        """The first output message whose shown text contains ``text``."""
        return self.first(lambda r: text in r.text())

    @property
    def bytes(self) -> int:
        """Raw bytes of every iopub message of the request."""
        return sum(r.size for r in self.received)

    def errors(self) -> list[str]:
        """``ename: evalue`` of each error message."""
        return [
            f"{r.msg['content']['ename']}: {r.msg['content']['evalue']}"
            for r in self.received
            if r.type == "error"
        ]

    def stdout(self) -> str:
        """Everything printed to stdout."""
        return "".join(
            r.text()
            for r in self.received
            if r.type == "stream" and r.msg["content"]["name"] == "stdout"
        )


class BenchKernel:
    """A started kernel with a blocking client."""

    def __init__(self, km: KernelManager) -> None:
        self.km = km
        self.kc = km.blocking_client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)
        pid = getattr(km.provisioner, "pid", None)  # the local provisioner's child process
        if pid is None:
            raise BenchError("the kernel's process id is unknown")
        self.process = psutil.Process(pid)
        self._socket = self.kc.iopub_channel.socket
        # Messages of other requests, read while collecting one: kept for their own collect.
        self._stash: dict[str, list[Received]] = {}

    def rss(self) -> int:
        """Resident memory of the kernel process, in bytes."""
        return int(self.process.memory_info().rss)

    def cpu(self) -> float:
        """User plus system CPU seconds of the kernel process so far (all its threads)."""
        times = self.process.cpu_times()
        return float(times.user + times.system)

    def send(self, code: str) -> Execution:
        """Send an execute request (``allow_stdin=True``, as JupyterLab does)."""
        sent_at = time.monotonic()
        msg_id = self.kc.execute(code, allow_stdin=True, stop_on_error=False)
        return Execution(msg_id, sent_at)

    def collect(
        self,
        ex: Execution,
        *,
        until: Callable[[Received], bool] | None = None,
        react: Callable[[Received], None] | None = None,
        timeout: float = 120.0,
    ) -> Execution:
        """Gather ``ex``'s iopub messages until ``until`` holds (default: back to idle)."""
        done = until or _idle
        deadline = time.monotonic() + timeout
        stashed = self._stash.pop(ex.msg_id, [])
        while True:
            received = stashed.pop(0) if stashed else self._receive(deadline)
            parent = received.msg["parent_header"].get("msg_id")
            if parent != ex.msg_id:
                if parent:
                    self._stash.setdefault(parent, []).append(received)
                continue
            ex.received.append(received)
            if react is not None:
                react(received)
            if done(received):
                if stashed:
                    self._stash[ex.msg_id] = stashed
                return ex

    def run(
        self, code: str, *, timeout: float = 120.0, react: Callable[[Received], None] | None = None
    ) -> Execution:
        """Execute ``code``, wait until idle, record the kernel's CPU used meanwhile."""
        cpu = self.cpu()
        ex = self.collect(self.send(code), react=react, timeout=timeout)
        ex.cpu_seconds = self.cpu() - cpu
        return ex

    def run_ok(self, code: str, *, timeout: float = 120.0) -> Execution:
        """Like :meth:`run`, but raise :class:`BenchError` when the cell failed."""
        ex = self.run(code, timeout=timeout)
        if ex.errors():
            raise BenchError(f"cell failed: {ex.errors()[0]}\n--- cell ---\n{code}")
        return ex

    def click(self, comm_id: str) -> float:
        """Send what a browser sends for a button click; return ``time.time()`` of the send."""
        content = {"comm_id": comm_id, "data": {"method": "custom", "content": {"event": "click"}}}
        msg = self.kc.session.msg("comm_msg", content)
        sent = time.time()
        self.kc.shell_channel.send(msg)
        return sent

    def _receive(self, deadline: float) -> Received:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not self._socket.poll(int(remaining * 1000)):
            raise BenchError("the kernel sent nothing before the deadline")
        frames = self._socket.recv_multipart(copy=True)
        at = time.monotonic()
        _, wire = self.kc.session.feed_identities(frames)
        msg = self.kc.session.deserialize(wire)
        return Received(msg, at, sum(len(f) for f in frames))


def _idle(received: Received) -> bool:
    return received.type == "status" and received.msg["content"]["execution_state"] == "idle"


def kernel_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a benchmark kernel: this one, no default model, no price download."""
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", **(extra or {})}
    env.pop("JUPYTER_ORCH_MODEL", None)
    return env


@contextmanager
def started(python: str, env: dict[str, str] | None = None) -> Iterator[BenchKernel]:
    """Start a fresh IPython kernel of ``python`` in an empty folder with its own IPython dir."""
    with tempfile.TemporaryDirectory(prefix="bench-kernel-") as home:
        km = KernelManager(kernel_name="python3")
        if km.kernel_spec is None:
            raise BenchError("no python3 kernel spec")
        km.kernel_spec.argv[0] = python
        full = kernel_env({"IPYTHONDIR": str(Path(home) / "ipython"), **(env or {})})
        log_path = Path(home) / "kernel.log"
        with log_path.open("wb") as log:
            # The kernel's own terminal output (its TCP warning, tracebacks) goes to a log
            # that is shown only when something fails.
            km.start_kernel(env=full, cwd=home, stdout=log, stderr=subprocess.STDOUT)
        kernel: BenchKernel | None = None
        try:
            kernel = BenchKernel(km)
            yield kernel
        except BaseException:
            tail = log_path.read_text(errors="replace")[-2000:]
            print(f"--- kernel log ({python}) ---\n{tail}", file=sys.stderr)
            raise
        finally:
            if kernel is not None:
                kernel.kc.stop_channels()
            km.shutdown_kernel(now=True)
