"""Run a blocking generator in a thread and read it from the event loop."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class _End(Generic[T]):
    """The last queue item: the producer finished, possibly with an error."""

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


async def iterate_in_thread(
    produce: Callable[[threading.Event], Iterator[T]], name: str
) -> AsyncIterator[T]:
    """Yield the items of ``produce(stop)``, which runs in its own thread.

    The thread is started with :func:`contextvars.copy_context` so that anything it prints
    stays parented to the cell that asked (see DESIGN.md section 2). When the consumer stops
    early (cancelled, closed, or raising), ``stop`` is set and the producer is expected to
    return before its next item; exceptions of the producer are raised here.

    Parameters
    ----------
    produce
        Called once in the thread with the stop flag; returns the items' iterator.
    name
        The thread's name, for debuggers and thread dumps.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[T | _End[T]] = asyncio.Queue()
    stop = threading.Event()

    def hand_over(item: T | _End[T]) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:
            # The loop is closed: nobody is reading any more.
            stop.set()

    def work() -> None:
        try:
            for item in produce(stop):
                if stop.is_set():
                    break
                hand_over(item)
        except BaseException as error:  # handed to the reader, who re-raises it
            hand_over(_End(error))
        else:
            hand_over(_End(None))

    context = contextvars.copy_context()
    threading.Thread(target=context.run, args=(work,), name=name, daemon=True).start()
    try:
        while True:
            item = await queue.get()
            if isinstance(item, _End):
                if item.error is not None:
                    raise item.error
                return
            yield item
    finally:
        stop.set()
