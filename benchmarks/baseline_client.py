"""A bare process consuming the same stream with LiteLLM, the openai SDK, or our core alone.

Its CPU per chunk is the baseline the kernel's is compared against: what the HTTP client
costs by itself. ``ours`` is our orchestrator and LiteLLM provider without a kernel (no
display, no IPython), to tell our core's cost from the kernel's. Each repetition streams a
short answer, then the long one: the difference divided by the difference in chunks is the
cost of one more chunk, without the per-request cost. The server must serve a warm-up
answer, then (short, long) per repetition. Run by case 2 as a subprocess; prints one JSON
line::

    python -m benchmarks.baseline_client --client litellm --url URL --reps 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

MODEL = "bench"


async def _litellm_stream(url: str) -> int:
    import litellm

    response = await litellm.acompletion(
        model=f"openai/{MODEL}",
        messages=[{"role": "user", "content": "Write the benchmark answer."}],
        api_base=url,
        api_key="sk-test",
        stream=True,
        stream_options={"include_usage": True},
    )
    return await _count(response)


async def _openai_stream(url: str) -> int:
    import openai

    client = openai.AsyncOpenAI(base_url=url, api_key="sk-test")
    response = await client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Write the benchmark answer."}],
        stream=True,
        stream_options={"include_usage": True},
    )
    return await _count(response)


async def _orchestrator_stream(url: str) -> int:
    from jupyter_orch.core.events import TextDelta
    from jupyter_orch.core.orchestrator import Orchestrator
    from jupyter_orch.core.request import ChatRequest
    from jupyter_orch.core.thread import Thread
    from jupyter_orch.providers.litellm import LiteLLMProvider

    params = {"api_base": url, "api_key": "sk-test"}
    request = ChatRequest("Write the benchmark answer.", Thread(), f"openai/{MODEL}", params=params)
    chunks = 0
    async for event in Orchestrator(LiteLLMProvider(), context_window=128_000).run(request):
        chunks += isinstance(event, TextDelta)
    return chunks


async def _count(response: Any) -> int:
    chunks = 0
    async for chunk in response:
        if chunk.choices and chunk.choices[0].delta.content:
            chunks += 1
    return chunks


async def _main(client: str, url: str, reps: int) -> dict[str, Any]:
    streams = {"litellm": _litellm_stream, "openai": _openai_stream, "ours": _orchestrator_stream}
    stream = streams[client]
    await stream(url)  # warm-up: imports, connection pool, first-call setup
    samples = []
    for _ in range(reps):
        sample: dict[str, float] = {}
        for size in ("short", "long"):
            cpu = time.process_time()
            sample[f"{size}_chunks"] = await stream(url)
            sample[f"{size}_cpu_ms"] = (time.process_time() - cpu) * 1000
        samples.append(sample)
    return {"client": client, "samples": samples}


def main() -> None:
    """Parse the arguments, stream ``reps`` answers after a warm-up, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--client", choices=("litellm", "openai", "ours"), required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(_main(args.client, args.url, args.reps))))


if __name__ == "__main__":
    main()
