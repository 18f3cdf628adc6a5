"""Responders of the local test model for multi-step tool flows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jupyter_orch.testing.openai_server import Reply, echo_responder
from jupyter_orch.testing.replies import Responder


def calls_in_turn(steps: Sequence[tuple[str, Mapping[str, Any]]]) -> Responder:
    """Ask for ``steps`` one after the other in each turn, then answer like the echo responder.

    A turn's progress is the number of tool messages since its last text-only user message,
    so a message of images (which follows tool results) does not restart the turn.
    """

    def respond(request: dict[str, Any]) -> Reply:
        messages = request.get("messages") or []
        done = 0
        for message in reversed(messages):
            if message.get("role") == "tool":
                done += 1
            elif message.get("role") == "user" and isinstance(message.get("content"), str):
                break
        if done < len(steps):
            name, arguments = steps[done]
            return Reply.tool_calls([(name, arguments)])
        tools = [m for m in messages if m.get("role") == "tool"][-len(steps) :] if steps else []
        if tools and messages[-1].get("role") != "tool":
            text = "; ".join(f"{m.get('name')}: {m.get('content')}" for m in tools)
            return Reply.text("Tool results: " + text)
        return echo_responder(request)

    return respond
