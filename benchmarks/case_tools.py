"""Case 4, tools: Approve click to tool start, and MCP calls and connects against the bare SDK.

- Click latency: a notebook tool (``@tool(policy="ask")``) records ``time.time()`` when it
  starts; the benchmark records ``time.time()`` when it sends the Approve click (the
  comm_msg a browser sends). Both are this machine's wall clock.
- MCP call: ``echo`` of server-everything, timed with ``perf_counter`` inside the kernel
  through our tool object (validate + call + result conversion), against ``mcp.Client`` in a
  bare process (``benchmarks/mcp_bare.py``), which also times our adapter without a kernel.
- Connects: ``%mcp load`` of a config with five server-everything entries against one, timed
  inside the kernel (each after the SDK is already imported).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from jupyter_orch.testing.openai_server import Reply

from .contenders import OURS, wait_until_warm
from .fakeserver import BenchServer
from .kernels import BenchError, BenchKernel, Received, started
from .mcp_bare import ARGS, everything_command
from .report import CaseResult, Row, median

TOOL = '''
import time
from jupyter_orch import tool
_starts = []

@tool(policy="ask")
def bench_tool(x: int) -> str:
    """Record when the tool starts."""
    _starts.append(time.time())
    return "done"
'''
HUMAN_PAUSE = 0.2  # a person clicks after the card is drawn, not while it is being sent
TIMED_CALLS = """
import json, time
{setup}
for _ in range(20):
    await {call}
_times = []
for _ in range({calls}):
    _t0 = time.perf_counter()
    await {call}
    _times.append((time.perf_counter() - _t0) * 1000)
{teardown}
print(json.dumps(_times))
"""
"""A cell timing ``calls`` awaits of ``call`` (after 20 untimed), printing the times as JSON."""
OURS_SETUP = """from jupyter_orch.ipython.loader import get_extension
_tool = get_extension().session.registry.get("echo")"""
SDK_SETUP = """import contextlib, os
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
_params = StdioServerParameters(command={command!r}, args={args_list!r})
_stack = contextlib.AsyncExitStack()
# The server's stderr goes to a file, as ours does, not through the kernel's stderr.
_errlog = _stack.enter_context(open(os.devnull, "w"))
_client = await _stack.enter_async_context(Client(stdio_client(_params, errlog=_errlog)))"""
"""The bare SDK, in the same kernel as ours."""
LOAD = """import time as _t
_t0 = _t.perf_counter()
%mcp load {path}
print('ELAPSED', _t.perf_counter() - _t0)"""
NPM = "npm ci --prefix tests/support/npm"


def run(clicks: int, calls: int, connect_reps: int) -> CaseResult:
    """Measure click latency, MCP call overhead and concurrent connects."""
    case = CaseResult("tools", "4. Tools: approval click and MCP")
    click_ms = _click_latencies(clicks)
    click = Row("Approve click → tool starts", "ms", {"ours": median(click_ms)}, budget=20)
    case.rows.append(click)
    case.raw["click_ms"] = click_ms
    case.notes.append("peers have no approval step (chatlab runs tools at once; %%ai has no tools)")
    if everything_command() is None:
        case.failures.append(f"MCP not measured: server-everything is not installed ({NPM})")
        return case
    bare = _bare(calls)
    kernel_calls, loads = _in_kernel(calls, connect_reps)
    case.rows += _mcp_rows(bare, kernel_calls, loads)
    case.notes.append(
        "MCP echo calls: ours through our tool object, the SDK through mcp.Client, both timed "
        "inside the same kernel; the bare-process row compares both outside a kernel"
    )
    case.notes.append(
        "connects are of node server-everything processes; on 2 cores five node start-ups "
        "compete for CPU, which the bare SDK's own ratio shows"
    )
    case.raw.update({"bare": bare, "kernel_call_ms": kernel_calls, "load_s": loads})
    return case


def _mcp_rows(
    bare: dict[str, Any], kernel_calls: dict[str, list[float]], loads: dict[str, list[float]]
) -> list[Row]:
    sdk = bare["sdk"]
    sdk_call, ours_call = median(kernel_calls["sdk"]), median(kernel_calls["ours"])
    adapter_call, bare_sdk_call = median(bare["adapter"]["call_ms"]), median(sdk["call_ms"])
    one, five = median(loads["one"]), median(loads["five"])
    sdk_one, sdk_five = sdk["connect_one_s"] * 1000, sdk["connect_many_s"] * 1000
    return [
        Row("MCP echo call, in the kernel", "ms", {"ours": ours_call, "sdk": sdk_call}),
        Row("MCP echo call ÷ bare SDK", "ratio", {"ours": _ratio(ours_call, sdk_call)}, budget=1.5),
        Row(
            "same, both in a bare process (no kernel)",
            "ratio",
            {"ours": _ratio(adapter_call, bare_sdk_call)},
        ),
        Row("connect 1 server", "ms", {"ours": _ms(one), "sdk": sdk_one}),
        Row("connect 5 servers together", "ms", {"ours": _ms(five), "sdk": sdk_five}),
        Row(
            "5 together ÷ 1",
            "ratio",
            {"ours": _ratio(five, one), "sdk": sdk_five / sdk_one},
            budget=1.3,
        ),
    ]


def _click_latencies(clicks: int) -> list[float]:
    with BenchServer() as server, started(OURS.python, OURS.env()) as kernel:
        kernel.run_ok(OURS.setup(server.url))
        kernel.run_ok(TOOL)
        wait_until_warm(kernel)
        out = []
        for _ in range(clicks):
            server.expect(Reply.tool_calls([("bench_tool", {"x": 1})]), Reply.text("Done."))
            sent = _approve(kernel)
            started_at = float(kernel.run_ok("print(_starts[-1])").stdout().split()[-1])
            out.append((started_at - sent) * 1000)
        return out


def _approve(kernel: BenchKernel) -> float:
    """Run a chat turn that asks for the tool; click Approve; return when the click was sent."""
    ex = kernel.send("%%chat\nRun the tool.")
    kernel.collect(ex, until=_approve_button, timeout=120)
    button = ex.last(_approve_button)
    assert button is not None
    time.sleep(HUMAN_PAUSE)
    sent = kernel.click(button.msg["content"]["comm_id"])
    kernel.collect(ex, timeout=60)
    if ex.errors():
        raise BenchError(f"the tool turn failed: {ex.errors()[0]}")
    return sent


def _approve_button(received: Received) -> bool:
    if received.type != "comm_open":
        return False
    state = received.msg["content"].get("data", {}).get("state", {})
    return bool(state.get("_model_name") == "ButtonModel" and state.get("description") == "Approve")


def _bare(calls: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.mcp_bare", "--calls", str(calls), "--servers", "5"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise BenchError(f"mcp_bare failed: {done.stderr[-800:]}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def _in_kernel(calls: int, reps: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    command = everything_command() or []
    loads: dict[str, list[float]] = {"one": [], "five": []}
    with tempfile.TemporaryDirectory(prefix="bench-mcp-") as folder, started(OURS.python) as kernel:
        kernel.run_ok(OURS.load)
        wait_until_warm(kernel)
        configs = {n: _config(Path(folder), n, command) for n in ("one", "five")}
        kernel.run_ok(f"%mcp load {configs['one']}")  # imports the SDK, warms node's cache
        ours = TIMED_CALLS.format(
            setup=OURS_SETUP, call=f"_tool.call(_tool.validate({ARGS!r}))", calls=calls, teardown=""
        )
        times = {"ours": _printed_times(kernel, ours)}
        kernel.run_ok("%mcp remove s0")
        sdk = TIMED_CALLS.format(
            setup=SDK_SETUP.format(command=command[0], args_list=command[1:]),
            call=f'_client.call_tool("echo", {ARGS!r})',
            calls=calls,
            teardown="await _stack.aclose()",
        )
        times["sdk"] = _printed_times(kernel, sdk)
        for rep in range(reps):
            for size in ("one", "five") if rep % 2 == 0 else ("five", "one"):
                out = kernel.run_ok(LOAD.format(path=configs[size])).stdout()
                loads[size].append(float(out.split("ELAPSED")[-1]))
                names = range(1 if size == "one" else 5)
                kernel.run_ok("\n".join(f"%mcp remove s{i}" for i in names))
    return times, loads


def _printed_times(kernel: BenchKernel, code: str) -> list[float]:
    return list(json.loads(kernel.run_ok(code).stdout().splitlines()[-1]))


def _config(folder: Path, size: str, command: list[str]) -> Path:
    count = 1 if size == "one" else 5
    servers = {f"s{i}": {"command": command[0], "args": command[1:]} for i in range(count)}
    path = folder / f"{size}.json"
    path.write_text(json.dumps({"mcpServers": servers}))
    return path


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000
