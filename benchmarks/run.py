"""The benchmark runner: every case in real kernels, a table on stdout, the numbers as JSON.

Usage (from the repository root, with the project's venv)::

    .venv/bin/python -m benchmarks                  # full run (~5 min), peers included
    .venv/bin/python -m benchmarks --smoke          # every case once, tiny sizes (~1-2 min)
    .venv/bin/python -m benchmarks --cases stream,cold --no-peers
    .venv/bin/python -m benchmarks --update-docs    # also rewrite docs/benchmarks.md's table

Peers need ``bash benchmarks/setup_peers.sh`` first (their own venv); the MCP rows need
``npm ci --prefix tests/support/npm``. The smoke run asserts no timing: it fails only when
a case cannot run or leaves a number unmeasured.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from . import case_bridge, case_cold, case_load, case_stream, case_threads, case_tools
from .contenders import PEERS_PYTHON
from .kernels import ROOT
from .report import (
    CaseResult,
    full_report,
    load_average,
    machine,
    update_docs,
    write_json,
)

CASES = ("load", "stream", "bridge", "cold", "tools", "threads")
RESULTS = ROOT / "benchmarks" / "results"
DOCS = ROOT / "docs" / "benchmarks.md"


@dataclass(frozen=True)
class Sizes:
    """How much each case does."""

    load_reps: int
    stream: case_stream.Plan
    cold_reps: int
    clicks: int
    mcp_calls: int
    connect_reps: int
    thread_sizes: tuple[int, ...]
    thread_reps: int


FULL = Sizes(5, case_stream.Plan(2000, 100, 1, 5), 3, 10, 200, 3, (10, 100, 500, 1000, 2000), 50)
SMOKE = Sizes(1, case_stream.Plan(40, 400, 1, 1), 1, 1, 5, 1, (10, 100, 500), 3)


def run_cases(names: Sequence[str], sizes: Sizes, with_peers: bool) -> list[CaseResult]:
    """Run the named cases in order; a case that raises is reported, not fatal."""
    steps: dict[str, Callable[[], list[CaseResult]]] = {
        "load": lambda: [case_load.run(sizes.load_reps, with_peers)],
        "stream": lambda: case_stream.run(sizes.stream, with_peers),
        "bridge": lambda: [case_bridge.run(sizes.stream)],
        "cold": lambda: [case_cold.run(sizes.cold_reps, with_peers)],
        "tools": lambda: [case_tools.run(sizes.clicks, sizes.mcp_calls, sizes.connect_reps)],
        "threads": lambda: [case_threads.run(list(sizes.thread_sizes), sizes.thread_reps)],
    }
    results: list[CaseResult] = []
    for name in names:
        started = time.monotonic()
        print(f"[benchmarks] {name}...", file=sys.stderr, flush=True)
        try:
            results += steps[name]()
        except Exception as exc:  # one broken case must not hide the others
            traceback.print_exc()
            results.append(CaseResult(name, name, error=f"{type(exc).__name__}: {exc}"))
        print(f"[benchmarks] {name} done in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return results


def smoke_problems(cases: Sequence[CaseResult]) -> tuple[list[str], list[str]]:
    """What makes a smoke run fail (a case broke, a number is missing), and mere warnings.

    A peer that is not installed is a warning (CI may skip ``setup_peers.sh``); a peer that
    is installed but fails is a problem, like any failure of ours.
    """
    problems = [f"{c.key}: {c.error}" for c in cases if c.error]
    problems += [f"{c.key}: {f}" for c in cases for f in c.failures]
    warnings: set[str] = set()
    for case in cases:
        for row in case.rows:
            for key, value in row.values.items():
                if value is None and key not in row.notes:
                    problems.append(f"{case.key}: '{row.metric}' has no value for {key}")
            for key, why in row.notes.items():
                if why.startswith("not installed"):
                    warnings.add(f"{key}: {why}")
                elif why != "skipped":
                    problems.append(f"{case.key}: {key}: {why}")
    return problems, sorted(warnings)


def versions() -> dict[str, str]:
    """Versions of what was measured (ours and the peers' venv)."""
    found = {"commit": _output(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])}
    query = (
        "import importlib.metadata as m\n"
        "for p in {names!r}:\n"
        "    try: print(p, m.version(p))\n"
        "    except m.PackageNotFoundError: pass\n"
    )
    ours = ("jupyter-orch", "litellm", "ipykernel", "ipython", "mcp", "openai")
    peers = ("jupyter-ai-magics", "chatlab", "langchain-openai", "openai", "ipykernel", "ipython")
    for python, names, prefix in ((sys.executable, ours, ""), (str(PEERS_PYTHON), peers, "peers/")):
        if Path(python).exists():
            for line in _output([python, "-c", query.format(names=names)]).splitlines():
                name, _, version = line.partition(" ")
                found[prefix + name] = version
    return found


def _output(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except OSError:
        return ""
    return done.stdout.strip()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, run the cases, print the tables, write the JSON."""
    args = _parser().parse_args(argv)
    names = [n.strip() for n in args.cases.split(",") if n.strip()]
    unknown = sorted(set(names) - set(CASES))
    if unknown:
        print(
            f"benchmarks: unknown case(s) {', '.join(unknown)}; choose from {', '.join(CASES)}",
            file=sys.stderr,
        )
        return 2
    sizes = SMOKE if args.smoke else FULL
    started, load_before = time.monotonic(), load_average()
    cases = run_cases(names, sizes, with_peers=not args.no_peers)
    meta = {
        **machine(),
        "mode": "smoke" if args.smoke else "full",
        "load_before": load_before,
        "load_after": load_average(),
        "seconds": time.monotonic() - started,
        "versions": versions(),
    }
    report = full_report(cases, meta)
    print(report)
    json_path = args.json or RESULTS / ("smoke.json" if args.smoke else "latest.json")
    write_json(json_path, cases, meta)
    print(f"[benchmarks] wrote {json_path}", file=sys.stderr)
    if args.update_docs:
        update_docs(DOCS, report)
        print(f"[benchmarks] updated {DOCS}", file=sys.stderr)
    if args.smoke:
        problems, warnings = smoke_problems(cases)
        for warning in warnings:
            print(f"[benchmarks] smoke warning: {warning}", file=sys.stderr)
        for problem in problems:
            print(f"[benchmarks] smoke problem: {problem}", file=sys.stderr)
        broken = {p.split(":", 1)[0] for p in problems}
        print(f"smoke: {len(cases) - len(broken)} passed, {len(broken)} failed")
        return 1 if problems else 0
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument(
        "--smoke", action="store_true", help="every case once with tiny sizes; asserts no timings"
    )
    parser.add_argument(
        "--cases", default=",".join(CASES), help=f"comma-separated subset of {','.join(CASES)}"
    )
    parser.add_argument("--no-peers", action="store_true", help="measure ours only")
    parser.add_argument(
        "--json", type=Path, help="where to write the JSON (default benchmarks/results/)"
    )
    parser.add_argument(
        "--update-docs",
        action="store_true",
        help=f"rewrite the results section of {DOCS.relative_to(ROOT)}",
    )
    return parser
