"""A test page: speaks the page side of the bridge to a real kernel over ZMQ.

It reads every iopub message itself (``Kernel.collect`` drops messages of other parents,
and the bridge's messages are parented to comm messages), answers the kernel's requests it
was told to answer, and waits on conditions with deadlines.
"""

from __future__ import annotations

import queue
import time
import uuid
from collections.abc import Callable
from typing import Any

from jupyter_orch.bridge import KERNEL_TARGET, PAGE_TARGET
from tests.support.kernel import Kernel, Msg


class Wire:
    """All iopub traffic of one kernel, kept, with waits on it."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.seen: list[Msg] = []
        self.pages: list[TestPage] = []

    def pump(self, timeout: float) -> Msg | None:
        """Read one iopub message (or none within ``timeout``); let the pages react."""
        try:
            msg = self.kernel.kc.get_iopub_msg(timeout=timeout)
        except queue.Empty:
            return None
        self.seen.append(msg)
        for page in self.pages:
            page.saw(msg)
        return msg

    def wait(self, condition: Callable[[], Any], timeout: float = 30, what: str = "") -> Any:
        """Pump until ``condition()`` is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                kinds = [m["msg_type"] for m in self.seen[-12:]]
                raise TimeoutError(f"not within {timeout} s: {what}; last iopub: {kinds}")
            self.pump(min(remaining, 0.2))

    def execute(self, code: str) -> str:
        """Send an execute request; return its msg_id."""
        return str(self.kernel.send(code))

    def finished(self, msg_id: str) -> Callable[[], list[Msg] | None]:
        """A condition: the request is done (its idle status seen); its iopub messages."""

        def done() -> list[Msg] | None:
            mine = [m for m in self.seen if m["parent_header"].get("msg_id") == msg_id]
            idle = any(
                m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
                for m in mine
            )
            return mine if idle else None

        return done

    def run(self, code: str, timeout: float = 60) -> list[Msg]:
        """Execute ``code`` and wait until the kernel is idle again; fail on an error."""
        msg_id = self.execute(code)
        mine: list[Msg] = self.wait(self.finished(msg_id), timeout, f"run {code[:40]!r}")
        errors = [m["content"] for m in mine if m["msg_type"] == "error"]
        assert not errors, errors
        return mine

    def stdout(self, code: str, timeout: float = 60) -> str:
        """Run ``code``; return what it printed."""
        return "".join(
            m["content"]["text"]
            for m in self.run(code, timeout)
            if m["msg_type"] == "stream" and m["content"]["name"] == "stdout"
        )

    def announcements(self) -> list[Msg]:
        """The kernel's comm_opens to the page target (``%load_ext`` announcing itself)."""
        return [
            m
            for m in self.seen
            if m["msg_type"] == "comm_open" and m["content"]["target_name"] == PAGE_TARGET
        ]


class TestPage:
    """One page connection (a browser tab) to the kernel's bridge."""

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        wire: Wire,
        *,
        capabilities: tuple[str, ...] = ("notify", "status"),
        protocol: int = 1,
        answers: dict[str, Any] | None = None,
    ) -> None:
        self.wire = wire
        self.comm_id = uuid.uuid4().hex
        self.page_id = uuid.uuid4().hex[:8]
        self.capabilities = list(capabilities)
        self.protocol = protocol
        self.answers = dict(answers) if answers is not None else {"ping": {}}
        self.received: list[dict[str, Any]] = []
        self.closed = False
        self.requests_seen: list[dict[str, Any]] = []
        wire.pages.append(self)

    def saw(self, msg: Msg) -> None:
        content = msg["content"]
        if content.get("comm_id") != self.comm_id:
            return
        if msg["msg_type"] == "comm_close":
            self.closed = True
        elif msg["msg_type"] == "comm_msg":
            data = content["data"]
            self.received.append(data)
            if data.get("type") == "request":
                self.requests_seen.append(data)
                if data["method"] in self.answers:
                    self.send(
                        {
                            "type": "response",
                            "id": data["id"],
                            "result": self.answers[data["method"]],
                        }
                    )

    def _shell(self, msg_type: str, content: dict[str, Any]) -> None:
        kc = self.wire.kernel.kc
        kc.shell_channel.send(kc.session.msg(msg_type, content))

    def open(self) -> None:
        """Open the comm with the handshake (does not wait)."""
        data = {
            "protocol": self.protocol,
            "page": {"id": self.page_id, "app": "jupyterlab", "version": "4.6.6"},
            "capabilities": self.capabilities,
        }
        self._shell(
            "comm_open", {"comm_id": self.comm_id, "target_name": KERNEL_TARGET, "data": data}
        )

    def connect(self, timeout: float = 30) -> dict[str, Any]:
        """Open and wait for the kernel's welcome (or refusal)."""
        self.open()
        self.wire.wait(
            lambda: self.first("welcome") or self.first("refused") or self.closed,
            timeout,
            "a welcome",
        )
        return self.first("welcome") or self.first("refused") or {}

    def first(self, kind: str) -> dict[str, Any] | None:
        return next((d for d in self.received if d.get("type") == kind), None)

    def events(self, name: str) -> list[Any]:
        return [d["data"] for d in self.received if d.get("type") == "event" and d["event"] == name]

    def send(self, data: dict[str, Any]) -> None:
        self._shell("comm_msg", {"comm_id": self.comm_id, "data": data})

    def request(self, method: str, params: Any, timeout: float = 30) -> dict[str, Any]:
        """Ask the kernel; wait for and return its response."""
        id_ = uuid.uuid4().hex[:6]
        self.send({"type": "request", "id": id_, "method": method, "params": params})

        def answered() -> dict[str, Any] | None:
            return next(
                (d for d in self.received if d.get("type") == "response" and d["id"] == id_),
                None,
            )

        return dict(self.wire.wait(answered, timeout, f"the answer to {method}"))

    def close(self) -> None:
        """Close the comm from the page's side."""
        self._shell("comm_close", {"comm_id": self.comm_id, "data": {}})


CHAT_WITH_ADD = '''\
%load_ext jupyter_orch
%config JupyterOrch.model = "openai/test-model"
%config JupyterOrch.params = {{"api_base": "{url}", "api_key": "sk-test"}}
import jupyter_orch

@jupyter_orch.tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b'''
"""A cell that loads the extension on the local model at ``{url}`` with an ``add`` tool."""
