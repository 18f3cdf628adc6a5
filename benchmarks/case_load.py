"""Case 1, load: wall time and memory that loading an extension adds to a fresh kernel.

Wall time is measured inside the kernel (``perf_counter`` around the load), so messaging is
not counted. Memory is the kernel process's RSS read from outside (psutil) just before and
just after the load cell. Ours starts importing LiteLLM in a background thread at load (it
is needed at the first ``%%chat``), so ours is also measured with ``JupyterOrch.warm = False``
(the load alone) and once the warm-up import has finished.
"""

from __future__ import annotations

import gc

from .contenders import JUPYTER_AI, OURS, Contender, available, missing, wait_until_warm
from .kernels import BenchKernel, started
from .report import CaseResult, Row, median

_TIMED = "import time as _t\n_t0 = _t.perf_counter()\n{code}\nprint(_t.perf_counter() - _t0)"


def run(reps: int, with_peers: bool) -> CaseResult:
    """Load each contender in ``reps`` fresh kernels; report medians."""
    case = CaseResult("load", "1. Load: %load_ext in a fresh kernel (median of fresh kernels)")
    samples: dict[str, list[tuple[float, float]]] = {}
    warmed: list[float] = []
    contenders = available((JUPYTER_AI,), with_peers)
    for _ in range(reps):
        for contender in contenders:
            samples.setdefault(contender.key, []).append(_load_once(contender, contender.load))
        code = "%config JupyterOrch.warm = False\n%load_ext jupyter_orch"
        samples.setdefault("ours-cold", []).append(_load_once(OURS, code))
        warmed.append(_load_then_warm())
    wall = {k: median(s[0] for s in v) for k, v in samples.items()}
    rss = {k: median(s[1] for s in v) for k, v in samples.items()}
    notes = {} if with_peers else {"jupyter-ai": "skipped"}
    if with_peers and missing(JUPYTER_AI):
        notes = {"jupyter-ai": str(missing(JUPYTER_AI))}
    case.rows = [
        Row("load wall time", "ms", _pick(wall, "ours", "jupyter-ai"), notes, budget=150),
        Row("memory added at return", "MB", _pick(rss, "ours", "jupyter-ai"), notes, budget=30),
        Row("load wall time, warm-up off", "ms", {"ours": wall["ours-cold"]}),
        Row("memory added, warm-up off", "MB", {"ours": rss["ours-cold"]}),
        Row("memory added once LiteLLM is warm", "MB", {"ours": median(warmed)}),
    ]
    case.raw = {"samples_ms_mb": samples, "warm_mb": warmed}
    case.notes = [
        "ours warms LiteLLM (~180 MB, seconds of import) in a background thread after load; "
        "'memory added at return' is read right after the load cell returns, as a user "
        "would meet it; the last row is after that import has finished",
        "jupyter-ai-magics runs on IPython 8 in the peers' venv, ours on IPython 9: "
        "the comparison is of what each load adds to its own fresh kernel",
    ]
    return case


def _load_once(contender: Contender, code: str) -> tuple[float, float]:
    """Return (wall ms, RSS MB added) of running ``code`` in a fresh kernel."""
    with started(contender.python, contender.env()) as kernel:
        kernel.run_ok("import gc; gc.collect()")
        before = _settled_rss(kernel)
        seconds = float(kernel.run_ok(_TIMED.format(code=code)).stdout().split()[-1])
        added = (kernel.rss() - before) / 2**20
    return seconds * 1000, added


def _load_then_warm() -> float:
    """RSS MB added by loading ours once its background LiteLLM import has finished."""
    with started(OURS.python, OURS.env()) as kernel:
        kernel.run_ok("import gc; gc.collect()")
        before = _settled_rss(kernel)
        kernel.run_ok(OURS.load)
        wait_until_warm(kernel)
        return (kernel.rss() - before) / 2**20


def _settled_rss(kernel: BenchKernel) -> int:
    gc.collect()
    return kernel.rss()


def _pick(values: dict[str, float | None], *keys: str) -> dict[str, float | None]:
    return {k: values[k] for k in keys if k in values}
