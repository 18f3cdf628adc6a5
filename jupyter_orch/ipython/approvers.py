"""Choosing how ``ask`` tools are decided in IPython: buttons, a text prompt, or headless."""

from __future__ import annotations

import asyncio
from typing import Any

from ..core.approval import (
    Approver,
    Decision,
    HeadlessApprover,
    InteractiveApprover,
    PendingApproval,
)
from ..core.context import current_turn
from .config import JupyterOrch
from .display.summary import pretty_json


class TextApprover:
    """Asks on the terminal: ``y`` approves, ``a`` approves for the session, else rejects.

    Secrets in the arguments are hidden (with the turn's redactor) before they are shown, as
    on the cards.
    """

    async def decide(self, pending: PendingApproval) -> Decision:
        """Prompt for a decision (the prompt runs in a thread; the loop stays free)."""
        turn = current_turn()
        shown = turn.redact(pending.arguments) if turn is not None else {"arguments": "(hidden)"}
        question = (
            f"\nThe model wants to run {pending.spec.name} (from {pending.spec.source}) with\n"
            f"{pretty_json(shown)}\n"
            "Approve? [y]es / [a]lways this session / anything else rejects "
            "(typed text is the reason): "
        )
        answer = (await asyncio.to_thread(input, question)).strip()
        if answer.lower() in ("y", "yes"):
            pending.approve()
        elif answer.lower() in ("a", "always"):
            pending.approve(always=True)
        else:
            pending.reject("" if answer.lower() in ("", "n", "no") else answer)
        return await pending.wait()


def frontend(shell: Any, config: JupyterOrch) -> str:
    """Return ``widget``, ``text`` or ``headless`` for the cell being run now."""
    if config.approval != "detect":
        return str(config.approval)
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        return "text"
    # nbclient, papermill and nbconvert send allow_stdin=False: nobody is there to click.
    return "widget" if getattr(kernel, "_allow_stdin", False) else "headless"


def make_approver(mode: str, config: JupyterOrch) -> Approver:
    """Return the approver for ``mode`` (``widget``, ``text`` or ``headless``)."""
    if mode == "headless":
        return HeadlessApprover(approve=config.headless_approve, allow=config.headless_allow)
    if mode == "text":
        return TextApprover()
    return InteractiveApprover()
