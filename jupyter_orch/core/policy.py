"""Which tools run on their own, which ask first, which never run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import get_args

from .errors import UsageError
from .tools import PolicyName, ToolSpec

POLICIES: tuple[str, ...] = get_args(PolicyName)


def check_policy(value: str) -> PolicyName:
    """Return ``value`` as a policy name, or raise a one-line :class:`UsageError`."""
    if value not in POLICIES:
        raise UsageError(f"policy must be one of {', '.join(POLICIES)}, not {value!r}")
    return value  # type: ignore[return-value]  # checked against the Literal's members above


@dataclass
class PolicyTable:
    """Policy settings, most specific first.

    A tool's policy is, in order: an explicit per-tool setting; ``auto`` if the user chose
    "Always allow" for it this session; an explicit per-source setting; the tool's own
    default; the global default.

    Parameters
    ----------
    default
        The global default, ``ask`` unless configured.
    """

    default: PolicyName = "ask"
    per_tool: dict[str, PolicyName] = field(default_factory=dict)
    per_source: dict[str, PolicyName] = field(default_factory=dict)
    always_allowed: set[str] = field(default_factory=set)

    def decide(self, spec: ToolSpec) -> PolicyName:
        """Return the policy that applies to ``spec`` now."""
        if spec.name in self.per_tool:
            return self.per_tool[spec.name]
        if spec.name in self.always_allowed:
            return "auto"
        if spec.source in self.per_source:
            return self.per_source[spec.source]
        return spec.default_policy or self.default

    def set(self, target: str, policy: str, *, sources: list[str]) -> str:
        """Set ``policy`` on a tool or a source; return ``"source"`` or ``"tool"``.

        ``target`` is a source when it is one of ``sources`` (``notebook``, ``mcp:time``...) or
        names an MCP server (``time`` for ``mcp:time``); otherwise a tool name.
        """
        checked = check_policy(policy)
        source = target if target in sources else f"mcp:{target}"
        if source in sources:
            self.per_source[source] = checked
            return "source"
        self.per_tool[target] = checked
        self.always_allowed.discard(target)
        return "tool"
