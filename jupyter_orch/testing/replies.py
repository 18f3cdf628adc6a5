"""What the fake OpenAI server answers: scripted replies and the responders that pick them."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from jupyter_orch.core.errors import UsageError

ReplyKind = Literal["text", "tool_calls", "error", "raw", "hang"]
CallArguments: TypeAlias = Mapping[str, Any] | str
CallInput: TypeAlias = tuple[str, CallArguments] | tuple[str, CallArguments, str]
Responder: TypeAlias = Callable[[dict[str, Any]], "Reply"]


@dataclass(frozen=True, slots=True)
class ScriptedCall:
    """One tool call a scripted reply asks for.

    Parameters
    ----------
    name
        The tool's name.
    arguments
        The arguments as raw JSON text (already encoded, possibly invalid on purpose).
    call_id
        The call's id, or ``None`` to let the server number it (``call_1``, ``call_2``...).
    """

    name: str
    arguments: str
    call_id: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """One scripted answer of the fake server; build it with the class methods.

    Parameters
    ----------
    kind
        ``text``, ``tool_calls``, ``error``, ``raw`` or ``hang``.
    chunks
        The assistant text, already split into the pieces streamed one per SSE event.
    calls
        The tool calls (``tool_calls`` replies).
    args_chunk_chars
        How many characters of a call's JSON arguments go in one streamed fragment.
    status, message
        The HTTP status and message of an ``error`` reply.
    should_retry
        For errors: the ``x-should-retry`` header the openai SDK obeys; ``None`` sends none.
    tokens_per_second
        Pacing of the streamed pieces (one piece = one token); ``None`` sends them at once.
    cut_after
        Drop the connection after this many streamed pieces, without ``[DONE]``.
    body
        For ``raw`` replies: the exact response body (``message`` holds its content type).
    """

    kind: ReplyKind
    chunks: tuple[str, ...] = ()
    calls: tuple[ScriptedCall, ...] = ()
    args_chunk_chars: int = 8
    status: int = 200
    message: str = ""
    should_retry: bool | None = None
    tokens_per_second: float | None = None
    cut_after: int | None = None
    body: bytes = b""

    @classmethod
    def text(
        cls,
        text: str | Sequence[str],
        *,
        chunk_chars: int = 4,
        tokens_per_second: float | None = None,
        cut_after: int | None = None,
    ) -> Reply:
        """Answer with assistant text, streamed in pieces.

        Parameters
        ----------
        text
            The whole answer (split every ``chunk_chars`` characters), or the pieces themselves.
        chunk_chars
            Characters per streamed piece when ``text`` is a string.
        tokens_per_second
            Pace of the pieces; ``None`` streams as fast as the socket takes them.
        cut_after
            Send this many pieces, then drop the connection (no finish chunk, no ``[DONE]``).
        """
        return cls(
            "text",
            chunks=_split(text, chunk_chars),
            tokens_per_second=_checked_rate(tokens_per_second),
            cut_after=_checked_cut(cut_after),
        )

    @classmethod
    def tool_calls(
        cls,
        calls: Iterable[CallInput],
        *,
        text: str = "",
        chunk_chars: int = 8,
        tokens_per_second: float | None = None,
        cut_after: int | None = None,
    ) -> Reply:
        """Answer with one response asking for one or more tool calls.

        Parameters
        ----------
        calls
            ``(name, arguments)`` or ``(name, arguments, call_id)`` tuples; ``arguments`` is a
            mapping (JSON-encoded here) or a raw string sent as is (to test invalid JSON).
        text
            Optional assistant text streamed before the calls.
        chunk_chars
            Characters per streamed piece of ``text`` and of each call's arguments.
        tokens_per_second, cut_after
            As for :meth:`text`; every streamed piece counts.
        """
        scripted = tuple(_scripted_call(call) for call in calls)
        if not scripted:
            raise UsageError("Reply.tool_calls needs at least one (name, arguments) call")
        return cls(
            "tool_calls",
            chunks=_split(text, chunk_chars) if text else (),
            calls=scripted,
            args_chunk_chars=_checked_chunk_chars(chunk_chars),
            tokens_per_second=_checked_rate(tokens_per_second),
            cut_after=_checked_cut(cut_after),
        )

    @classmethod
    def error(cls, status: int, message: str, *, should_retry: bool | None = None) -> Reply:
        """Answer with an HTTP error and an OpenAI-style JSON error body.

        The openai SDK inside litellm retries 408, 409, 429 and 5xx (twice by default, each
        retry taking the server's next reply) unless the call passes ``max_retries=0`` or the
        reply says ``should_retry=False``.

        Parameters
        ----------
        status
            An HTTP error status (400-599), e.g. 401, 429, 500.
        message
            The ``error.message`` of the body.
        should_retry
            Send ``x-should-retry: true/false`` (the SDK's override of its retry rule).
        """
        if not 400 <= status <= 599:
            raise UsageError(f"Reply.error status must be 400-599, got {status}")
        return cls("error", status=status, message=message, should_retry=should_retry)

    @classmethod
    def raw(
        cls, body: str | bytes, *, status: int = 200, content_type: str = "text/event-stream"
    ) -> Reply:
        """Answer with exactly ``body`` (to test how clients take malformed or odd replies).

        Parameters
        ----------
        body
            The response body, sent as is (a ``str`` is encoded as UTF-8).
        status
            The HTTP status.
        content_type
            The ``Content-Type`` header.
        """
        data = body.encode("utf-8") if isinstance(body, str) else body
        return cls("raw", status=status, message=content_type, body=data)

    @classmethod
    def hang(cls) -> Reply:
        """Accept the request and never answer, until the server stops."""
        return cls("hang")

    @property
    def text_content(self) -> str:
        """The assistant text of this reply, whole."""
        return "".join(self.chunks)


def echo_responder(request: dict[str, Any]) -> Reply:
    """Answer ``echo: <text>`` to a user message, or quote the tool results that came last.

    Parameters
    ----------
    request
        The JSON body of a chat completion request.

    Returns
    -------
    Reply
        ``Tool results: <name>: <content>; ...`` when the request ends with tool messages,
        otherwise ``echo: <text of the last message>``.
    """
    messages: list[dict[str, Any]] = list(request.get("messages") or [])
    results = _trailing_tool_results(messages)
    if results:
        return Reply.text("Tool results: " + "; ".join(results))
    last = messages[-1] if messages else {}
    return Reply.text("echo: " + content_text(last.get("content")))


def tool_then_answer(name: str, arguments: Mapping[str, Any]) -> Responder:
    """Build a responder that asks for one tool call after each user message.

    Parameters
    ----------
    name
        The tool the model asks for.
    arguments
        The arguments of the call.

    Returns
    -------
    Responder
        Asks for ``name(**arguments)`` when the last message is the user's; otherwise answers
        like :func:`echo_responder` (so the tool results come back quoted).
    """

    def respond(request: dict[str, Any]) -> Reply:
        messages = request.get("messages") or []
        if messages and messages[-1].get("role") == "user":
            return Reply.tool_calls([(name, arguments)])
        return echo_responder(request)

    return respond


def content_text(content: Any) -> str:
    """Return the text of a message ``content`` (a string, a list of parts, or ``None``)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return str(content)


def _trailing_tool_results(messages: list[dict[str, Any]]) -> list[str]:
    names: dict[str, str] = {}
    for message in messages:
        for call in message.get("tool_calls") or []:
            names[str(call.get("id"))] = str((call.get("function") or {}).get("name", "?"))
    tail: list[str] = []
    for message in reversed(messages):
        if message.get("role") != "tool":
            break
        name = message.get("name") or names.get(str(message.get("tool_call_id")), "?")
        tail.append(f"{name}: {content_text(message.get('content'))}")
    return tail[::-1]


def _scripted_call(call: CallInput) -> ScriptedCall:
    if not isinstance(call, tuple) or len(call) not in (2, 3):
        raise UsageError(f"a tool call is (name, arguments) or (name, arguments, id), got {call!r}")
    name, arguments = call[0], call[1]
    encoded = arguments if isinstance(arguments, str) else json.dumps(dict(arguments))
    return ScriptedCall(name, encoded, call[2] if len(call) == 3 else None)


def _split(text: str | Sequence[str], chunk_chars: int) -> tuple[str, ...]:
    if not isinstance(text, str):
        return tuple(str(piece) for piece in text)
    size = _checked_chunk_chars(chunk_chars)
    return tuple(text[i : i + size] for i in range(0, len(text), size))


def _checked_chunk_chars(chunk_chars: int) -> int:
    if chunk_chars < 1:
        raise UsageError(f"chunk_chars must be at least 1, got {chunk_chars}")
    return chunk_chars


def _checked_rate(tokens_per_second: float | None) -> float | None:
    if tokens_per_second is not None and tokens_per_second <= 0:
        raise UsageError(f"tokens_per_second must be positive, got {tokens_per_second}")
    return tokens_per_second


def _checked_cut(cut_after: int | None) -> int | None:
    if cut_after is not None and cut_after < 0:
        raise UsageError(f"cut_after must be 0 or more, got {cut_after}")
    return cut_after
