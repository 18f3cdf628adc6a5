"""Typed values that flow through a conversation: messages, tool calls, results, usage."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["system", "user", "assistant", "tool"]
ContentPart = dict[str, Any]
Content = str | list[ContentPart]


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A tool call as the model asked for it.

    Parameters
    ----------
    id
        The provider's id for the call; the tool message answering it carries the same id.
    name
        The tool's name as offered to the model.
    arguments
        The arguments as the raw JSON text the model produced (it may be invalid).
    """

    id: str
    name: str
    arguments: str

    def parsed_arguments(self) -> dict[str, Any]:
        """Return the arguments as a dict; raise ``ValueError`` when they are not a JSON object."""
        text = self.arguments.strip() or "{}"
        value = json.loads(text)
        if not isinstance(value, dict):
            raise ValueError("tool arguments must be a JSON object")
        return value


@dataclass(frozen=True, slots=True)
class Message:
    """One message of a thread, in the shape every OpenAI-compatible provider accepts.

    Parameters
    ----------
    role
        ``system``, ``user``, ``assistant`` or ``tool``.
    content
        Text, or a list of content parts (text and images) for multimodal messages.
    tool_calls
        The calls an assistant message asks for.
    tool_call_id
        For a tool message: the id of the call it answers.
    name
        For a tool message: the tool's name.
    interrupted
        The message was cut short (interrupt, stream cut); kept, but marked.
    """

    role: Role
    content: Content | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    name: str | None = None
    interrupted: bool = False

    def to_provider(self) -> dict[str, Any]:
        """Return the OpenAI-format dict sent to providers (without our own markers)."""
        out: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.tool_calls:
            out["tool_calls"] = [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments or "{}"},
                }
                for c in self.tool_calls
            ]
        if self.tool_call_id is not None:
            out["tool_call_id"] = self.tool_call_id
        if self.name is not None and self.role == "tool":
            out["name"] = self.name
        return out

    def text(self) -> str:
        """Return the message's text, joining text parts of multimodal content."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts and cost of one provider call or of a sum of them."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = None

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        cost = None
        if self.cost is not None or other.cost is not None:
            cost = (self.cost or 0.0) + (other.cost or 0.0)
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            cost,
        )


@dataclass(frozen=True, slots=True)
class ToolResult:
    """What a tool returned, ready to go back to the model.

    Parameters
    ----------
    content
        Text for the model, or content parts (text and images).
    is_error
        The call failed; ``content`` says why. The model still sees it.
    structured
        Structured content, when the tool returned any (MCP ``structuredContent``).
    display
        Extra MIME bundles to show in the cell (for example an image), not sent as text.
    """

    content: Content
    is_error: bool = False
    structured: Any = None
    display: tuple[dict[str, Any], ...] = field(default=(), compare=False)

    def text(self) -> str:
        """Return the result's text, joining text parts."""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")

    @classmethod
    def error(cls, message: str) -> ToolResult:
        """Build an error result the model will see."""
        return cls(content=message, is_error=True)
