"""Case 2c, a ``%%chat`` cell streaming over the bridge, beside today's path, in one kernel.

The page extension offers ``stream``: the kernel then sends each answer's new text as bridge
events (comm messages on iopub) instead of re-sending the growing paragraph, and leaves the
same final bundle. Here the benchmark itself is the page: it opens the bridge's comm with the
handshake (as ``tests/bridge/`` does) and reads the events off iopub with everything else.

Per turn, as in case 2: first token visible (arrival of the first message carrying the
answer's first piece, a stream event here, minus the server's first byte), last chunk to the
final output, iopub messages and bytes of the cell (status, comm and display messages all
counted: the whole kernel-to-page traffic), kernel CPU per extra chunk against a 4-chunk
turn, and that per-chunk CPU beyond LiteLLM alone consuming the same streams in the same
kernel. Today's path runs first in the same kernel, before any page connects.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from jupyter_orch.testing.openai_server import Reply

from .answer import CHUNK_CHARS, LAST, fixed_answer
from .case_stream import LITELLM_CELL, PROMPT, SHORT, SHORT_PIECES, Plan, _checked
from .contenders import OURS
from .fakeserver import BenchServer, paced_last_piece
from .kernels import BenchError, BenchKernel, Execution, Received, started
from .report import CaseResult, Row, chunk_cost, fmt3, median, minus

BRIDGE = "bridge"
TODAY = "today"
PACED_REPS = 3
"""Paced turns per path for each paced turn of case 2 (one 20 s turn alone is noisy)."""


@dataclass(frozen=True)
class Turn:
    """The measures of one streamed answer, on either path."""

    first_visible_ms: float
    first_created_ms: float
    last_to_whole_ms: float | None
    last_to_settled_ms: float | None
    messages: int
    kilobytes: float
    cpu_ms: float


def run(plan: Plan) -> CaseResult:
    """Stream the paced answer through both paths; return the side-by-side table."""
    answer = fixed_answer(plan.tokens)
    paced: dict[str, list[Turn]] = {TODAY: [], BRIDGE: []}
    short: dict[str, list[Turn]] = {TODAY: [], BRIDGE: []}
    alone: dict[str, list[float]] = {"paced": [], "short": []}
    with BenchServer() as server, started(OURS.python, OURS.env()) as kernel:
        kernel.run_ok(OURS.setup(server.url))
        for path in (TODAY, BRIDGE):
            if path == BRIDGE:
                connect_page(kernel)
            server.expect(Reply.text("Warm-up answer.", chunk_chars=CHUNK_CHARS))
            kernel.run_ok(OURS.chat("warm up", server.url))
            for _ in range(plan.paced_reps * PACED_REPS):
                paced[path].append(_turn(kernel, server, answer, plan.rate))
            for _ in range(plan.unpaced_reps):
                short[path].append(_turn(kernel, server, SHORT.text_content, None))
        _litellm_alone(kernel, server, answer, plan, alone)
    return _table(plan, paced, short, alone)


def _turn(kernel: BenchKernel, server: BenchServer, answer: str, rate: float | None) -> Turn:
    index = server.count
    server.expect(Reply.text(answer, chunk_chars=CHUNK_CHARS, tokens_per_second=rate))
    ex = _checked(kernel.run(OURS.chat(PROMPT, server.url)), OURS)
    first_byte = server.first_byte(index)
    first = ex.showing(answer[:CHUNK_CHARS])
    whole = _whole(ex, answer)
    tail = answer[-len(LAST) :]
    settled = ex.last(lambda r: r.type != "comm_msg" and tail in r.text())
    if first is None or whole is None or settled is None:
        raise BenchError("the answer never showed in the cell")
    last_piece = server.last_byte(index)
    if last_piece is None and rate is not None:
        last_piece = paced_last_piece(first_byte, len(answer) // CHUNK_CHARS, rate)
    return Turn(
        first_visible_ms=(first.at - first_byte) * 1000,
        first_created_ms=(first.created - first_byte) * 1000,
        last_to_whole_ms=None if last_piece is None else (whole.at - last_piece) * 1000,
        last_to_settled_ms=None if last_piece is None else (settled.at - last_piece) * 1000,
        messages=len(ex.received),
        kilobytes=ex.bytes / 1000,
        cpu_ms=ex.cpu_seconds * 1000,
    )


def _whole(ex: Execution, answer: str) -> Received | None:
    """The first message after which the page shows the whole answer: an output holding it
    all, or the stream event whose text completes it."""
    head, tail = answer[:200], answer[-len(LAST) :]
    streamed = ""
    for received in ex.received:
        text = received.text()
        if received.type == "comm_msg":
            streamed += text
            if streamed.endswith(tail):
                return received
        elif head in text and tail in text:
            return received
    return None


def connect_page(kernel: BenchKernel, timeout: float = 30.0) -> None:
    """Open the bridge as the page extension does, offering ``stream``; wait for the welcome."""
    data = {
        "protocol": 1,
        "page": {"id": "bench", "app": "jupyterlab", "version": "4.6"},
        "capabilities": ["notify", "status", "stream"],
    }
    content = {"comm_id": uuid.uuid4().hex, "target_name": "jupyter_orch.bridge", "data": data}
    msg = kernel.kc.session.msg("comm_open", content)
    kernel.kc.shell_channel.send(msg)
    ex = Execution(str(msg["header"]["msg_id"]), 0.0)
    kernel.collect(ex, until=_welcome, timeout=timeout)


def _welcome(received: Received) -> bool:
    data = received.msg["content"].get("data") or {}
    return received.type == "comm_msg" and data.get("type") == "welcome"


def _litellm_alone(
    kernel: BenchKernel,
    server: BenchServer,
    answer: str,
    plan: Plan,
    alone: dict[str, list[float]],
) -> None:
    server.expect(SHORT)  # a warm-up: the cell's own first call is not measured
    kernel.run_ok(LITELLM_CELL.format(url=server.url))
    runs: list[tuple[str, str, float | None]] = [("paced", answer, plan.rate)] * plan.paced_reps
    runs += [("short", SHORT.text_content, None)] * plan.unpaced_reps
    for kind, text, rate in runs:
        server.expect(Reply.text(text, chunk_chars=CHUNK_CHARS, tokens_per_second=rate))
        cell = kernel.run_ok(LITELLM_CELL.format(url=server.url))
        alone[kind].append(cell.cpu_seconds * 1000)


def _table(
    plan: Plan,
    paced: dict[str, list[Turn]],
    short: dict[str, list[Turn]],
    alone: dict[str, list[float]],
) -> CaseResult:
    title = (
        f"2c. Streaming {plan.tokens:,} tokens paced at {plan.rate:g} tokens/s into a cell, "
        "over the bridge (page extension) and today's path"
    )
    extra = plan.tokens - SHORT_PIECES
    litellm = chunk_cost(median(alone["paced"]), median(alone["short"]), extra)

    def values(field: str) -> dict[str, float | None]:
        return {
            "ours": median(getattr(t, field) for t in paced[BRIDGE]),
            TODAY: median(getattr(t, field) for t in paced[TODAY]),
        }

    cpu = values("cpu_ms")
    per_chunk = {
        key: chunk_cost(cpu[key], median(t.cpu_ms for t in short[path]), extra)
        for key, path in (("ours", BRIDGE), (TODAY, TODAY))
    }
    beyond = {key: minus(value, litellm) for key, value in per_chunk.items()}
    case = CaseResult(
        "stream_bridge", title, raw={"paced": paced, "short": short, "litellm_alone": alone}
    )
    case.rows = [
        Row(
            "first token visible after the server sent it",
            "ms",
            values("first_visible_ms"),
            budget=50,
        ),
        Row("same, by the kernel's message time (header date)", "ms", values("first_created_ms")),
        Row("last chunk sent → whole answer shown", "ms", values("last_to_whole_ms"), budget=100),
        Row("last chunk sent → final bundle (output settled)", "ms", values("last_to_settled_ms")),
        Row("iopub messages (comm included)", "messages", values("messages")),
        Row("kernel-to-page traffic (iopub, comm included)", "KB", values("kilobytes"), budget=150),
        Row("kernel CPU for the cell", "ms", cpu),
        Row("kernel CPU per extra chunk", "ms", per_chunk),
        Row("same, beyond LiteLLM alone in the same kernel", "ms", beyond, budget=0.3),
    ]
    case.notes = [
        f"medians of {PACED_REPS} paced turns per path; 'whole answer shown': the "
        "message after which the page has all of it (the stream event completing it, or an "
        "output holding it); the final bundle with usage and the turn record follows when "
        "the provider's stream ends",
        "columns: 'jupyter-orch' streams over the bridge (a page offering 'stream' is "
        "connected: the benchmark speaks the page's side of the comm); 'today' is the same "
        "kernel before any page connected (the growing paragraph re-sent at update_hz)",
        f"LiteLLM alone consuming the same paced stream in this kernel: {fmt3(litellm)} ms "
        "CPU per extra chunk",
        f"the prompt is {PROMPT!r}; the final bundle (Markdown, text, the turn record) is "
        "the same on both paths",
    ]
    return case
