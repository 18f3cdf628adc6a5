"""The kernel's side of the bridge: pages, requests with ids and timeouts, events.

The bridge is optional by design: with no page connected, :attr:`Bridge.connected` is false,
:meth:`Bridge.emit` does nothing and :meth:`Bridge.request` fails at once, so nothing ever
waits for a page that is not there (VS Code, terminal IPython, nbclient, papermill).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from ..core.errors import OrchError
from . import protocol as wire
from .pages import Channel, HandshakeError, Page, page_from_handshake

log = logging.getLogger("jupyter_orch.bridge")

Handler = Callable[[Any, Page], Any]
"""Answers a page's request: ``handler(params, page)`` returns the result (or an awaitable);
raising :class:`OrchError` (or ``ValueError``) answers with its one-line message."""


class BridgeError(OrchError):
    """A request over the bridge failed: no page, a timeout, or the page's own error."""


class Bridge:
    """The channel between this kernel's orchestrator and the pages showing its notebook.

    Parameters
    ----------
    kernel
        What the kernel tells each page about itself (e.g. ``{"jupyter_orch": version}``).
    """

    def __init__(self, kernel: dict[str, Any] | None = None) -> None:
        self.kernel = dict(kernel or {})
        self._pages: dict[str, Page] = {}
        self._handlers: dict[str, Handler] = {"ping": lambda params, page: {}}
        self._waiting: dict[str, tuple[str, asyncio.Future[Any]]] = {}
        self._ids = itertools.count(1)
        self._listeners: list[Callable[[], None]] = []
        self._tasks: set[asyncio.Future[Any]] = set()
        self.state: Callable[[], Any] = lambda: None
        """Returns the state a page gets in the welcome (e.g. pending approvals)."""
        self.refusals: list[str] = []
        """One line per refused handshake (a protocol mismatch), newest last."""

    @property
    def connected(self) -> bool:
        """Whether at least one page is connected."""
        return bool(self._pages)

    @property
    def pages(self) -> list[Page]:
        """The connected pages, oldest first."""
        return list(self._pages.values())

    @property
    def capabilities(self) -> frozenset[str]:
        """What the connected pages offer, together."""
        return frozenset().union(*(page.capabilities for page in self._pages.values()))

    def offers(self, capability: str) -> bool:
        """Whether a connected page offers ``capability``."""
        return any(capability in page.capabilities for page in self._pages.values())

    def on_request(self, method: str, handler: Handler) -> None:
        """Answer the pages' requests of ``method`` with ``handler``."""
        self._handlers[method] = handler

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` whenever a page connects or goes."""
        self._listeners.append(listener)

    def emit(self, name: str, data: Any = None) -> None:
        """Send event ``name`` to every connected page (fire and forget)."""
        message = wire.event(name, data)
        for page in self.pages:
            self._send(page, message)

    async def request(
        self,
        method: str,
        params: Any = None,
        *,
        capability: str | None = None,
        timeout: float = wire.DEFAULT_TIMEOUT,
    ) -> Any:
        """Ask the newest page (offering ``capability``, if given) and wait for its answer.

        Raises
        ------
        BridgeError
            At once when no such page is connected; after ``timeout`` seconds without an
            answer; or with the page's own one-line error.
        """
        page = self._pick(capability)
        id_ = f"k{next(self._ids)}"
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[id_] = (page.channel_id, future)
        try:
            self._send(page, wire.request(id_, method, params))
            return await asyncio.wait_for(future, timeout)
        except asyncio.TimeoutError:
            raise BridgeError(
                f"jupyter-orch bridge: the page did not answer {method!r} within {timeout:g} s"
            ) from None
        finally:
            self._waiting.pop(id_, None)

    # --- what the transport calls --------------------------------------------------------

    def open(self, channel_id: str, channel: Channel, data: Any) -> Page | None:
        """Welcome (or refuse) a page that opened a channel with handshake ``data``."""
        try:
            page = page_from_handshake(channel_id, channel, data)
        except HandshakeError as exc:
            message = str(exc)
            self.refusals.append(message)
            log.warning("%s", message)
            channel.send(wire.refused(message))
            channel.close()
            return None
        others = self.pages
        self._pages[channel_id] = page
        welcome = wire.welcome(
            self.kernel, sorted(page.capabilities), sorted(self._handlers), self.state()
        )
        self._send(page, welcome)
        self._changed()
        for other in others:
            self._spawn(self._check(other))
        return page

    def receive(self, channel_id: str, data: Any) -> None:
        """Handle a message that arrived on a page's channel."""
        page = self._pages.get(channel_id)
        if page is None or not isinstance(data, dict):
            return
        kind = data.get("type")
        if kind == "response":
            self._answered(data)
        elif kind == "request":
            self._spawn(self._answer(page, data))
        elif kind == "goodbye":
            self.closed(channel_id)
        elif kind == "capabilities":
            handshake = {**data, "protocol": wire.PROTOCOL, "page": page.describe()}
            updated = page_from_handshake(channel_id, page.channel, handshake)
            page.capabilities = updated.capabilities
            self._changed()

    def closed(self, channel_id: str) -> None:
        """Forget a page whose channel closed (or that said goodbye); fail its requests."""
        if self._pages.pop(channel_id, None) is None:
            return
        for id_, (owner, future) in list(self._waiting.items()):
            if owner == channel_id and not future.done():
                future.set_exception(
                    BridgeError("jupyter-orch bridge: the page went away before answering")
                )
                self._waiting.pop(id_, None)
        self._changed()

    def close_all(self, reason: str) -> None:
        """Say goodbye to every page and close their channels (``%unload_ext``)."""
        for page in self.pages:
            self._send(page, {"type": "goodbye", "reason": reason})
            with contextlib.suppress(Exception):  # a dead channel cannot be closed twice
                page.channel.close()
            self.closed(page.channel_id)
        for task in list(self._tasks):
            task.cancel()

    # --- internals -----------------------------------------------------------------------

    def _pick(self, capability: str | None) -> Page:
        candidates = [
            page
            for page in self._pages.values()
            if capability is None or capability in page.capabilities
        ]
        if not candidates:
            what = f"offers {capability!r}" if capability else "is connected"
            raise BridgeError(f"jupyter-orch bridge: no page {what}")
        return max(candidates, key=lambda page: page.connected_at)

    def _send(self, page: Page, message: dict[str, Any]) -> None:
        try:
            page.channel.send(message)
        except Exception as exc:  # a broken channel must not break the turn that emits
            log.warning("jupyter-orch bridge: dropping page %s: %s", page.id, exc)
            self.closed(page.channel_id)

    def _answered(self, data: dict[str, Any]) -> None:
        waiting = self._waiting.get(str(data.get("id")))
        if waiting is None or waiting[1].done():
            return
        error = data.get("error")
        if isinstance(error, dict):
            message = wire.one_line(str(error.get("message") or "the page failed"))
            waiting[1].set_exception(BridgeError(f"jupyter-orch bridge: {message}"))
        else:
            waiting[1].set_result(data.get("result"))

    async def _answer(self, page: Page, data: dict[str, Any]) -> None:
        id_ = str(data.get("id"))
        handler = self._handlers.get(str(data.get("method")))
        if handler is None:
            self._send(page, wire.response(id_, error=f"unknown method {data.get('method')!r}"))
            return
        try:
            result = handler(data.get("params"), page)
            if inspect.isawaitable(result):
                result = await result
        except (OrchError, ValueError) as exc:
            self._send(page, wire.response(id_, error=wire.one_line(str(exc))))
        except Exception as exc:  # the page gets one line; the kernel log the details
            log.exception("jupyter-orch bridge: %s failed", data.get("method"))
            self._send(page, wire.response(id_, error=wire.one_line(f"{type(exc).__name__}")))
        else:
            self._send(page, wire.response(id_, result))

    async def _check(self, page: Page) -> None:
        """Ping an older page; drop it (closing its channel) when it does not answer."""
        id_ = f"k{next(self._ids)}"
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[id_] = (page.channel_id, future)
        try:
            self._send(page, wire.request(id_, "ping", None))
            await asyncio.wait_for(future, wire.PING_TIMEOUT)
        except (asyncio.TimeoutError, BridgeError):
            if page.channel_id in self._pages:
                log.info("jupyter-orch bridge: page %s did not answer; dropped", page.id)
                with contextlib.suppress(Exception):
                    page.channel.close()
                self.closed(page.channel_id)
        finally:
            self._waiting.pop(id_, None)

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        try:
            task = asyncio.get_running_loop().create_task(work)
        except RuntimeError:  # no running loop: nothing can be awaited, so nothing is
            work.close()
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()
