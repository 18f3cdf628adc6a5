"""A server asking the user for input, and the elicitors that answer.

MCP servers may ask the user a question in the middle of a tool call ("elicitation"): a
form built from a JSON schema, or a URL to open. An :class:`Elicitor` answers: a form in the
running cell, a prompt in a terminal, or, with nobody there, a decline with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

ElicitAction = Literal["accept", "decline", "cancel"]


@dataclass(frozen=True)
class ElicitationRequest:
    """What a server asks.

    Parameters
    ----------
    source
        Who asks (``mcp:<server>``).
    message
        The server's question (untrusted text: show it escaped).
    mode
        ``form`` (fill in ``schema``) or ``url`` (open ``url``).
    schema
        For a form: the requested JSON schema (an object of primitive properties).
    url
        For the URL mode: the address the server wants opened.
    """

    source: str
    message: str
    mode: Literal["form", "url"] = "form"
    schema: dict[str, Any] = field(default_factory=dict)
    url: str | None = None


@dataclass(frozen=True)
class ElicitationResponse:
    """The user's answer.

    Parameters
    ----------
    action
        ``accept`` (with ``content`` for a form), ``decline`` or ``cancel``.
    content
        The form's values, when accepted.
    reason
        Why it was declined (headless runs say so).
    """

    action: ElicitAction
    content: dict[str, Any] | None = None
    reason: str = ""


class Elicitor(Protocol):
    """Answers a server's request for input."""

    async def elicit(self, request: ElicitationRequest) -> ElicitationResponse:
        """Return the user's answer to ``request``."""
        ...


class HeadlessElicitor:
    """Declines every request: nobody is there to answer (nbclient, papermill, scripts)."""

    async def elicit(self, request: ElicitationRequest) -> ElicitationResponse:
        """Decline, with a reason the server (and the transcript) can read."""
        return ElicitationResponse(
            "decline", reason="no user is present to answer this request (headless run)"
        )
