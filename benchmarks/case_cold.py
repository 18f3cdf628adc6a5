"""Case 3, cold first turn: a fresh kernel, the load cell, and at once a chat cell.

Both cells are sent back to back, as "Run All" does. Measured: from the moment the chat cell
starts running (its ``busy`` status arrives) to the first visible token, minus the server's
own latency (its first byte minus the request's arrival). LiteLLM's import (seconds) starts
in the background at ``%load_ext``; this case shows how much of it the first turn still waits.
"""

from __future__ import annotations

from dataclasses import dataclass

from jupyter_orch.testing.openai_server import Reply

from .answer import CHUNK_CHARS
from .contenders import PEERS, Contender, available, missing, wait_until_warm
from .fakeserver import BenchServer
from .kernels import BenchError, BenchKernel, Execution, Received, started
from .report import CaseResult, Row, median

ANSWER = "Cold answer, first of the session."


@dataclass(frozen=True)
class Cold:
    """One cold first turn, in ms."""

    from_chat_start: float
    from_load_sent: float
    server_latency: float
    settled: float


def run(reps: int, with_peers: bool) -> CaseResult:
    """Time ``reps`` cold first turns per contender."""
    case = CaseResult("cold", "3. Cold first turn: fresh kernel, load cell, then a chat cell")
    samples: dict[str, list[Cold]] = {}
    with BenchServer() as server:
        for _ in range(reps):
            for contender in available(PEERS, with_peers):
                try:
                    samples.setdefault(contender.key, []).append(_once(contender, server))
                except BenchError as exc:
                    case.failures.append(f"{contender.key} failed: {exc}")
    notes = {p.key: "skipped" for p in PEERS} if not with_peers else {}
    notes.update({p.key: str(missing(p)) for p in PEERS if with_peers and missing(p)})
    chat = {k: median(c.from_chat_start for c in v) for k, v in samples.items()}
    load = {k: median(c.from_load_sent for c in v) for k, v in samples.items()}
    latency = {k: median(c.server_latency for c in v) for k, v in samples.items()}
    settled = {k: median(c.settled for c in v) for k, v in samples.items()}
    case.rows = [
        Row("chat cell start → first visible token, less server latency", "ms", chat, notes, 300),
        Row("load cell sent → first visible token, less server latency", "ms", load, notes),
        Row("first turn once loading has settled, less server latency", "ms", settled, notes),
        Row("server latency (request arrival → first byte)", "ms", latency, notes),
    ]
    case.raw = {"samples": samples}
    case.notes = [
        "jupyter-ai-magics shows the answer only when complete; the answer here is 9 chunks",
        "'once loading has settled': a second fresh kernel, the chat cell sent after the load "
        "cell's background work (ours: LiteLLM's import and warm-up) has finished, as when a "
        "user types the first question",
    ]
    return case


def _once(contender: Contender, server: BenchServer) -> Cold:
    chat_cell = contender.chat("Hello", server.url)
    with started(contender.python, contender.env()) as kernel:
        index = _expect(server)
        load = kernel.send(contender.setup(server.url))
        chat = kernel.send(chat_cell)  # at once, as "Run All" does
        kernel.collect(load)
        from_chat, latency = _first_token(kernel, chat, server, index)
        from_load = from_chat + (_started(chat) - load.sent_at) * 1000
    with started(contender.python, contender.env()) as kernel:
        kernel.run_ok(contender.setup(server.url))
        if contender.key == "ours":
            wait_until_warm(kernel)
        index = _expect(server)
        settled, _ = _first_token(kernel, kernel.send(chat_cell), server, index)
    return Cold(from_chat, from_load, latency, settled)


def _expect(server: BenchServer) -> int:
    """Queue the answer; return the index its request will have."""
    index = server.count
    server.expect(Reply.text(ANSWER, chunk_chars=CHUNK_CHARS))
    return index


def _first_token(
    kernel: BenchKernel, chat: Execution, server: BenchServer, index: int
) -> tuple[float, float]:
    """Wait for ``chat``; return its start → first visible token less latency, and latency (ms)."""
    kernel.collect(chat, timeout=120)
    if chat.errors():
        raise BenchError(chat.errors()[0])
    first = chat.showing(ANSWER[:CHUNK_CHARS])
    if first is None:
        raise BenchError("the answer never showed")
    latency = server.first_byte(index) - server.arrivals[index]
    return (first.at - _started(chat) - latency) * 1000, latency * 1000


def _started(chat: Execution) -> float:
    busy = chat.first(_busy)
    if busy is None:
        raise BenchError("the chat cell never started")
    return busy.at


def _busy(received: Received) -> bool:
    return received.type == "status" and received.msg["content"]["execution_state"] == "busy"
