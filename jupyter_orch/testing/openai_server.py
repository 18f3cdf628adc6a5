"""A local OpenAI-compatible streaming chat server, the fake behind tests and benchmarks.

It speaks enough of the OpenAI HTTP API for the real client path
(``litellm.acompletion(model="openai/<name>", api_base=server.url, api_key="sk-test")``):
``POST /v1/chat/completions`` (streaming as SSE over HTTP/1.1 chunked transfer, or one JSON
completion) and ``GET /v1/models``. Each request takes the next queued :class:`Reply`, or asks
``server.responder`` when the queue is empty::

    with OpenAIServer() as server:
        server.enqueue(Reply.text("Hello **world**", chunk_chars=4))
        server.enqueue(Reply.tool_calls([("add", {"a": 2, "b": 3})]))
        server.enqueue(Reply.error(429, "slow down"))
        ...  # point the client at server.url

Command line (prints the URL as its first stdout line, serves until killed)::

    python -m jupyter_orch.testing.openai_server --port 0 [--text TEXT | --script FILE]

``--text`` answers every request with TEXT (``--chunk-chars``, ``--tokens-per-second`` shape
it). ``--script`` serves the replies of a JSON file in order, then echoes. The file holds a
list; each item is a string (a text reply) or an object with one of these keys::

    {"text": "Hello" | ["He", "llo"], "chunk_chars": 4, "tokens_per_second": 50, "cut_after": 3}
    {"tool_calls": [["add", {"a": 2}], ["mul", {"a": 3}, "call_x"]], "text": "", "chunk_chars": 8}
    {"error": 429, "message": "slow down"}
    {"hang": true}

(``tool_calls``, too, takes ``tokens_per_second`` and ``cut_after``.)
"""

from __future__ import annotations

import argparse
import contextlib
import selectors
import signal
import socket
import ssl
import sys
import threading
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jupyter_orch.core.errors import UsageError
from jupyter_orch.testing import openai_wire as wire
from jupyter_orch.testing.openai_handler import Handler, HTTPServer
from jupyter_orch.testing.replies import (
    Reply,
    Responder,
    ScriptedCall,
    echo_responder,
    tool_then_answer,
)
from jupyter_orch.testing.script import load_script

__all__ = ["OpenAIServer", "Reply", "ScriptedCall", "echo_responder", "main", "tool_then_answer"]

_STOP_JOIN_SECONDS = 5.0


class OpenAIServer:
    """A fake OpenAI chat server on 127.0.0.1, serving from a background thread once built.

    Parameters
    ----------
    responder
        Picks the reply when the queue is empty; :func:`echo_responder` by default.
    host, port
        Where to listen; port 0 picks a free port.
    model
        The model id ``GET /v1/models`` lists.
    tls
        A server-side TLS context: the server then speaks HTTPS (``url`` starts ``https``).

    Attributes
    ----------
    url
        The base URL to pass as ``api_base`` (``http://127.0.0.1:PORT/v1``).
    responder
        May be replaced at any time.
    """

    def __init__(
        self,
        responder: Responder = echo_responder,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        model: str = "test-model",
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.responder = responder
        self.model = model
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._requests: list[dict[str, Any]] = []
        self._first_bytes: list[float] = []
        self._last_bytes: list[float] = []
        self._serial = 0
        self._call_serial = 0
        self._stopping = threading.Event()
        self._handlers: dict[socket.socket, threading.Thread] = {}
        self._httpd = HTTPServer((host, port), Handler, self)
        self._scheme = "https" if tls is not None else "http"
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self._wake_recv, self._wake_send = socket.socketpair()
        self._thread = threading.Thread(target=self._serve, name="openai-fake-server", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The base URL for clients, ending in ``/v1``."""
        host, port = self._httpd.server_address[:2]
        return f"{self._scheme}://{host!s}:{port}/v1"

    @property
    def requests(self) -> list[dict[str, Any]]:
        """A copy of the chat request bodies received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def first_byte_times(self) -> list[float]:
        """``time.monotonic()`` when each response's first body byte was written."""
        with self._lock:
            return list(self._first_bytes)

    @property
    def last_byte_times(self) -> list[float]:
        """``time.monotonic()`` when each whole response had been written (cut ones excluded)."""
        with self._lock:
            return list(self._last_bytes)

    def enqueue(self, *replies: Reply) -> None:
        """Queue replies; each chat request takes the oldest one."""
        with self._lock:
            self._queue.extend(replies)

    def wait_for_requests(self, n: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Block until ``n`` chat requests arrived; return them, or raise ``TimeoutError``."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self._requests) >= n, timeout):
                got = len(self._requests)
                raise TimeoutError(f"{got} of {n} requests arrived within {timeout} s")
            return list(self._requests)

    def stop(self) -> None:
        """Stop serving and close every connection, hanging or streaming ones included."""
        with self._lock:
            if self._stopping.is_set():
                return
            self._stopping.set()
        self._wake_send.send(b"x")
        self._thread.join(_STOP_JOIN_SECONDS)
        with self._lock:
            handlers = dict(self._handlers)
        for connection in handlers:
            _shutdown_quietly(connection)
        for thread in handlers.values():
            thread.join(_STOP_JOIN_SECONDS)
        self._httpd.server_close()
        self._wake_recv.close()
        self._wake_send.close()

    def __enter__(self) -> OpenAIServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _serve(self) -> None:
        # Our own accept loop: a wake-up socket makes stop() immediate, where
        # serve_forever() would only notice the stop at its next poll.
        self._httpd.timeout = 0
        with selectors.DefaultSelector() as selector:
            selector.register(self._httpd.socket, selectors.EVENT_READ)
            selector.register(self._wake_recv, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self._httpd.socket and not self._stopping.is_set():
                        self._httpd.handle_request()

    def _take(self, request: dict[str, Any]) -> wire.Answer:
        with self._arrived:
            self._requests.append(request)
            self._arrived.notify_all()
            reply = self._queue.popleft() if self._queue else None
            responder = self.responder
        if reply is None:
            reply = responder(request)
        with self._lock:
            self._serial += 1
            serial = self._serial
            ids = []
            for call in reply.calls:
                if call.call_id is None:
                    self._call_serial += 1
                ids.append(call.call_id or f"call_{self._call_serial}")
        model = request.get("model")
        return wire.Answer(
            reply=reply,
            call_ids=tuple(ids),
            completion_id=f"chatcmpl-fake{serial}",
            model=model if isinstance(model, str) else self.model,
            created=int(time.time()),
            prompt_tokens=wire.prompt_tokens(request),
        )

    def _first_byte_written(self) -> None:
        now = time.monotonic()
        with self._lock:
            self._first_bytes.append(now)

    def _last_byte_written(self) -> None:
        now = time.monotonic()
        with self._lock:
            self._last_bytes.append(now)

    def _track(self, connection: socket.socket) -> None:
        with self._lock:
            self._handlers[connection] = threading.current_thread()

    def _untrack(self, connection: socket.socket) -> None:
        with self._lock:
            self._handlers.pop(connection, None)


def _shutdown_quietly(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by its handler
        connection.shutdown(socket.SHUT_RDWR)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the fake server from the command line until interrupted; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--text", help="answer every request with this text")
    source.add_argument("--script", type=Path, help="JSON list of replies, served in order")
    parser.add_argument("--chunk-chars", type=int, default=4)
    parser.add_argument("--tokens-per-second", type=float, default=None)
    args = parser.parse_args(argv)
    try:
        server = _server_from_args(args)
    except (UsageError, OSError, ValueError) as error:
        print(f"openai_server: {error}", file=sys.stderr)
        return 2
    print(server.url, flush=True)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl-C
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _server_from_args(args: argparse.Namespace) -> OpenAIServer:
    script = load_script(args.script) if args.script is not None else []
    responder: Responder = echo_responder
    if args.text is not None:
        reply = Reply.text(
            args.text, chunk_chars=args.chunk_chars, tokens_per_second=args.tokens_per_second
        )
        responder = lambda request: reply  # noqa: E731 - a one-line constant responder
    server = OpenAIServer(responder, host=args.host, port=args.port)
    server.enqueue(*script)
    return server


if __name__ == "__main__":
    raise SystemExit(main())
