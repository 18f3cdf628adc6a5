"""The bytes the fake OpenAI server writes: SSE chunks, completions, errors, HTTP chunk frames."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jupyter_orch.testing.replies import Reply, ScriptedCall, content_text

DONE_EVENT = b"data: [DONE]\n\n"
LAST_FRAME = b"0\r\n\r\n"

# The "type"/"code" of OpenAI-style error bodies. 401 says "authentication_error": litellm maps
# any body mentioning "invalid_request_error" to BadRequestError unless the message is OpenAI's
# own "Incorrect API key provided", and a test message is usually not.
_ERROR_TYPES: dict[int, tuple[str, str | None]] = {
    400: ("invalid_request_error", None),
    401: ("authentication_error", "invalid_api_key"),
    403: ("permission_error", None),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
}


def frame(payload: bytes) -> bytes:
    """Wrap ``payload`` as one HTTP/1.1 chunked-transfer frame."""
    return b"%X\r\n%s\r\n" % (len(payload), payload)


def error_body(status: int, message: str) -> bytes:
    """Return an OpenAI-style JSON error body for an HTTP ``status``."""
    kind, code = _ERROR_TYPES.get(status, ("server_error" if status >= 500 else "api_error", None))
    error = {"message": message, "type": kind, "param": None, "code": code}
    return json.dumps({"error": error}).encode()


def prompt_tokens(request: dict[str, Any]) -> int:
    """Estimate the request's prompt tokens: its messages' text length / 4, at least 1."""
    messages = request.get("messages") or []
    chars = sum(len(content_text(m.get("content"))) for m in messages if isinstance(m, dict))
    return max(1, chars // 4)


@dataclass(frozen=True)
class Answer:
    """One reply made concrete for one request: call ids assigned, ready to encode.

    Parameters
    ----------
    reply
        The scripted reply.
    call_ids
        The id of each of the reply's calls, in order.
    completion_id, model, created
        The values every chunk and the completion carry.
    prompt_tokens
        The usage estimate of the request.
    """

    reply: Reply
    call_ids: tuple[str, ...]
    completion_id: str
    model: str
    created: int
    prompt_tokens: int

    @property
    def finish_reason(self) -> str:
        """``tool_calls`` when the reply asks for calls, else ``stop``."""
        return "tool_calls" if self.reply.calls else "stop"

    def piece_count(self) -> int:
        """How many streamed pieces (tokens, for pacing and usage) the reply has."""
        size = self.reply.args_chunk_chars
        fragments = sum(-(-len(call.arguments) // size) for call in self.reply.calls)
        return len(self.reply.chunks) + len(self.reply.calls) + fragments

    def usage(self) -> dict[str, int]:
        """Return the usage block: the estimated prompt and one completion token per piece."""
        completion = self.piece_count()
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": self.prompt_tokens + completion,
        }

    def stream_pieces(self) -> Iterator[bytes]:
        """Yield the SSE events of the streamed pieces (text, then tool-call deltas)."""
        head = self._chunk_head()
        tail = b',"logprobs":null,"finish_reason":null}]}\n\n'
        for delta in self._deltas():
            yield head + json.dumps(delta).encode() + tail

    def stream_tail(self, include_usage: bool) -> list[bytes]:
        """Return the closing SSE events: finish chunk, optional usage chunk, ``[DONE]``."""
        base: dict[str, Any] = {"id": self.completion_id, "object": "chat.completion.chunk"}
        base |= {"created": self.created, "model": self.model, "system_fingerprint": None}
        finish = {"index": 0, "delta": {}, "logprobs": None, "finish_reason": self.finish_reason}
        events = [base | {"choices": [finish]}]
        if include_usage:
            events.append(base | {"choices": [], "usage": self.usage()})
        return [b"data: " + json.dumps(e).encode() + b"\n\n" for e in events] + [DONE_EVENT]

    def completion(self) -> bytes:
        """Return the whole non-streaming ``chat.completion`` JSON body."""
        message: dict[str, Any] = {
            "role": "assistant",
            "content": self.reply.text_content or None,
            "refusal": None,
        }
        if self.reply.calls:
            calls = zip(self.call_ids, self.reply.calls, strict=True)
            message["tool_calls"] = [
                {
                    "id": cid,
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments},
                }
                for cid, c in calls
            ]
        choice = {"index": 0, "message": message, "logprobs": None}
        body = {
            "id": self.completion_id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": None,
            "choices": [choice | {"finish_reason": self.finish_reason}],
            "usage": self.usage(),
        }
        return json.dumps(body).encode()

    def _chunk_head(self) -> bytes:
        # Everything before the delta is the same for every piece: encode it once.
        head = json.dumps(
            {
                "id": self.completion_id,
                "object": "chat.completion.chunk",
                "created": self.created,
                "model": self.model,
                "system_fingerprint": None,
            }
        )
        return b"data: " + head[:-1].encode() + b', "choices":[{"index":0,"delta":'

    def _deltas(self) -> Iterator[dict[str, Any]]:
        # OpenAI puts the role in the first delta only; content is null beside tool calls.
        first: dict[str, Any] = {"role": "assistant"}
        for text in self.reply.chunks:
            yield first | {"content": text}
            first = {}
        size = self.reply.args_chunk_chars
        for index, (call_id, call) in enumerate(zip(self.call_ids, self.reply.calls, strict=True)):
            function = {"name": call.name, "arguments": ""}
            opening = {"index": index, "id": call_id, "type": "function", "function": function}
            yield (first | {"content": None} if first else {}) | {"tool_calls": [opening]}
            first = {}
            for start in range(0, len(call.arguments), size):
                fragment = {"arguments": call.arguments[start : start + size]}
                yield {"tool_calls": [{"index": index, "function": fragment}]}


def _call_message(call_id: str, call: ScriptedCall) -> dict[str, Any]:
    function = {"name": call.name, "arguments": call.arguments}
    return {"id": call_id, "type": "function", "function": function}
