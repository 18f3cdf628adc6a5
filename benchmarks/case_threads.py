"""Case 5, long threads: building the next request as the thread grows.

Runs in this process against the core directly. A thread of N turns (a user question and
an assistant answer, ~1,000 characters a turn; every tenth turn also calls a tool) is built
once per size; then, median of repetitions:

- the request's messages as the orchestrator builds them: ``request_messages(window=128,000,
  reserve=1,024)`` (trimming included) turned into provider format,
- the same with no window (every message sent: shows the growth with length),
- one whole turn through ``Orchestrator.run`` with the scripted provider (answer "ok").
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from functools import partial

from jupyter_orch.core.messages import Message, ToolCall
from jupyter_orch.core.orchestrator import Orchestrator
from jupyter_orch.core.request import ChatRequest
from jupyter_orch.core.thread import Thread
from jupyter_orch.providers.scripted import ScriptedProvider

from .report import CaseResult, Row, median

WINDOW = 128_000
RESERVE = 1_024
BUDGET_TURNS = 500
_FILLER = "The kernel streams a paragraph of the answer into the cell output. " * 20


def run(sizes: list[int], reps: int) -> CaseResult:
    """Time request building and a whole scripted turn for each thread size."""
    case = CaseResult("threads", "5. Long threads: building the next request (scripted provider)")
    timings = _timings(sizes, reps)
    labels = {
        "request": "request built, {:,} turns, 128k window",
        "untrimmed": "request built, {:,} turns, no window",
        "turn": "whole scripted turn, {:,} turns",
    }
    for key, label in labels.items():
        for size in sizes:
            budget = 5.0 if size == BUDGET_TURNS and key == "request" else None
            case.rows.append(
                Row(label.format(size), "ms", {"ours": timings[size][key]}, budget=budget)
            )
    slope = _growth(timings, "untrimmed")
    case.rows.append(
        Row("growth exponent, no window (1 = linear)", "", {"ours": slope}, budget=1.15)
    )
    case.raw = {"ms": timings, "window": WINDOW, "reserve": RESERVE}
    case.notes = [
        f"a turn is ~1,000 characters (~290 estimated tokens); with a {WINDOW:,}-token window "
        "threads beyond ~430 turns are trimmed, oldest turns first",
        "growth exponent: least-squares slope of log(time) on log(turns) over threads of 100 "
        "turns or more; 'linear or better' is read as ≤ 1.15 to allow for timing noise",
    ]
    return case


def build_thread(turns: int) -> Thread:
    """A thread of ``turns`` question/answer turns; every tenth turn calls a tool."""
    thread = Thread(system="You are the benchmark's assistant.")
    for i in range(turns):
        turn = thread.begin(Message("user", f"Question {i}: {_FILLER[:200]}"))
        if i % 10 == 9:
            call = ToolCall(f"call_{i}", "lookup", '{"key": "value"}')
            turn.messages.append(Message("assistant", None, (call,)))
            turn.messages.append(Message("tool", "a result", tool_call_id=call.id, name="lookup"))
        turn.messages.append(Message("assistant", _FILLER[:800]))
    return thread


def _provider_messages(thread: Thread, window: int | None) -> list[dict[str, object]]:
    messages = thread.request_messages(window=window, reserve=RESERVE if window else 0)
    return [m.to_provider() for m in messages]


def _run_turn(thread: Thread) -> None:
    asyncio.run(_one_turn(thread))


async def _one_turn(thread: Thread) -> None:
    provider = ScriptedProvider(window=WINDOW, default=lambda request: "ok")
    request = ChatRequest("One more question.", thread, "scripted/bench")
    async for _ in Orchestrator(provider).run(request):
        pass
    thread.turns.pop()  # keep the thread at its size for the next repetition


def _timings(sizes: list[int], reps: int) -> dict[int, dict[str, float | None]]:
    """Median ms of each measure and size; repetitions go round all of them in turn, so a
    moment of contention on a shared machine spreads over every size, not one."""
    actions: dict[tuple[int, str], Callable[[], object]] = {}
    for size in sizes:
        thread = build_thread(size)
        actions[size, "request"] = partial(_provider_messages, thread, WINDOW)
        actions[size, "untrimmed"] = partial(_provider_messages, thread, None)
        actions[size, "turn"] = partial(_run_turn, thread)
    samples: dict[tuple[int, str], list[float]] = {key: [] for key in actions}
    for action in actions.values():
        action()  # warm-up
    for rep in range(reps):
        for key, action in actions.items():
            if key[1] == "turn" and rep % 4:
                continue  # a whole turn is slower and steadier: a quarter of the repetitions
            started = time.perf_counter()
            action()
            samples[key].append((time.perf_counter() - started) * 1000)
    return {
        size: {k: median(samples[size, k]) for k in ("request", "untrimmed", "turn")}
        for size in sizes
    }


def _growth(timings: dict[int, dict[str, float | None]], key: str) -> float | None:
    """Least-squares slope of log(time) on log(turns), over the sizes of 100 turns or more."""
    points = [(math.log(n), math.log(v)) for n, t in timings.items() if (v := t[key]) and n >= 100]
    if len(points) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else None
