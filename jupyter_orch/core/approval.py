"""A tool call waiting for the user's decision, and the approvers that decide.

:class:`PendingApproval` is the programmatic twin of the approval card: ``approve()`` and
``reject(reason)`` do what the buttons do, so scripts and tests decide without a browser.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from .messages import ToolCall
from .tools import ToolSpec

DecidedBy = Literal["user", "policy", "session", "headless", "expired", "replay"]


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of an approval.

    Parameters
    ----------
    approved
        Whether the call may run.
    by
        Who decided: the user, the policy (``auto``/``deny``), a session "always allow",
        the headless policy, the expiry of the request, or a replayed recording.
    reason
        The reason given with a rejection (empty when none).
    always
        The user also chose "Always allow this tool" for the session.
    """

    approved: bool
    by: DecidedBy
    reason: str = ""
    always: bool = False


class PendingApproval:
    """A tool call waiting for approval.

    Parameters
    ----------
    call
        The call as the model asked for it.
    spec
        The tool's spec (name, source, schema).
    arguments
        The validated arguments that will run.
    ttl
        Seconds before the request expires and counts as rejected.
    """

    def __init__(
        self, call: ToolCall, spec: ToolSpec, arguments: dict[str, Any], ttl: float
    ) -> None:
        self.call = call
        self.spec = spec
        self.arguments = arguments
        self.ttl = ttl
        self.created = time.monotonic()
        self._future: asyncio.Future[Decision] = asyncio.get_running_loop().create_future()
        self._listeners: list[Callable[[Decision], None]] = []

    @property
    def decided(self) -> bool:
        """Whether a decision has been made."""
        return self._future.done()

    def approve(self, *, always: bool = False) -> None:
        """Approve the call (the Approve button); ``always`` allows the tool for the session."""
        self._settle(Decision(True, "user", always=always))

    def reject(self, reason: str = "") -> None:
        """Reject the call (the Reject button); ``reason`` goes back to the model."""
        self._settle(Decision(False, "user", reason=reason.strip()))

    def settle(self, decision: Decision) -> None:
        """Settle with a decision made elsewhere (headless policy, replay)."""
        self._settle(decision)

    def on_decided(self, listener: Callable[[Decision], None]) -> None:
        """Call ``listener`` once the decision is made (a card updates itself this way)."""
        self._listeners.append(listener)
        if self._future.done():
            listener(self._future.result())

    async def wait(self) -> Decision:
        """Wait for the decision; after ``ttl`` seconds the call counts as rejected."""
        try:
            return await asyncio.wait_for(asyncio.shield(self._future), self.ttl)
        except asyncio.TimeoutError:
            self._settle(Decision(False, "expired", reason=f"no decision within {self.ttl:g} s"))
            return self._future.result()

    def _settle(self, decision: Decision) -> None:
        if self._future.done():
            return
        self._future.set_result(decision)
        for listener in self._listeners:
            listener(decision)


class Approver(Protocol):
    """Decides a pending approval: waits for a click, asks on a terminal, or applies a rule."""

    async def decide(self, pending: PendingApproval) -> Decision:
        """Return the decision for ``pending``."""
        ...


class InteractiveApprover:
    """Waits for the user to decide through the card or its programmatic twin."""

    async def decide(self, pending: PendingApproval) -> Decision:
        """Wait for ``approve()``/``reject()`` or the expiry."""
        return await pending.wait()


class HeadlessApprover:
    """Decides with no user present (nbclient, papermill, nbconvert), so a run never hangs.

    Parameters
    ----------
    approve
        Approve every ``ask`` tool (default: reject them).
    allow
        Tool names (or sources) approved even when ``approve`` is false.
    """

    def __init__(self, *, approve: bool = False, allow: Iterable[str] = ()) -> None:
        self.approve = approve
        self.allow = set(allow)

    async def decide(self, pending: PendingApproval) -> Decision:
        """Approve or reject at once, with a reason the model can read."""
        spec = pending.spec
        if self.approve or spec.name in self.allow or spec.source in self.allow:
            decision = Decision(True, "headless")
        else:
            decision = Decision(
                False,
                "headless",
                reason="no user is present to approve this tool (headless run); "
                "allow it with JupyterOrch.headless_allow",
            )
        pending.settle(decision)
        return decision
