"""The HTTP side of the fake OpenAI server: one handler thread per connection.

The handler answers from its :class:`~jupyter_orch.testing.openai_server.OpenAIServer`
(``server.owner``): it takes the next reply there, and reports its first and last bytes.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from jupyter_orch.testing import openai_wire as wire


class Owner(Protocol):
    """What the handler needs of its server (:class:`~.openai_server.OpenAIServer`)."""

    model: str
    _stopping: threading.Event

    def _take(self, request: dict[str, Any]) -> wire.Answer: ...
    def _first_byte_written(self) -> None: ...
    def _last_byte_written(self) -> None: ...
    def _track(self, connection: socket.socket) -> None: ...
    def _untrack(self, connection: socket.socket) -> None: ...


class HTTPServer(ThreadingHTTPServer):
    """Threads per connection, quiet about clients that go away; ``owner`` answers."""

    daemon_threads = True
    block_on_close = False  # stop() joins the handler threads itself, after closing sockets

    def __init__(self, address: tuple[str, int], handler: type[Handler], owner: Owner) -> None:
        self.owner = owner
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Report a failure unless it is a closed connection."""
        # A client that goes away mid-stream is normal here (cancel, timeout, stop).
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    """Serves ``/v1/chat/completions`` (streamed or not) and ``/v1/models``."""

    protocol_version = "HTTP/1.1"
    server: HTTPServer

    def setup(self) -> None:
        """Send small writes at once, and let the owner close this connection on stop."""
        super().setup()
        # Chunks are small writes: without TCP_NODELAY, Nagle holds them back.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.owner._track(self.connection)

    def finish(self) -> None:
        """Forget the connection once it is done."""
        try:
            super().finish()
        finally:
            self.server.owner._untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the tests and benchmarks read the server's state, not its log."""

    def do_GET(self) -> None:
        """List the one model."""
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            model = {"id": self.server.owner.model, "object": "model", "created": 0}
            body = {"object": "list", "data": [model | {"owned_by": "jupyter-orch"}]}
            self._send_body(200, json.dumps(body).encode())
        else:
            self._send_body(404, wire.error_body(404, f"no route for GET {self.path}"))

    def do_POST(self) -> None:
        """Answer a chat completion with the owner's next reply."""
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
