"""Importing litellm off the critical path.

``import litellm`` costs seconds and, unless told otherwise, downloads a price list. The
extension never imports it at ``%load_ext``; it starts :func:`warm_in_background` instead, and
the first model call waits for that import in a worker thread so the event loop stays free.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import logging
import os
import threading
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

_lock = threading.Lock()
_module: ModuleType | None = None
_warming = threading.Event()
_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar("jupyter_orch_quiet", default=False)

# Modules litellm imports only on its first call to an OpenAI-compatible model: about 500
# modules, 0.7 s (measured with litellm 1.106). The warm-up imports them too, so that first
# call does not pay for them. A name a litellm version lacks is skipped.
FIRST_CALL_MODULES = (
    "openai.resources",
    "anyio._backends._asyncio",
    "litellm.proxy._types",
    "litellm.proxy.openai_files_endpoints",
    "litellm._service_logger",
    "litellm.integrations.prometheus_services",
    "litellm.llms.litellm_proxy",
    "litellm.litellm_core_utils.default_encoding",
)


def _import() -> ModuleType:
    # The price list ships inside litellm; fetching it would be a network call from a notebook.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    # litellm prints "Give Feedback / Get Help" and a provider list to stdout on every error,
    # into the cell, and has no per-call switch for it (1.110): off, once.
    litellm.suppress_debug_info = True
    logging.getLogger("LiteLLM").addFilter(_OursOnlyErrors())
    try:
        from ..local import register
    except ImportError:  # the local provider is optional
        pass
    else:
        register(litellm)
    return litellm


class _OursOnlyErrors(logging.Filter):
    """Drops litellm's log records below ERROR during our own calls; the user's are untouched."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _quiet.get() or record.levelno >= logging.ERROR


@contextlib.contextmanager
def quiet_logs() -> Iterator[None]:
    """Inside the block (our model calls), litellm's warnings and info stay out of the cell."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def load_litellm() -> Any:
    """Import and configure litellm once (blocking); later calls return the module at once."""
    global _module
    with _lock:
        if _module is None:
            _module = _import()
        return _module


def is_loaded() -> bool:
    """Whether litellm has been imported and configured."""
    return _module is not None


def is_warming() -> bool:
    """Whether the background warm-up is still running (its first call would still wait)."""
    return _warming.is_set()


def _prepare_first_call() -> None:
    for name in FIRST_CALL_MODULES:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    # What else the first call imports changes with every litellm release (1.110 added a
    # few dozen modules the list above misses): a mock call, which sends nothing anywhere,
    # walks the same path and imports them, whatever the version.
    with contextlib.suppress(Exception):
        for _chunk in _module.completion(  # type: ignore[union-attr]
            model="openai/warm-up",
            messages=[{"role": "user", "content": "warm-up"}],
            mock_response="ok",
            stream=True,
            stream_options={"include_usage": True},
            api_key="sk-warm-up-not-sent",
            api_base="http://127.0.0.1:9/v1",
            drop_params=True,
        ):
            pass


def warm_in_background(first: Callable[[], object] | None = None) -> threading.Thread | None:
    """Start importing litellm in a daemon thread; return it (``None`` if already loaded).

    ``first`` runs in that thread before the import: set-up the first model call needs sooner
    than litellm. The thread runs in a copy of the caller's context, so nothing it prints is
    parented to another cell's messages.
    """
    if _module is not None:
        return None
    _warming.set()
    context = contextvars.copy_context()
    thread = threading.Thread(
        target=context.run,
        args=(_quiet_load, first),
        name="jupyter-orch-warm-litellm",
        daemon=True,
    )
    thread.start()
    return thread


def _quiet_load(first: Callable[[], object] | None) -> None:
    # A failure here is not lost: the first call that needs litellm imports it again and
    # reports the error in its cell, in one line.
    try:
        if first is not None:
            with contextlib.suppress(Exception):
                first()
        with contextlib.suppress(Exception):
            load_litellm()
            _prepare_first_call()
    finally:
        _warming.clear()
