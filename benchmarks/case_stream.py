"""Case 2, streaming a fixed answer into a cell, (a) paced at 100 tokens/s and (b) unpaced.

Per contender, in one kernel: load and point it at the server, one short warm-up turn, then
the measured turns. All times are this process's ``time.monotonic()``: the server (a thread
here) records its first byte, the iopub reader stamps each message on arrival.

- first token visible: arrival of the first output message showing the answer's first
  piece, minus the server's first body byte of that response (also by the message's own
  header date, the kernel's wall clock converted to monotonic: when the kernel sent it);
- last chunk to final output: arrival of the first message showing the whole answer in one
  output (its beginning and its end together) minus when the server sent the last piece
  (paced: its schedule, see ``paced_last_piece``); and to the last message of the cell that
  still changes it ("settled": ours adds usage and the turn record when the provider's
  stream ends, which LiteLLM delays while it rebuilds the response);
- iopub messages and bytes: every iopub message of the request (status and execute_input
  included), bytes as the sum of raw ZMQ frame sizes;
- kernel CPU: user+system time of the kernel process (all threads) over the cell (psutil).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

from jupyter_orch.testing.openai_server import Reply

from .answer import CHUNK_CHARS, LAST, fixed_answer
from .contenders import PEERS, Contender, available, missing
from .fakeserver import BenchServer, paced_last_piece
from .kernels import BenchError, BenchKernel, Execution, started
from .report import CaseResult, Row, chunk_cost, fmt3, median, minus

PROMPT = "Write the benchmark answer."
SHORT = Reply.text("Short answer.", chunk_chars=CHUNK_CHARS)
SHORT_PIECES = len(SHORT.chunks)
CLIENT_OF = {"ours": "litellm", "jupyter-ai": "openai", "chatlab": "openai"}
LITELLM_CELL = """import litellm
_response = await litellm.acompletion(
    model="openai/bench", messages=[{{"role": "user", "content": "x"}}], api_base={url!r},
    api_key="sk-test", stream=True, stream_options={{"include_usage": True}},
)
async for _chunk in _response:
    pass"""
"""A cell that only consumes the stream with LiteLLM: the baseline inside our own kernel."""


@dataclass(frozen=True)
class Plan:
    """Sizes of one streaming run."""

    tokens: int
    rate: float
    paced_reps: int
    unpaced_reps: int


@dataclass(frozen=True)
class Turn:
    """The measures of one streamed answer."""

    first_visible_ms: float
    first_created_ms: float
    last_to_final_ms: float | None
    last_to_settled_ms: float | None
    total_ms: float
    messages: int
    kilobytes: float
    cpu_ms: float


def run(plan: Plan, with_peers: bool) -> list[CaseResult]:
    """Stream the answer into every contender; return the paced and the unpaced tables."""
    answer = fixed_answer(plan.tokens)
    measured: dict[str, dict[str, list[Turn]]] = {"paced": {}, "unpaced": {}, "short": {}}
    in_kernel: dict[str, list[float]] = {"paced": [], "unpaced": [], "short": []}
    failures: list[str] = []
    with BenchServer() as server:
        for contender in available(PEERS, with_peers):
            try:
                _measure(contender, server, answer, plan, measured, in_kernel)
            except BenchError as exc:
                failures.append(f"{contender.key} failed: {exc}")
        fast = Reply.text(answer, chunk_chars=CHUNK_CHARS)
        baselines = _baselines(server, fast, plan.unpaced_reps)
        paced = Reply.text(answer, chunk_chars=CHUNK_CHARS, tokens_per_second=plan.rate)
        paced_baselines = _baselines(server, paced, 1) if plan.paced_reps else {}
    notes = _skipped(with_peers)
    a = _paced_case(measured, plan, paced_baselines, _alone(in_kernel, "paced", plan), notes)
    b = _unpaced_case(measured, plan, baselines, _alone(in_kernel, "unpaced", plan), notes)
    a.failures = b.failures = failures
    return [a, b]


def _measure(
    contender: Contender,
    server: BenchServer,
    answer: str,
    plan: Plan,
    measured: dict[str, dict[str, list[Turn]]],
    in_kernel: dict[str, list[float]],
) -> None:
    with started(contender.python, contender.env()) as kernel:
        kernel.run_ok(contender.setup(server.url))
        server.expect(Reply.text("Warm-up answer.", chunk_chars=CHUNK_CHARS))
        _checked(kernel.run(contender.chat("warm up", server.url)), contender)
        runs: list[tuple[str, str, float | None]] = [("paced", answer, plan.rate)] * plan.paced_reps
        # A short turn's cost is what a turn costs apart from its chunks.
        runs += [("short", SHORT.text_content, None), ("unpaced", answer, None)] * plan.unpaced_reps
        for kind, text, rate in runs:
            turn = _turn(kernel, contender, server, text, rate)
            measured[kind].setdefault(contender.key, []).append(turn)
        if contender.key == "ours":
            server.expect(SHORT)  # a warm-up: the cell's own first call is not measured
            kernel.run_ok(LITELLM_CELL.format(url=server.url))
            for kind, text, rate in runs:
                server.expect(Reply.text(text, chunk_chars=CHUNK_CHARS, tokens_per_second=rate))
                cell = kernel.run_ok(LITELLM_CELL.format(url=server.url))
                in_kernel[kind].append(cell.cpu_seconds * 1000)


def _turn(
    kernel: BenchKernel, contender: Contender, server: BenchServer, answer: str, rate: float | None
) -> Turn:
    index = server.count
    server.expect(Reply.text(answer, chunk_chars=CHUNK_CHARS, tokens_per_second=rate))
    ex = _checked(kernel.run(contender.chat(PROMPT, server.url)), contender)
    first_byte = server.first_byte(index)
    first = ex.showing(answer[:CHUNK_CHARS])
    head, tail = answer[:200], answer[-len(LAST) :]
    final = ex.first(lambda r: head in r.text() and tail in r.text())
    settled = ex.last(lambda r: tail in r.text())
    if first is None or final is None or settled is None:
        raise BenchError(f"{contender.key}: the answer never showed in the cell")
    pieces = len(answer) // CHUNK_CHARS
    last_piece = server.last_byte(index)
    if last_piece is None and rate is not None:
        last_piece = paced_last_piece(first_byte, pieces, rate)
    return Turn(
        first_visible_ms=(first.at - first_byte) * 1000,
        first_created_ms=(first.created - first_byte) * 1000,
        last_to_final_ms=None if last_piece is None else (final.at - last_piece) * 1000,
        last_to_settled_ms=None if last_piece is None else (settled.at - last_piece) * 1000,
        total_ms=(final.at - first_byte) * 1000,
        messages=len(ex.received),
        kilobytes=ex.bytes / 1000,
        cpu_ms=ex.cpu_seconds * 1000,
    )


def _checked(ex: Execution, contender: Contender) -> Execution:
    if ex.errors():
        raise BenchError(f"{contender.key}: {ex.errors()[0]}")
    return ex


def _baselines(server: BenchServer, long: Reply, reps: int) -> dict[str, float | None]:
    """CPU ms per extra chunk of LiteLLM and of the openai SDK alone, in bare processes."""
    out: dict[str, float | None] = {}
    for client in ("litellm", "openai", "ours"):
        server.expect(SHORT, *[SHORT, long] * reps)  # a short warm-up: imports, first call
        command = [sys.executable, "-m", "benchmarks.baseline_client", "--client", client]
        command += ["--url", server.url, "--reps", str(reps)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise BenchError(f"baseline {client} failed: {done.stderr[-500:]}")
        samples = json.loads(done.stdout.splitlines()[-1])["samples"]
        out[client] = median(
            (s["long_cpu_ms"] - s["short_cpu_ms"]) / max(s["long_chunks"] - s["short_chunks"], 1)
            for s in samples
        )
    return out


def _skipped(with_peers: bool) -> dict[str, str]:
    if not with_peers:
        return {p.key: "skipped" for p in PEERS}
    return {p.key: str(missing(p)) for p in PEERS if missing(p) is not None}


def _med(turns: dict[str, list[Turn]], field: str) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for key, items in turns.items():
        values = [getattr(t, field) for t in items if getattr(t, field) is not None]
        out[key] = median(values)
    return out


def _paced_case(
    measured: dict[str, dict[str, list[Turn]]],
    plan: Plan,
    baselines: dict[str, float | None],
    alone: float | None,
    notes: dict[str, str],
) -> CaseResult:
    title = f"2a. Streaming {plan.tokens:,} tokens paced at {plan.rate:g} tokens/s (warm kernel)"
    turns = measured["paced"]
    case = CaseResult(
        "stream_paced", title, raw={"turns": turns, "baseline_cpu_ms_per_chunk": baselines}
    )
    case.rows = [
        *_first_token_rows(turns, notes),
        Row("last chunk sent → final output", "ms", _med(turns, "last_to_final_ms"), notes, 100),
        Row("last chunk sent → output settled", "ms", _med(turns, "last_to_settled_ms"), notes),
        *_cost_rows(turns, measured["short"], plan, baselines, alone, notes),
    ]
    case.notes = [
        'jupyter-ai-magics runs with -m {"streaming":true} so the server paces it as a real '
        "model would; %%ai shows nothing until the answer is complete",
        "the last chunk's send time is the paced server's schedule (first byte + (n-1)/rate)",
        _baseline_note(baselines, "paced"),
        _alone_note(alone),
    ]
    return case


def _first_token_rows(turns: dict[str, list[Turn]], notes: dict[str, str]) -> list[Row]:
    return [
        Row(
            "first token visible after the server sent it",
            "ms",
            _med(turns, "first_visible_ms"),
            notes,
            50,
        ),
        Row(
            "same, by the kernel's message time (header date)",
            "ms",
            _med(turns, "first_created_ms"),
            notes,
        ),
    ]


def _unpaced_case(
    measured: dict[str, dict[str, list[Turn]]],
    plan: Plan,
    baselines: dict[str, float | None],
    alone: float | None,
    notes: dict[str, str],
) -> CaseResult:
    title = f"2b. Streaming {plan.tokens:,} tokens as fast as the server sends (warm kernel)"
    turns = measured["unpaced"]
    raw = {"turns": turns, "short_turns": measured["short"], "baseline_cpu_ms_per_chunk": baselines}
    case = CaseResult("stream_unpaced", title, raw=raw)
    case.rows = [
        *_first_token_rows(turns, notes),
        Row("server's first byte → final output", "ms", _med(turns, "total_ms"), notes),
        *_cost_rows(turns, measured["short"], plan, baselines, alone, notes),
    ]
    case.notes = [
        "CPU per extra chunk = (CPU of this turn - CPU of a 4-chunk turn) / extra chunks; "
        "psutil reads CPU in 10 ms ticks",
        _baseline_note(baselines, "unpaced"),
        _alone_note(alone),
    ]
    return case


def _chunk_costs(
    long: dict[str, float | None],
    short: dict[str, float | None],
    plan: Plan,
    baselines: dict[str, float | None],
) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """Kernel CPU per extra chunk, and the same minus the contender's HTTP client alone."""
    extra = plan.tokens - SHORT_PIECES
    costs = {k: chunk_cost(v, short.get(k), extra) for k, v in long.items()}
    beyond = {k: minus(v, baselines.get(CLIENT_OF[k])) for k, v in costs.items()}
    return costs, beyond


def _cost_rows(
    turns: dict[str, list[Turn]],
    short: dict[str, list[Turn]],
    plan: Plan,
    baselines: dict[str, float | None],
    alone: float | None,
    notes: dict[str, str],
) -> list[Row]:
    """The rows both tables share: what the turns sent, and their CPU against baselines."""
    cpu = _med(turns, "cpu_ms")
    per_chunk, beyond = _chunk_costs(cpu, _med(short, "cpu_ms"), plan, baselines)
    in_kernel = "same, beyond LiteLLM alone in the same kernel (ours: display, redaction, record)"
    return [
        Row("iopub messages", "messages", _med(turns, "messages"), notes, 450),
        Row("iopub bytes", "KB", _med(turns, "kilobytes"), notes, 400),
        Row("kernel CPU for the cell", "ms", cpu, notes),
        Row("kernel CPU per extra chunk", "ms", per_chunk, notes),
        Row("CPU per chunk beyond its HTTP client alone", "ms", beyond, notes, 0.1),
        _core_row(baselines),
        Row(in_kernel, "ms", {"ours": minus(per_chunk.get("ours"), alone)}, budget=0.1),
    ]


def _alone(in_kernel: dict[str, list[float]], kind: str, plan: Plan) -> float | None:
    """CPU per extra chunk of LiteLLM alone, consumed by a cell in our kernel."""
    if not in_kernel[kind] or not in_kernel["short"]:
        return None
    extra = plan.tokens - SHORT_PIECES
    return chunk_cost(median(in_kernel[kind]), median(in_kernel["short"]), extra)


def _alone_note(alone: float | None) -> str:
    return (
        "'beyond LiteLLM alone in the same kernel': the same streams consumed by a cell that "
        f"only iterates LiteLLM's response cost {fmt3(alone)} ms per extra chunk there"
    )


def _core_row(baselines: dict[str, float | None]) -> Row:
    """Our orchestrator + provider without a kernel, beyond LiteLLM alone (both bare)."""
    value = minus(baselines.get("ours"), baselines.get("litellm"))
    return Row("same, our core alone without a kernel (bare process)", "ms", {"ours": value})


def _baseline_note(baselines: dict[str, float | None], how: str) -> str:
    return (
        f"HTTP client alone, {how}, CPU per extra chunk in a bare process: litellm "
        f"{fmt3(baselines.get('litellm'))} ms, openai SDK {fmt3(baselines.get('openai'))} ms "
        "(ours uses litellm; jupyter-ai (langchain) and chatlab use the openai SDK)"
    )
