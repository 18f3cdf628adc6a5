"""Importing litellm off the critical path.

``import litellm`` costs seconds and, unless told otherwise, downloads a price list. The
extension never imports it at ``%load_ext``; it starts :func:`warm_in_background` instead, and
the first model call waits for that import in a worker thread so the event loop stays free.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import threading
from types import ModuleType
from typing import Any

_lock = threading.Lock()
_module: ModuleType | None = None
_error: BaseException | None = None
_done = threading.Event()


def _import() -> ModuleType:
    # The price list ships inside litellm; fetching it would be a network call from a notebook.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True  # it prints a provider list to stdout on every error
    litellm.drop_params = True  # a parameter one provider lacks must not fail the whole call
    logging.getLogger("LiteLLM").setLevel(logging.ERROR)
    try:
        from ..local import register
    except ImportError:  # the local provider is optional
        pass
    else:
        register(litellm)
    return litellm


def load_litellm() -> Any:
    """Import and configure litellm once (blocking); later calls return the module at once."""
    global _module, _error
    with _lock:
        if _module is None:
            try:
                _module = _import()
            except BaseException as exc:
                _error = exc
                raise
            finally:
                _done.set()
        return _module


def is_loaded() -> bool:
    """Whether litellm has been imported and configured."""
    return _module is not None


def warm_in_background() -> threading.Thread | None:
    """Start importing litellm in a daemon thread; return it (``None`` if already loaded).

    The thread runs in a copy of the caller's context, so nothing it prints is parented to
    another cell's messages.
    """
    if _module is not None:
        return None
    context = contextvars.copy_context()
    thread = threading.Thread(
        target=context.run, args=(_quiet_load,), name="jupyter-orch-warm-litellm", daemon=True
    )
    thread.start()
    return thread


def _quiet_load() -> None:
    # A failure is reported when a model call needs litellm, not from this thread.
    with contextlib.suppress(BaseException):
        load_litellm()
