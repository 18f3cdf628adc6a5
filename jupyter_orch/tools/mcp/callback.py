"""The address an authorization server sends the browser back to: ``127.0.0.1``, one shot.

A tiny HTTP server on the loopback interface only, at the port of the registered redirect
address. It takes the first ``GET /callback?code=...&state=...`` (or ``?error=...``),
answers the browser with a short page, and hands the parameters to whoever waits.
"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import parse_qsl, urlsplit

_PAGE = (
    "<!doctype html><meta charset='utf-8'><title>jupyter-orch</title>"
    "<p>{text} You can close this tab and go back to the notebook.</p>"
)


class LoopbackCallback:
    """A one-shot redirect receiver on ``127.0.0.1:port``.

    Parameters
    ----------
    port
        The port of the redirect address (``http://127.0.0.1:PORT/callback``).
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self._server: asyncio.Server | None = None
        self._result: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()

    async def start(self) -> None:
        """Listen (loopback only)."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def wait(self) -> dict[str, str]:
        """Return the query parameters of the redirect."""
        return await asyncio.shield(self._result)

    async def close(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = (await asyncio.wait_for(reader.readline(), 10)).decode("latin-1")
            while (await asyncio.wait_for(reader.readline(), 10)).strip():
                pass  # the headers: nothing in them is needed
        except (asyncio.TimeoutError, ConnectionError):
            writer.close()
            return
        parts = line.split()
        target = urlsplit(parts[1]) if len(parts) >= 2 and parts[0] == "GET" else None
        if target is None or target.path != "/callback":
            self._answer(writer, "404 Not Found", "Nothing here.")
        else:
            params = dict(parse_qsl(target.query))
            ok = "code" in params
            self._answer(writer, "200 OK", "Signed in." if ok else "The sign-in did not finish.")
            if not self._result.done():
                self._result.set_result(params)
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()

    def _answer(self, writer: asyncio.StreamWriter, status: str, text: str) -> None:
        body = _PAGE.format(text=text).encode()
        head = (
            f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        writer.write(head.encode() + body)
