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
import json
import selectors
import signal
import socket
import ssl
import sys
import threading
import time
from collections import deque
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from jupyter_orch.core.errors import UsageError
from jupyter_orch.testing import openai_wire as wire
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
        self._httpd = _HTTPServer((host, port), _Handler, self)
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


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() joins the handler threads itself, after closing sockets

    def __init__(
        self, address: tuple[str, int], handler: type[_Handler], owner: OpenAIServer
    ) -> None:
        self.owner = owner
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that goes away mid-stream is normal here (cancel, timeout, stop).
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        # Chunks are small writes: without TCP_NODELAY, Nagle holds them back.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.owner._track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.owner._untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the tests and benchmarks read the server's state, not its log."""

    def do_GET(self) -> None:
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            model = {"id": self.server.owner.model, "object": "model", "created": 0}
            body = {"object": "list", "data": [model | {"owned_by": "jupyter-orch"}]}
            self._send_body(200, json.dumps(body).encode())
        else:
            self._send_body(404, wire.error_body(404, f"no route for GET {self.path}"))

    def do_POST(self) -> None:
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send_body(404, wire.error_body(404, f"no route for POST {self.path}"))
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            request = json.loads(self.rfile.read(length))
        except ValueError as error:
            self._send_body(400, wire.error_body(400, f"request body is not JSON: {error}"))
            return
        if not isinstance(request, dict):
            self._send_body(400, wire.error_body(400, "request body must be a JSON object"))
            return
        try:
            answer = self.server.owner._take(request)
        except Exception as error:  # a broken responder should fail the request, not the server
            self._send_body(500, wire.error_body(500, f"responder failed: {error!r}"))
            return
        self._answer(answer, request)

    def _answer(self, answer: wire.Answer, request: dict[str, Any]) -> None:
        reply = answer.reply
        if reply.kind == "hang":
            self.server.owner._stopping.wait()
            self.close_connection = True
        elif reply.kind == "raw":
            self._send_body(reply.status, reply.body, content_type=reply.message)
        elif reply.kind == "error":
            retry = reply.should_retry
            headers = {} if retry is None else {"x-should-retry": str(retry).lower()}
            self._send_body(reply.status, wire.error_body(reply.status, reply.message), headers)
        elif request.get("stream"):
            options = request.get("stream_options") or {}
            self._stream(answer, bool(options.get("include_usage")))
        else:
            body = answer.completion()
            cut = reply.cut_after
            self._send_body(200, body, cut_at=None if cut is None else len(body) // 2)

    def _send_body(
        self,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        cut_at: int | None = None,
        content_type: str = "application/json",
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body if cut_at is None else body[:cut_at])
        self.server.owner._first_byte_written()
        if cut_at is not None:
            self.close_connection = True
        else:
            self.server.owner._last_byte_written()

    def _stream(self, answer: wire.Answer, include_usage: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if not self._stream_pieces(answer):
            self.close_connection = True  # dropped: no finish chunk, no [DONE], no last frame
            return
        tail = b"".join(wire.frame(event) for event in answer.stream_tail(include_usage))
        self.wfile.write(tail + wire.LAST_FRAME)
        self.server.owner._last_byte_written()

    def _stream_pieces(self, answer: wire.Answer) -> bool:
        """Write the paced pieces; return False when the reply says to cut or the server stops."""
        owner = self.server.owner
        rate, cut = answer.reply.tokens_per_second, answer.reply.cut_after
        write = self.wfile.write
        started = time.monotonic()
        for index, event in enumerate(answer.stream_pieces()):
            if cut is not None and index >= cut:
                return False
            if rate is not None:
                delay = started + index / rate - time.monotonic()
                if delay > 0 and owner._stopping.wait(delay):
                    return False
            write(wire.frame(event))
            if index == 0:
                owner._first_byte_written()
        return True


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
