"""The LiteLLM side of the local provider: a ``litellm.CustomLLM`` serving ``local/<name>``.

Imported only by :func:`jupyter_orch.providers.local.register`, i.e. after litellm itself.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from litellm.exceptions import BadRequestError, ContextWindowExceededError, NotFoundError
from litellm.llms.custom_llm import CustomLLM
from litellm.types.llms.openai import ChatCompletionUsageBlock
from litellm.types.utils import (
    ChatCompletionMessageToolCall,
    Function,
    GenericStreamingChunk,
    Message,
    ModelResponse,
    Usage,
)

from jupyter_orch.core.errors import ProviderError

from .model import Finished, Generation, LocalModel, Piece, TextPiece, ToolCallPiece
from .prompt import build_generation
from .weights import INSTALL_HINT, LocalModelSpec, is_importable, locate_weights, model_spec
from .worker import iterate_in_thread


class LocalLLM(CustomLLM):
    """Answers ``local/<name>`` requests with a llama.cpp model in this process.

    The model is loaded on the first request and shared; one generation runs at a time,
    in a worker thread, so the event loop (and the kernel's comm messages) stay responsive.

    Tools: the small model cannot decide on its own whether to call a tool (measured:
    ``tool_choice="auto"`` gives unusable output), so tools are used only when
    ``tool_choice`` forces one function (``{"type": "function", "function": {"name": ...}}``);
    then the answer is a call to that function, with JSON arguments that follow its schema.
    With any other ``tool_choice`` the tools are ignored and the model answers in plain chat.

    Errors reach litellm's caller as litellm's own exception types (so litellm passes them
    through unchanged): ``litellm.NotFoundError`` for an unknown local model,
    ``litellm.ContextWindowExceededError`` when the conversation does not fit, and
    ``litellm.BadRequestError`` for missing packages or weights and bad settings. Each carries
    the one-line :class:`~jupyter_orch.core.errors.ProviderError` as ``orch_error``.
    """

    def __init__(self) -> None:
        super().__init__()
        self._models: dict[Path, LocalModel] = {}
        self._models_lock = threading.Lock()

    # litellm calls these with keyword arguments only; the ones used here are model,
    # messages and optional_params (and model_response for the non-streamed answers).

    # An async generator where the base declares a coroutine: litellm's router accepts both.
    async def astreaming(  # type: ignore[override]
        self, *args: Any, **kwargs: Any
    ) -> AsyncIterator[GenericStreamingChunk]:
        """Stream the answer as litellm's generic chunks (text and tool-call pieces)."""
        model, generation = self._prepared(kwargs)
        try:
            async for piece in iterate_in_thread(
                partial(model.generate, generation), name="jupyter-orch-local-model"
            ):
                yield _chunk(piece)
        except ProviderError as error:
            raise _litellm_error(error, kwargs["model"]) from error

    async def acompletion(self, *args: Any, **kwargs: Any) -> ModelResponse:
        """Return the whole answer; generation runs in a worker thread."""
        model, generation = self._prepared(kwargs)
        answer = _Answer()
        try:
            async for piece in iterate_in_thread(
                partial(model.generate, generation), name="jupyter-orch-local-model"
            ):
                answer.add(piece)
        except ProviderError as error:
            raise _litellm_error(error, kwargs["model"]) from error
        return answer.response(kwargs["model_response"], kwargs["model"])

    def streaming(self, *args: Any, **kwargs: Any) -> Iterator[GenericStreamingChunk]:
        """Stream the answer, generating in the calling thread (litellm's sync path)."""
        model, generation = self._prepared(kwargs)
        try:
            for piece in model.generate(generation, threading.Event()):
                yield _chunk(piece)
        except ProviderError as error:
            raise _litellm_error(error, kwargs["model"]) from error

    def completion(self, *args: Any, **kwargs: Any) -> ModelResponse:
        """Return the whole answer, generating in the calling thread."""
        model, generation = self._prepared(kwargs)
        answer = _Answer()
        try:
            for piece in model.generate(generation, threading.Event()):
                answer.add(piece)
        except ProviderError as error:
            raise _litellm_error(error, kwargs["model"]) from error
        return answer.response(kwargs["model_response"], kwargs["model"])

    def _prepared(self, call: Mapping[str, Any]) -> tuple[LocalModel, Generation]:
        """Check the request before any thread starts, so errors come before the first chunk."""
        try:
            spec = model_spec(call["model"])
            path = locate_weights(spec)
            if not is_importable("llama_cpp"):
                raise ProviderError(
                    f"the local model needs extra packages (llama-cpp-python is missing):"
                    f" {INSTALL_HINT}",
                    kind="config",
                )
            generation = build_generation(call["messages"], call.get("optional_params") or {})
        except ProviderError as error:
            raise _litellm_error(error, call["model"]) from error
        return self._model(spec, path), generation

    def _model(self, spec: LocalModelSpec, path: Path) -> LocalModel:
        with self._models_lock:
            if path not in self._models:
                self._models[path] = LocalModel(path, spec.context_window)
            return self._models[path]


@dataclass
class _Answer:
    """The pieces of one answer, joined into a non-streamed response."""

    text: list[str] = field(default_factory=list)
    calls: dict[int, list[str]] = field(default_factory=dict)
    finished: Finished = field(default_factory=lambda: Finished("stop", 0, 0))

    def add(self, piece: Piece) -> None:
        if isinstance(piece, TextPiece):
            self.text.append(piece.text)
        elif isinstance(piece, ToolCallPiece):
            call = self.calls.setdefault(piece.index, [_call_id(), "", ""])
            call[0] = piece.id or call[0]
            call[1] = piece.name or call[1]
            call[2] += piece.arguments
        else:
            self.finished = piece

    def response(self, response: ModelResponse, model: str) -> ModelResponse:
        tool_calls = [
            ChatCompletionMessageToolCall(
                id=call_id, type="function", function=Function(name=name, arguments=arguments)
            )
            for call_id, name, arguments in (self.calls[index] for index in sorted(self.calls))
        ]
        choice: Any = response.choices[0]
        choice.message = Message(
            role="assistant", content="".join(self.text) or None, tool_calls=tool_calls or None
        )
        choice.finish_reason = self.finished.reason
        response.model = f"local/{model.removeprefix('local/')}"
        usage = _usage(self.finished)
        # litellm declares no usage field on ModelResponse; it reads this attribute.
        setattr(  # noqa: B010
            response,
            "usage",
            Usage(
                prompt_tokens=usage["prompt_tokens"],
                completion_tokens=usage["completion_tokens"],
                total_tokens=usage["total_tokens"],
            ),
        )
        return response


def _chunk(piece: Piece) -> GenericStreamingChunk:
    chunk = GenericStreamingChunk(
        text="", tool_use=None, is_finished=False, finish_reason="", usage=None, index=0
    )
    if isinstance(piece, TextPiece):
        chunk["text"] = piece.text
    elif isinstance(piece, ToolCallPiece):
        chunk["tool_use"] = {
            "id": piece.id or (_call_id() if piece.name else None),
            "type": "function",
            "function": {"name": piece.name, "arguments": piece.arguments},
            "index": piece.index,
        }
    else:
        chunk["is_finished"] = True
        chunk["finish_reason"] = piece.reason
        chunk["usage"] = _usage(piece)
    return chunk


def _usage(finished: Finished) -> ChatCompletionUsageBlock:
    return ChatCompletionUsageBlock(
        prompt_tokens=finished.prompt_tokens,
        completion_tokens=finished.completion_tokens,
        total_tokens=finished.prompt_tokens + finished.completion_tokens,
    )


def _call_id() -> str:
    return f"call_{uuid.uuid4().hex[:24]}"


def _litellm_error(error: ProviderError, model: str) -> Exception:
    """Wrap ``error`` in the litellm type that litellm re-raises unchanged (a 4xx)."""
    kinds: dict[str, type[BadRequestError] | type[NotFoundError]] = {
        "unknown_model": NotFoundError,
        "context_window": ContextWindowExceededError,
    }
    wrapper = kinds.get(error.kind, BadRequestError)
    wrapped = wrapper(
        message=error.message, model=f"local/{model.removeprefix('local/')}", llm_provider="local"
    )
    # The one line without litellm's prefix, for jupyter-orch's error mapper.
    wrapped.orch_error = error  # type: ignore[union-attr]
    return wrapped
