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

DecidedBy = Literal["user", "policy", "session", "always", "headless", "expired", "replay"]
Scope = Literal["once", "session", "always"]
"""How far an approval reaches: this call, the tool for this session, or for good."""
SCOPES: tuple[Scope, ...] = ("once", "session", "always")


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of an approval.

    Parameters
    ----------
    approved
        Whether the call may run.
    by
        Who decided: the user, the policy (``auto``/``deny``), an earlier "allow for this
        session" (``session``) or "always allow" (``always``), the headless policy, the expiry
        of the request, or a replayed recording.
    reason
        The reason given with a rejection (empty when none).
    scope
        How far the user's approval reaches: ``once``, the tool for this ``session``, or
        ``always`` (remembered across sessions).
    """

    approved: bool
    by: DecidedBy
    reason: str = ""
    scope: Scope = "once"

    @property
    def always(self) -> bool:
        """Whether the approval reaches beyond this call (``session`` or ``always``)."""
        return self.scope != "once"


class ApprovalBatch:
    """The calls of one model response, decided together when the user says so.

    "Approve all" or "Reject all" on one card settles the calls after it in the same response
    without asking again.

    Parameters
    ----------
    total
        How many calls the response holds.
    """

    def __init__(self, total: int) -> None:
        self.total = total
        self.verdict: Decision | None = None


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
    position
        The call's place among the calls of its response (1-based) and the batch.
    batch
        The response's calls, when "Approve all" / "Reject all" apply.
    scopes
        The scopes the user may choose (``once`` only when the tool's policy is fixed).
    changed
        The tool was allowed before, but its description or schema changed since: what
        changed, in words (the user is asked again).
    """

    def __init__(
        self,
        call: ToolCall,
        spec: ToolSpec,
        arguments: dict[str, Any],
        ttl: float,
        *,
        position: int = 1,
        batch: ApprovalBatch | None = None,
        scopes: tuple[Scope, ...] = SCOPES,
        changed: str = "",
    ) -> None:
        self.call = call
        self.spec = spec
        self.arguments = arguments
        self.ttl = ttl
        self.position = position
        self.batch = batch
        self.scopes = scopes
        self.changed = changed
        self.created = time.monotonic()
        self._future: asyncio.Future[Decision] = asyncio.get_running_loop().create_future()
        self._listeners: list[Callable[[Decision], None]] = []

    @property
    def decided(self) -> bool:
        """Whether a decision has been made."""
        return self._future.done()

    @property
    def total(self) -> int:
        """How many calls the response holds."""
        return self.batch.total if self.batch is not None else 1

    def approve(self, *, always: bool = False, scope: Scope | None = None) -> None:
        """Approve the call (the Approve button).

        ``scope`` says how far it reaches (``always=True`` is ``scope="session"``); a scope
        the tool does not allow is narrowed to ``once``.
        """
        chosen: Scope = scope or ("session" if always else "once")
        if chosen not in self.scopes:
            chosen = "once"
        self._settle(Decision(True, "user", scope=chosen))

    def reject(self, reason: str = "") -> None:
        """Reject the call (the Reject button); ``reason`` goes back to the model."""
        self._settle(Decision(False, "user", reason=reason.strip()))

    def approve_all(self) -> None:
        """Approve this call and the ones after it in the same response."""
        self.approve()
        if self.batch is not None:
            self.batch.verdict = Decision(True, "user", reason="approved with the others")

    def reject_all(self, reason: str = "") -> None:
        """Reject this call and the ones after it in the same response."""
        self.reject(reason)
        if self.batch is not None:
            why = reason.strip() or "rejected with the others"
            self.batch.verdict = Decision(False, "user", reason=why)

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


_WHO = {
    "user": "you",
    "session": "you, earlier this session",
    "always": "you (always allowed)",
    "headless": "the headless policy",
    "replay": "the recording",
    "policy": "policy",
}


def decision_words(approved: bool, by: str, reason: str = "", scope: str = "once") -> str:
    """Return a decision in words, the same in the cell, the card and every export.

    For example ``approved by you``, ``ran automatically (policy)``, ``rejected by you: use
    the median``, ``expired: no decision within 600 s``.
    """
    if approved and by == "policy":
        return "ran automatically (policy)"
    if by == "expired":
        return "expired" + (f": {reason}" if reason else "")
    if not approved and by == "policy":
        return "denied by policy"
    words = f"{'approved' if approved else 'rejected'} by {_WHO.get(by, by)}"
    if approved and by == "user" and scope != "once":
        words += ", for this session" if scope == "session" else ", always"
    return words + (f": {reason}" if reason and not approved else "")
