"""The tool seam: what a tool is, and the registry the orchestrator offers the model."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from .errors import UsageError
from .messages import ToolResult

PolicyName = Literal["auto", "ask", "deny"]


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """How a tool presents itself to the model and to the user.

    Parameters
    ----------
    name
        Unique name offered to the model (``^[a-zA-Z0-9_-]{1,64}$``).
    description
        What the tool does, for the model.
    parameters
        JSON schema of the arguments object.
    source
        Where the tool comes from, shown on approval cards and used by per-source policy:
        ``"notebook"``, ``"variables"``, ``"python"`` or ``"mcp:<server>"``.
    default_policy
        The tool's own default (``None``: the global default applies).
    title
        A human title, when the source has one.
    annotations
        Hints the source gives about the tool (MCP's ``readOnlyHint``, ``destructiveHint``,
        ``idempotentHint``, ``openWorldHint``), for the card to show. Untrusted: they never
        approve anything on their own.
    """

    name: str
    description: str
    parameters: dict[str, Any]
    source: str = "notebook"
    default_policy: PolicyName | None = None
    title: str | None = field(default=None, compare=False)
    annotations: dict[str, Any] | None = field(default=None, compare=False)

    def to_provider(self) -> dict[str, Any]:
        """Return the OpenAI-format tool schema."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }


class ToolArgumentError(ValueError):
    """The arguments do not fit the tool's schema; the message goes back to the model."""


@dataclass(frozen=True, slots=True)
class ToolPreview:
    """What a call will change, shown on its card before anything changes.

    Parameters
    ----------
    title
        One line: what the call does (``Replace the source of cell 3``).
    before
        The text as it is now (``None``: there is nothing yet, e.g. a new cell).
    after
        The text it will be (``None``: it goes away). ``before == after`` shows the text
        without a diff (a cell about to run).
    language
        The language of the text, for highlighting (``python``, ``markdown``).
    """

    title: str
    before: str | None = None
    after: str | None = None
    language: str = "python"

    def diff(self, context: int = 3) -> str:
        """Return the change as a unified diff (empty when nothing changes)."""
        import difflib  # only when a diff is shown or recorded

        if self.before == self.after:
            return ""
        old = (self.before or "").splitlines()
        new = (self.after or "").splitlines()
        lines = difflib.unified_diff(old, new, "before", "after", n=context, lineterm="")
        return "\n".join(lines)

    def redacted(self, redact: Callable[[str], str]) -> ToolPreview:
        """Return a copy with ``redact`` applied to every text (for what is shown)."""

        def hide(text: str | None) -> str | None:
            return None if text is None else redact(text)

        return ToolPreview(redact(self.title), hide(self.before), hide(self.after), self.language)


@runtime_checkable
class PreviewedTool(Protocol):
    """A tool that says what a call will change before it is approved (a notebook edit).

    The tool runner awaits :meth:`preview` after ``validate``, before the policy and the
    card; raising :class:`ToolArgumentError` there fails the call with its message.
    """

    async def preview(self, arguments: dict[str, Any]) -> ToolPreview:
        """Return what the call with these (validated) arguments will change."""
        ...


@runtime_checkable
class Tool(Protocol):
    """Something the model can call.

    ``validate`` checks and normalises the arguments before approval is asked, so the card
    shows what will really run; ``call`` runs it. ``call`` may raise: the orchestrator turns
    any exception into an error result the model sees.
    """

    @property
    def spec(self) -> ToolSpec:
        """The tool's name, description, schema and source."""
        ...

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Return the checked arguments, or raise :class:`ToolArgumentError`."""
        ...

    async def call(self, arguments: dict[str, Any]) -> ToolResult:
        """Run the tool with validated arguments."""
        ...


class ToolRegistry:
    """The tools the model may be offered, by name.

    Adapters add and remove tools; the orchestrator reads. Names are unique: adding a tool
    under a taken name replaces the old one (a re-run notebook cell redefines its function).
    """

    def __init__(self) -> None:
        self._tools: dict[str, Tool] = {}

    def add(self, tool: Tool) -> None:
        """Add ``tool``, replacing any tool of the same name."""
        self._tools[tool.spec.name] = tool

    def remove(self, name: str) -> None:
        """Remove the tool ``name`` (no error when absent)."""
        self._tools.pop(name, None)

    def remove_source(self, source: str) -> None:
        """Remove every tool of ``source`` (for example when an MCP server is unmounted)."""
        for name in [n for n, t in self._tools.items() if t.spec.source == source]:
            del self._tools[name]

    def get(self, name: str) -> Tool | None:
        """Return the tool called ``name``, or ``None``."""
        return self._tools.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __iter__(self) -> Iterator[Tool]:
        return iter(list(self._tools.values()))

    def __len__(self) -> int:
        return len(self._tools)

    def view(self) -> ToolRegistry:
        """Return a copy that one turn may change (stand-ins) without touching this one."""
        copy = ToolRegistry()
        copy._tools = dict(self._tools)
        return copy

    def names(self) -> list[str]:
        """Return the tool names in the order they were added."""
        return list(self._tools)

    def sources(self) -> list[str]:
        """Return the distinct sources, in order of first appearance."""
        return list(dict.fromkeys(t.spec.source for t in self._tools.values()))

    def select(self, names: Iterable[str] | None) -> list[Tool]:
        """Return the tools named (all when ``names`` is ``None``); unknown names are an error."""
        if names is None:
            return list(self._tools.values())
        chosen = []
        for name in names:
            tool = self._tools.get(name)
            if tool is None:
                raise UsageError(
                    f"unknown tool {name!r}; known: {', '.join(self.names()) or 'none'}"
                )
            chosen.append(tool)
        return chosen
