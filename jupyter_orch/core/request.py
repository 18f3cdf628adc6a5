"""What a turn is asked to do: the prompt, the thread, the model and its parameters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .messages import Content
from .thread import Thread


@dataclass
class ChatRequest:
    """One turn's request.

    Parameters
    ----------
    prompt
        The user's message (text, or content parts with attachments).
    thread
        The thread the turn joins.
    model
        A LiteLLM model name.
    params
        Model parameters passed to the provider (temperature, max_tokens, seed, api_base...).
    tools
        Names of the tools to offer; ``None`` offers every registered tool, ``()`` none.
    force_tool
        Name of a tool the model must call in its first round (``tool_choice``).
    cell_id
        The notebook cell that runs the turn; re-running the cell replaces its turn.
    system_extra
        Text added after the thread's system prompt (mounted sources' instructions).
    turn_id
        The id the turn gets (a fresh one when ``None``).
    """

    prompt: Content
    thread: Thread
    model: str
    params: dict[str, Any] = field(default_factory=dict)
    tools: Sequence[str] | None = None
    force_tool: str | None = None
    cell_id: str | None = None
    system_extra: str = ""
    turn_id: str | None = None
