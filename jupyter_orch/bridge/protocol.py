"""The bridge's wire format: targets, the protocol version, capabilities and message shapes.

``docs/bridge.md`` documents every message. The page opens one comm per kernel connection to
:data:`KERNEL_TARGET`; the kernel announces itself (``%load_ext``) by opening a short comm to
:data:`PAGE_TARGET`, so pages that were already open connect.
"""

from __future__ import annotations

import re
from typing import Any

PROTOCOL = 1
"""The bridge protocol this kernel speaks; a page speaking another one is refused."""

KERNEL_TARGET = "jupyter_orch.bridge"
PAGE_TARGET = "jupyter_orch.page"

KNOWN_CAPABILITIES = frozenset(
    {"notify", "status", "notebook.read", "notebook.edit", "stream", "mcp-apps"}
)
"""Capabilities a page may offer; others are ignored (a newer page may offer more)."""

DEFAULT_TIMEOUT = 10.0
"""Seconds a request waits for its answer before it fails with a one-line error."""

PING_TIMEOUT = 5.0
"""Seconds an older page has to answer a ping when a new page connects (else it is dropped)."""

_CARD_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def card_class(call_id: str) -> str:
    """Return the CSS class that marks the approval card of ``call_id`` in the page.

    Call ids come from the model: anything but letters, digits, ``_`` and ``-`` becomes
    ``_``, so the class is always a single valid token.
    """
    return "jupyter-orch-call-" + _CARD_UNSAFE.sub("_", call_id)


def welcome(
    kernel: dict[str, Any], capabilities: list[str], methods: list[str], state: Any
) -> dict[str, Any]:
    """Build the kernel's answer to an accepted handshake."""
    return {
        "type": "welcome",
        "protocol": PROTOCOL,
        "kernel": kernel,
        "capabilities": capabilities,
        "methods": methods,
        "state": state,
    }


def refused(message: str) -> dict[str, Any]:
    """Build the answer to a handshake the kernel cannot accept (the comm closes after)."""
    return {"type": "refused", "protocol": PROTOCOL, "message": message}


def request(id_: str, method: str, params: Any) -> dict[str, Any]:
    """Build a request; the other side answers with a :func:`response` of the same id."""
    return {"type": "request", "id": id_, "method": method, "params": params}


def response(id_: str, result: Any = None, error: str | None = None) -> dict[str, Any]:
    """Build the answer to request ``id_``: a result, or a one-line error."""
    if error is not None:
        return {"type": "response", "id": id_, "error": {"message": error}}
    return {"type": "response", "id": id_, "result": result}


def event(name: str, data: Any) -> dict[str, Any]:
    """Build a fire-and-forget event."""
    return {"type": "event", "event": name, "data": data}


def one_line(text: str, limit: int = 300) -> str:
    """Collapse ``text`` to one bounded line (errors travel as one line)."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
