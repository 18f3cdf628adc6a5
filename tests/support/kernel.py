"""A real IPython kernel driven over ZMQ, as a notebook frontend drives it."""

from __future__ import annotations

import os
import queue
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from jupyter_client.manager import KernelManager

Msg = dict[str, Any]


@dataclass
class Execution:
    """The messages one execute request produced."""

    msg_id: str
    iopub: list[Msg] = field(default_factory=list)
    reply: Msg | None = None

    def outputs(self) -> list[Msg]:
        """Output-producing iopub messages, in order."""
        kinds = {
            "stream",
            "display_data",
            "update_display_data",
            "execute_result",
            "error",
            "clear_output",
        }
        return [m for m in self.iopub if m["msg_type"] in kinds]

    def stdout(self) -> str:
        return "".join(
            m["content"]["text"]
            for m in self.iopub
            if m["msg_type"] == "stream" and m["content"]["name"] == "stdout"
        )

    def stderr(self) -> str:
        return "".join(
            m["content"]["text"]
            for m in self.iopub
            if m["msg_type"] == "stream" and m["content"]["name"] == "stderr"
        )

    def errors(self) -> list[Msg]:
        return [m["content"] for m in self.iopub if m["msg_type"] == "error"]

    def final_bundles(self) -> list[dict[str, Any]]:
        """The bundles shown after the last clear_output, with later display updates applied
        (what a frontend shows and a saved notebook keeps)."""
        return final_bundles(self.iopub)

    def widgets(self, model: str) -> list[Msg]:
        """comm_open messages of widgets of the given model name (e.g. ButtonModel)."""
        return [
            m
            for m in self.iopub
            if m["msg_type"] == "comm_open"
            and m["content"]["data"].get("state", {}).get("_model_name") == model
        ]


class Kernel:
    """A kernel with a blocking client; ``run`` executes code and gathers its messages."""

    def __init__(self, km: KernelManager) -> None:
        self.km = km
        self.kc = km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def send(self, code: str, *, allow_stdin: bool = True) -> str:
        """Send an execute request; return its msg_id (messages gathered by ``collect``)."""
        return self.kc.execute(code, allow_stdin=allow_stdin, stop_on_error=False)

    def collect(
        self,
        msg_id: str,
        *,
        until: Callable[[Msg], bool] | None = None,
        timeout: float = 60,
        into: Execution | None = None,
    ) -> Execution:
        """Gather iopub messages of ``msg_id`` until ``until`` holds (default: idle)."""
        ex = into or Execution(msg_id)
        done = until or (
            lambda m: m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
        )
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"no matching message within {timeout} s; got {[m['msg_type'] for m in ex.iopub][-10:]}"
                )
            try:
                msg = self.kc.get_iopub_msg(timeout=remaining)
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            ex.iopub.append(msg)
            if done(msg):
                return ex

    def run(self, code: str, *, timeout: float = 60, allow_stdin: bool = True) -> Execution:
        """Execute ``code`` and wait for the kernel to be idle again."""
        msg_id = self.send(code, allow_stdin=allow_stdin)
        ex = self.collect(msg_id, timeout=timeout)
        ex.reply = self.reply(msg_id)
        return ex

    def reply(self, msg_id: str, timeout: float = 30) -> Msg:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = self.kc.get_shell_msg(timeout=deadline - time.monotonic())
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg
        raise TimeoutError("no execute_reply")

    def click(self, comm_id: str) -> str:
        """Send what a browser sends when a widget button is clicked; return its msg_id."""
        content = {"comm_id": comm_id, "data": {"method": "custom", "content": {"event": "click"}}}
        return self._comm_msg(content)

    def set_state(self, comm_id: str, state: dict[str, Any]) -> str:
        """Send what a browser sends when a widget's value changes (typing in a Text)."""
        content = {
            "comm_id": comm_id,
            "data": {"method": "update", "state": state, "buffer_paths": []},
        }
        return self._comm_msg(content)

    def _comm_msg(self, content: dict[str, Any]) -> str:
        msg = self.kc.session.msg("comm_msg", content)
        self.kc.shell_channel.send(msg)
        return str(msg["header"]["msg_id"])

    def interrupt(self) -> None:
        self.km.interrupt_kernel()


@contextmanager
def kernel(env: dict[str, str] | None = None, ipython_config: str = "") -> Iterator[Kernel]:
    """Start a fresh kernel of this Python, with a private IPython dir and no network price list.

    ``ipython_config`` becomes the profile's ipython_config.py (the user's own configuration).
    """
    with tempfile.TemporaryDirectory() as ipdir:
        if ipython_config:
            profile = os.path.join(ipdir, "profile_default")
            os.makedirs(profile)
            with open(os.path.join(profile, "ipython_config.py"), "w") as f:
                f.write(ipython_config)
        km = KernelManager(kernel_name="python3")
        spec = km.kernel_spec
        assert spec is not None, "no python3 kernelspec"
        spec.argv[0] = sys.executable
        full_env = {
            **os.environ,
            "IPYTHONDIR": ipdir,
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",
            **(env or {}),
        }
        full_env.pop("JUPYTER_ORCH_MODEL", None)
        # The kernel works in a scratch folder: transcripts and files it writes stay there.
        km.start_kernel(env=full_env, cwd=ipdir)
        k = Kernel(km)
        try:
            yield k
        finally:
            k.kc.stop_channels()
            km.shutdown_kernel(now=True)


def final_bundles(iopub: list[Msg]) -> list[dict[str, Any]]:
    """The bundles that iopub messages leave shown: those after the last clear_output, with
    later display updates applied (what a frontend shows and a saved notebook keeps)."""
    last = max((i for i, m in enumerate(iopub) if m["msg_type"] == "clear_output"), default=-1)
    shown: list[dict[str, Any]] = []
    ids: dict[str, int] = {}
    for m in iopub[last + 1 :]:
        display_id = m["content"].get("transient", {}).get("display_id")
        if m["msg_type"] == "display_data":
            if display_id:
                ids[display_id] = len(shown)
            shown.append(m["content"]["data"])
        elif m["msg_type"] == "update_display_data" and display_id in ids:
            shown[ids[display_id]] = m["content"]["data"]
    return shown
