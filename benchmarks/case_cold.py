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
from .contenders import PEERS, Contender, available, missing
from .fakeserver import BenchServer
from .kernels import BenchError, Received, started
from .report import CaseResult, Row, median

ANSWER = "Cold answer, first of the session."


@dataclass(frozen=True)
class Cold:
    """One cold first turn, in ms."""

    from_chat_start: float
    from_load_sent: float
    server_latency: float


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
    case.rows = [
        Row("chat cell start → first visible token, less server latency", "ms", chat, notes, 300),
        Row("load cell sent → first visible token, less server latency", "ms", load, notes),
        Row("server latency (request arrival → first byte)", "ms", latency, notes),
    ]
    case.raw = {"samples": samples}
    case.notes = [
        "jupyter-ai-magics shows the answer only when complete; the answer here is 9 chunks",
    ]
    return case


def _once(contender: Contender, server: BenchServer) -> Cold:
    with started(contender.python, contender.env()) as kernel:
        index = server.count
        server.expect(Reply.text(ANSWER, chunk_chars=CHUNK_CHARS))
        load = kernel.send(contender.setup(server.url))
        chat = kernel.send(contender.chat("Hello", server.url))
        kernel.collect(load)
        kernel.collect(chat, timeout=120)
        for ex in (load, chat):
            if ex.errors():
                raise BenchError(ex.errors()[0])
        first = chat.showing(ANSWER[:CHUNK_CHARS])
        started_at = chat.first(_busy)
        if first is None or started_at is None:
            raise BenchError("the answer never showed")
        arrival, first_byte = server.arrivals[index], server.first_byte(index)
        latency = first_byte - arrival
        return Cold(
            from_chat_start=(first.at - started_at.at - latency) * 1000,
            from_load_sent=(first.at - load.sent_at - latency) * 1000,
            server_latency=latency * 1000,
        )


def _busy(received: Received) -> bool:
    return received.type == "status" and received.msg["content"]["execution_state"] == "busy"
