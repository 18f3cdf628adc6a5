"""One llama.cpp model in this process: loaded on first use, one generation at a time.

``llama_cpp`` is imported only when the first request loads the model, so importing
jupyter-orch (or registering the provider) costs nothing when the local model is not used.
"""

from __future__ import annotations

import atexit
import importlib
import os
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_orch.core.errors import ProviderError

from .weights import INSTALL_HINT

THREADS_ENV = "JUPYTER_ORCH_LOCAL_THREADS"
"""Environment variable setting the local model's CPU threads."""

DEFAULT_MAX_TOKENS = 512
"""Answer length when the request sets none: a 135M model can loop until its context fills."""


@dataclass(frozen=True, slots=True)
class Generation:
    """What to generate.

    Parameters
    ----------
    messages
        Plain chat messages (``role`` and text ``content`` only).
    forced_tool
        The OpenAI-format schema of the tool the answer must call, or ``None`` for plain chat.
    temperature, max_tokens, seed, stop
        Sampling settings; ``None`` temperature or seed leaves llama.cpp's default.
    """

    messages: list[dict[str, str]]
    forced_tool: dict[str, Any] | None = None
    temperature: float | None = None
    max_tokens: int = DEFAULT_MAX_TOKENS
    seed: int | None = None
    stop: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TextPiece:
    """A piece of the answer's text."""

    text: str


@dataclass(frozen=True, slots=True)
class ToolCallPiece:
    """A piece of a tool call; ``id`` and ``name`` come with the first piece only."""

    index: int
    id: str | None
    name: str | None
    arguments: str


@dataclass(frozen=True, slots=True)
class Finished:
    """The end of an answer: why it stopped and how many tokens it read and wrote."""

    reason: str
    prompt_tokens: int
    completion_tokens: int


Piece = TextPiece | ToolCallPiece | Finished


class LocalModel:
    """A GGUF model served by llama-cpp-python, safe to share between threads.

    Parameters
    ----------
    path
        The GGUF file.
    context_window
        Tokens of context to allocate.
    threads
        CPU threads for generation and prompt reading (default: ``$JUPYTER_ORCH_LOCAL_THREADS``,
        else half the machine's cores, at least 1 and at most 4).
    """

    def __init__(self, path: Path, context_window: int, threads: int | None = None) -> None:
        self.path = path
        self.context_window = context_window
        self.threads = threads
        self.load_seconds: float | None = None
        # llama.cpp contexts are not thread-safe: one generation (and one load) at a time.
        self._lock = threading.Lock()
        self._llama: Any = None

    def generate(self, generation: Generation, stop: threading.Event) -> Iterator[Piece]:
        """Yield the answer's pieces, then one :class:`Finished`; blocks, so run it in a thread.

        Setting ``stop`` ends the generation before the next token.

        Raises
        ------
        ProviderError
            llama-cpp-python is missing or broken, or the prompt does not fit the context.
        """
        with self._lock:
            if stop.is_set():
                return
            llama = self._loaded()
            llama.stop_event = stop
            try:
                chunks = _start(llama, generation)
                yield from _pieces(chunks, llama, stop)
            except ValueError as error:
                if "exceed context window" in str(error):
                    raise ProviderError(
                        f"the conversation does not fit the local model's context of "
                        f"{self.context_window} tokens: start a new thread or shorten it",
                        kind="context_window",
                    ) from error
                raise

    def _loaded(self) -> Any:
        if self._llama is None:
            started = time.perf_counter()
            try:
                threads = self.threads or _default_threads()
                self._llama = _counting_llama_class()(
                    model_path=str(self.path),
                    n_ctx=self.context_window,
                    n_threads=threads,
                    n_threads_batch=threads,
                    verbose=False,
                )
            except ValueError as error:  # llama-cpp-python's "Failed to load model from file"
                raise ProviderError(
                    f"the local model could not load {self.path}: {error}", kind="config"
                ) from error
            self.load_seconds = time.perf_counter() - started
            # Free the model before interpreter teardown: llama-cpp-python's own __del__ runs
            # too late then and fails with "'NoneType' object is not callable".
            atexit.register(_close, weakref.ref(self._llama))
        return self._llama


def _default_threads() -> int:
    configured = os.environ.get(THREADS_ENV, "").strip()
    if configured:
        if not configured.isdigit() or int(configured) < 1:
            raise ProviderError(
                f"${THREADS_ENV} must be a positive integer, not {configured!r}", kind="config"
            )
        return int(configured)
    # Measured on 2 shared cores: llama.cpp's OpenMP threads spin while they wait, so with
    # other busy processes 2 threads streamed 6-7 tokens/s and 1 thread 25-39.
    return max(1, min(4, (os.cpu_count() or 2) // 2))


def _close(llama: weakref.ref[Any]) -> None:
    loaded = llama()
    if loaded is not None:
        loaded.close()


def _start(llama: Any, generation: Generation) -> Iterator[dict[str, Any]]:
    settings: dict[str, Any] = {
        "max_tokens": generation.max_tokens,
        "stop": list(generation.stop),
        "stream": True,
    }
    if generation.temperature is not None:
        settings["temperature"] = generation.temperature
    if generation.seed is not None:
        settings["seed"] = generation.seed
    if generation.forced_tool is None:
        # The chat template stored in the GGUF file: the format the model was trained on.
        chunks: Iterator[dict[str, Any]] = llama.create_chat_completion(
            messages=generation.messages, **settings
        )
        return chunks
    llama_chat_format = _llama_cpp("llama_cpp.llama_chat_format")
    # Measured: with a forced function this handler's JSON grammar gives valid calls from
    # SmolLM2; its "auto" mode does not (the model never picks a tool on its own).
    handler = llama_chat_format.get_chat_completion_handler("chatml-function-calling")
    name = generation.forced_tool["function"]["name"]
    forced: Iterator[dict[str, Any]] = handler(
        llama=llama,
        messages=generation.messages,
        tools=[generation.forced_tool],
        tool_choice={"type": "function", "function": {"name": name}},
        **settings,
    )
    return forced


def _pieces(chunks: Iterator[dict[str, Any]], llama: Any, stop: threading.Event) -> Iterator[Piece]:
    reason = "stop"
    named: set[int] = set()
    try:
        for chunk in chunks:
            if stop.is_set():
                return
            choice = chunk["choices"][0]
            delta = choice.get("delta") or {}
            if delta.get("content"):
                yield TextPiece(delta["content"])
            for call in delta.get("tool_calls") or []:
                index = int(call.get("index", 0))
                first = index not in named
                named.add(index)
                function = call.get("function") or {}
                yield ToolCallPiece(
                    index=index,
                    id=call.get("id") if first else None,
                    name=function.get("name") if first else None,
                    arguments=function.get("arguments") or "",
                )
            reason = choice.get("finish_reason") or reason
    finally:
        # Closing the generator releases llama.cpp's sampling state before the lock is let go.
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    if named:
        reason = "tool_calls"
    yield Finished(reason, llama.prompt_token_count, llama.completion_token_count)


_LLAMA_CLASS: Any = None


def _counting_llama_class() -> Any:
    """Return ``llama_cpp.Llama`` extended to count tokens and to stop between tokens.

    llama-cpp-python reports usage only for non-streamed answers; its ``generate`` sees
    every prompt token and every sampled token, so counting there is exact for both.
    """
    global _LLAMA_CLASS
    if _LLAMA_CLASS is not None:
        return _LLAMA_CLASS
    try:
        llama: Any = _llama_cpp("llama_cpp").Llama
    except (ImportError, OSError) as error:
        raise ProviderError(
            f"the local model needs extra packages (llama-cpp-python: {error}): {INSTALL_HINT}",
            kind="config",
        ) from error

    class CountingLlama(llama):  # type: ignore[misc]  # Llama is Any: see _llama_cpp
        stop_event: threading.Event | None = None
        prompt_token_count = 0
        completion_token_count = 0

        def generate(self, tokens: Any, *args: Any, **kwargs: Any) -> Iterator[int]:
            self.prompt_token_count = len(tokens)
            self.completion_token_count = 0
            for token in super().generate(tokens, *args, **kwargs):
                if self.stop_event is not None and self.stop_event.is_set():
                    return
                self.completion_token_count += 1
                yield token

    _LLAMA_CLASS = CountingLlama
    return _LLAMA_CLASS


def _llama_cpp(module: str) -> Any:
    """Import a llama_cpp module as ``Any``.

    Its types differ between versions and it may be absent where mypy runs, so
    jupyter-orch checks its own code against the shapes documented above instead.
    """
    return importlib.import_module(module)
