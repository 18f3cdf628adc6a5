"""Case 2, streaming a fixed answer into a cell, (a) paced at 100 tokens/s and (b) unpaced.

Per contender, in one kernel: load and point it at the server, one short warm-up turn, then
the measured turns. All times are this process's ``time.monotonic()``: the server (a thread
here) records its first byte, the iopub reader stamps each message on arrival.

- first token visible: arrival of the first output message showing the answer's first
  piece, minus the server's first body byte of that response;
- last chunk to final output: arrival of the last message showing the whole answer minus
  when the server sent the last piece (paced: its schedule, see ``paced_last_piece``);
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

from .answer import CHUNK_CHARS, FIRST, LAST, fixed_answer
from .contenders import PEERS, Contender, available, missing
from .fakeserver import BenchServer, paced_last_piece
from .kernels import BenchError, BenchKernel, Execution, started
from .report import CaseResult, Row, median

PROMPT = "Write the benchmark answer."
CLIENT_OF = {"ours": "litellm", "jupyter-ai": "openai", "chatlab": "openai"}


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
    last_to_final_ms: float | None
    total_ms: float
    messages: int
    kilobytes: float
    cpu_ms: float


def run(plan: Plan, with_peers: bool) -> list[CaseResult]:
    """Stream the answer into every contender; return the paced and the unpaced tables."""
    answer = fixed_answer(plan.tokens)
    paced: dict[str, list[Turn]] = {}
    unpaced: dict[str, list[Turn]] = {}
    failures: list[str] = []
    with BenchServer() as server:
        for contender in available(PEERS, with_peers):
            try:
                _measure(contender, server, answer, plan, paced, unpaced)
            except BenchError as exc:
                failures.append(f"{contender.key} failed: {exc}")
        baselines = _baselines(server, answer, plan.unpaced_reps)
    notes = _skipped(with_peers)
    a = _paced_case(paced, plan, notes)
    b = _unpaced_case(unpaced, plan, baselines, notes)
    a.failures = b.failures = failures
    return [a, b]


def _measure(
    contender: Contender,
    server: BenchServer,
    answer: str,
    plan: Plan,
    paced: dict[str, list[Turn]],
    unpaced: dict[str, list[Turn]],
) -> None:
    with started(contender.python, contender.env()) as kernel:
        kernel.run_ok(contender.setup(server.url))
        server.expect(Reply.text("Warm-up answer.", chunk_chars=CHUNK_CHARS))
        _checked(kernel.run(contender.chat("warm up", server.url)), contender)
        for _ in range(plan.paced_reps):
            turn = _turn(kernel, contender, server, answer, plan.rate)
            paced.setdefault(contender.key, []).append(turn)
        for _ in range(plan.unpaced_reps):
            turn = _turn(kernel, contender, server, answer, None)
            unpaced.setdefault(contender.key, []).append(turn)


def _turn(
    kernel: BenchKernel, contender: Contender, server: BenchServer, answer: str, rate: float | None
) -> Turn:
    index = server.count
    server.expect(Reply.text(answer, chunk_chars=CHUNK_CHARS, tokens_per_second=rate))
    ex = _checked(kernel.run(contender.chat(PROMPT, server.url)), contender)
    first_byte = server.first_byte(index)
    first = ex.showing(FIRST[:CHUNK_CHARS])
    final = ex.last(lambda r: LAST in r.text())
    if first is None or final is None:
        raise BenchError(f"{contender.key}: the answer never showed in the cell")
    pieces = len(answer) // CHUNK_CHARS
    last_piece = server.last_byte(index)
    if last_piece is None and rate is not None:
        last_piece = paced_last_piece(first_byte, pieces, rate)
    return Turn(
        first_visible_ms=(first.at - first_byte) * 1000,
        last_to_final_ms=None if last_piece is None else (final.at - last_piece) * 1000,
        total_ms=(final.at - first_byte) * 1000,
        messages=len(ex.received),
        kilobytes=ex.bytes / 1000,
        cpu_ms=ex.cpu_seconds * 1000,
    )


def _checked(ex: Execution, contender: Contender) -> Execution:
    if ex.errors():
        raise BenchError(f"{contender.key}: {ex.errors()[0]}")
    return ex


def _baselines(server: BenchServer, answer: str, reps: int) -> dict[str, float | None]:
    """CPU ms per chunk of LiteLLM and of the openai SDK alone, in bare processes."""
    out: dict[str, float | None] = {}
    for client in ("litellm", "openai"):
        server.expect(*[Reply.text(answer, chunk_chars=CHUNK_CHARS)] * (reps + 1))
        command = [sys.executable, "-m", "benchmarks.baseline_client", "--client", client]
        command += ["--url", server.url, "--reps", str(reps)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise BenchError(f"baseline {client} failed: {done.stderr[-500:]}")
        samples = json.loads(done.stdout.splitlines()[-1])["samples"]
        out[client] = median(s["cpu_ms"] / max(s["chunks"], 1) for s in samples)
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


def _paced_case(turns: dict[str, list[Turn]], plan: Plan, notes: dict[str, str]) -> CaseResult:
    title = f"2a. Streaming {plan.tokens:,} tokens paced at {plan.rate:g} tokens/s (warm kernel)"
    case = CaseResult("stream_paced", title, raw={"turns": turns})
    case.rows = [
        Row("first token visible after the server sent it", "ms", _med(turns, "first_visible_ms"), notes, 50),
        Row("last chunk sent → final output", "ms", _med(turns, "last_to_final_ms"), notes, 100),
        Row("iopub messages", "messages", _med(turns, "messages"), notes, 450),
        Row("iopub bytes", "KB", _med(turns, "kilobytes"), notes, 400),
        Row("kernel CPU for the cell", "ms", _med(turns, "cpu_ms"), notes),
    ]
    case.notes = [
        "jupyter-ai-magics runs with -m {\"streaming\":true} so the server paces it as a real "
        "model would; %%ai shows nothing until the answer is complete",
        "the last chunk's send time is the paced server's schedule (first byte + (n-1)/rate)",
    ]
    return case


def _unpaced_case(
    turns: dict[str, list[Turn]], plan: Plan, baselines: dict[str, float | None], notes: dict[str, str]
) -> CaseResult:
    title = f"2b. Streaming {plan.tokens:,} tokens as fast as the server sends (warm kernel)"
    case = CaseResult("stream_unpaced", title, raw={"turns": turns, "baseline_cpu_ms_per_chunk": baselines})
    per_chunk = {k: (v / plan.tokens if v is not None else None) for k, v in _med(turns, "cpu_ms").items()}
    beyond = {
        k: (v - base if v is not None and base is not None else None)
        for k, v in per_chunk.items()
        for base in [baselines.get(CLIENT_OF[k])]
    }
    case.rows = [
        Row("first token visible after the server sent it", "ms", _med(turns, "first_visible_ms"), notes, 50),
        Row("server's first byte → final output", "ms", _med(turns, "total_ms"), notes),
        Row("iopub messages", "messages", _med(turns, "messages"), notes, 450),
        Row("iopub bytes", "KB", _med(turns, "kilobytes"), notes, 400),
        Row("kernel CPU for the cell", "ms", _med(turns, "cpu_ms"), notes),
        Row("kernel CPU per chunk", "ms", per_chunk, notes),
        Row("CPU per chunk beyond its HTTP client alone", "ms", beyond, notes, 0.1),
    ]
    case.notes = [
        f"HTTP client alone, CPU per chunk in a bare process: litellm {_fmt(baselines.get('litellm'))} ms, "
        f"openai SDK {_fmt(baselines.get('openai'))} ms (ours uses litellm; jupyter-ai (langchain) "
        "and chatlab use the openai SDK)",
    ]
    return case


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
