"""Results: rows of measurements per case, printed as Markdown tables and saved as JSON."""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

LABELS = {
    "ours": "jupyter-orch",
    "today": "jupyter-orch, today's path",
    "jupyter-ai": "jupyter-ai-magics",
    "chatlab": "chatlab",
    "litellm": "litellm alone",
    "openai": "openai SDK alone",
    "sdk": "bare MCP SDK",
}
BASELINES = ("litellm", "openai", "sdk")
"""Reference measurements shown beside ours, without a ratio column (they are not peers)."""
DOCS_START = "<!-- results:start -->"
DOCS_END = "<!-- results:end -->"


@dataclass
class Row:
    """One metric, measured for one or more contenders (``ours`` first).

    ``values`` maps a contender to its number, or to ``None`` with the reason in ``notes``.
    ``budget`` is the most ours may reach; it is ``met`` when ours is at or under it.
    """

    metric: str
    unit: str
    values: dict[str, float | None]
    notes: dict[str, str] = field(default_factory=dict)
    budget: float | None = None

    @property
    def met(self) -> bool | None:
        """Whether ours is within the budget (``None``: no budget or no number)."""
        ours = self.values.get("ours")
        if self.budget is None or ours is None:
            return None
        return ours <= self.budget


@dataclass
class CaseResult:
    """What one case measured: rows for the table, notes, and raw numbers for the JSON."""

    key: str
    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    failures: list[str] = field(default_factory=list)


def median(values: Iterable[float]) -> float | None:
    """The median, or ``None`` of nothing."""
    items = list(values)
    return statistics.median(items) if items else None


def case_table(case: CaseResult) -> str:
    """Render one case as a Markdown table; peers' columns also show peer ÷ ours."""
    if case.error is not None:
        return f"### {case.title}\n\nnot measured: {case.error}\n"
    contenders = _contenders(case.rows)
    peers = [c for c in contenders if c != "ours" and c not in BASELINES]
    header = ["metric", *(LABELS.get(c, c) for c in contenders)]
    header += [f"{LABELS.get(p, p)} ÷ ours" for p in peers] + ["budget (ours)", "met"]
    lines = [_line(header), _line(["---"] + ["---:"] * (len(header) - 2) + ["---"])]
    for row in case.rows:
        cells = [f"{row.metric} ({row.unit})" if row.unit else row.metric]
        cells += [_cell(row, c) for c in contenders]
        cells += [_ratio(row, p) for p in peers]
        budget = "" if row.budget is None else f"≤ {_number(row.budget, row.unit)}"
        cells += [budget, {True: "yes", False: "**no**", None: ""}[row.met]]
        lines.append(_line(cells))
    notes = "".join(f"\n- {n}" for n in [*case.notes, *case.failures])
    return f"### {case.title}\n\n" + "\n".join(lines) + ("\n" + notes if notes else "") + "\n"


def full_report(cases: Sequence[CaseResult], meta: dict[str, Any]) -> str:
    """All tables with a heading line about the machine and the run."""
    head = (
        f"Run {meta['date']} on {meta['machine']}; load average before/after "
        f"{meta['load_before']} / {meta['load_after']}; {meta['mode']} run, "
        f"{meta['seconds']:.0f} s.\n"
    )
    return head + "\n" + "\n".join(case_table(c) for c in cases)


def machine() -> dict[str, Any]:
    """What the run ran on."""
    memory = psutil.virtual_memory().total / 2**30
    return {
        "machine": f"{os.cpu_count()} cores, {memory:.0f} GiB, {platform.platform(terse=True)}, "
        f"Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages, rounded."""
    return [round(x, 2) for x in os.getloadavg()]


def write_json(path: Path, cases: Sequence[CaseResult], meta: dict[str, Any]) -> None:
    """Save the run (every row, note and raw number) as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"meta": meta, "cases": [asdict(c) for c in cases]}
    path.write_text(json.dumps(data, indent=1, default=str) + "\n")


def update_docs(path: Path, report: str) -> None:
    """Replace the text between the results markers of ``path`` with ``report``."""
    text = path.read_text()
    pattern = re.compile(re.escape(DOCS_START) + ".*?" + re.escape(DOCS_END), re.S)
    if not pattern.search(text):
        raise ValueError(f"{path} has no {DOCS_START} ... {DOCS_END} section")
    path.write_text(pattern.sub(lambda _: f"{DOCS_START}\n{report}\n{DOCS_END}", text))


def _contenders(rows: Sequence[Row]) -> list[str]:
    seen: list[str] = []
    for row in rows:
        for key in [*row.values, *row.notes]:
            if key not in seen:
                seen.append(key)
    return sorted(seen, key=lambda k: (k != "ours", list(LABELS).index(k) if k in LABELS else 99))


def _cell(row: Row, contender: str) -> str:
    value = row.values.get(contender)
    if value is None:
        return row.notes.get(contender, "")
    return _number(value, row.unit)


def _ratio(row: Row, peer: str) -> str:
    ours, theirs = row.values.get("ours"), row.values.get(peer)
    if ours is None or theirs is None or ours <= 0 or theirs < 0:
        return ""  # a ratio of a difference that came out negative (noise) means nothing
    return f"{theirs / ours:.1f}×"  # noqa: RUF001  # the multiplication sign is meant


def _number(value: float, unit: str) -> str:
    if unit in ("messages", "KB", "MB") and abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 0.1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _line(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def chunk_cost(long: float | None, short: float | None, extra: int) -> float | None:
    """The cost of one extra chunk: the long run's less the short run's, over the extra."""
    if long is None or short is None or extra <= 0:
        return None
    return (long - short) / extra


def minus(value: float | None, base: float | None) -> float | None:
    """``value - base``, or None when either is unknown."""
    return None if value is None or base is None else value - base


def fmt3(value: float | None) -> str:
    """Three decimals, or ``n/a``."""
    return "n/a" if value is None else f"{value:.3f}"
