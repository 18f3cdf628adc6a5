"""Which tools run on their own, which ask first, which never run.

Besides the configured policies, the user's own choices on the cards are kept here: "allow
for this session" and "always allow". Each is tied to the tool as it was when the user chose
(a fingerprint of its source, description and schema): if a server later changes the tool,
the user is asked again, and told what changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from .errors import UsageError
from .tools import PolicyName, ToolSpec

POLICIES: tuple[str, ...] = get_args(PolicyName)
AllowScope = Literal["session", "always"]


def check_policy(value: str) -> PolicyName:
    """Return ``value`` as a policy name, or raise a one-line :class:`UsageError`."""
    if value not in POLICIES:
        raise UsageError(f"policy must be one of {', '.join(POLICIES)}, not {value!r}")
    return value  # type: ignore[return-value]  # checked against the Literal's members above


def spec_fingerprint(spec: ToolSpec) -> str:
    """Return a short hash of what the user approved: source, description and schema."""
    data = json.dumps(
        [spec.source, spec.description, spec.parameters], sort_keys=True, default=repr
    )
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Allowance:
    """The user allowed a tool beyond one call.

    Parameters
    ----------
    scope
        ``session`` (until the kernel stops) or ``always`` (remembered).
    fingerprint
        The tool as it was then (:func:`spec_fingerprint`).
    description
        Its description then (to say what changed).
    source
        Its source then.
    """

    scope: AllowScope
    fingerprint: str
    description: str = ""
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the allowance as JSON data (the remembered file holds these)."""
        return {
            "scope": self.scope,
            "fingerprint": self.fingerprint,
            "description": self.description,
            "source": self.source,
        }


@dataclass(frozen=True)
class Verdict:
    """The policy that applies to a tool now, and why.

    Parameters
    ----------
    policy
        ``auto``, ``ask`` or ``deny``.
    allowed
        Set when an allowance of the user makes the call automatic (``session``/``always``).
    fixed
        The tool's policy is set explicitly: the user cannot widen it from a card.
    changed
        The tool was allowed, but has changed since: what changed, in words.
    """

    policy: PolicyName
    allowed: AllowScope | None = None
    fixed: bool = False
    changed: str = ""


@dataclass
class PolicyTable:
    """Policy settings, most specific first.

    A tool's policy is, in order: an explicit per-tool setting; ``auto`` if the user allowed
    it (this session, or always) and it has not changed since; an explicit per-source setting;
    the tool's own default; the global default.

    Parameters
    ----------
    default
        The global default, ``ask`` unless configured.
    remember
        Called with the "always" allowances whenever they change (the kernel writes them to
        a file only the user can read); ``None`` keeps them for this session only.
    """

    default: PolicyName = "ask"
    per_tool: dict[str, PolicyName] = field(default_factory=dict)
    per_source: dict[str, PolicyName] = field(default_factory=dict)
    allowed: dict[str, Allowance] = field(default_factory=dict)
    remember: Callable[[dict[str, Allowance]], None] | None = None

    def decide(self, spec: ToolSpec) -> PolicyName:
        """Return the policy that applies to ``spec`` now."""
        return self.verdict(spec).policy

    def verdict(self, spec: ToolSpec) -> Verdict:
        """Return the policy that applies to ``spec`` now, with the reason."""
        if spec.name in self.per_tool:
            return Verdict(self.per_tool[spec.name], fixed=True)
        allowance = self.allowed.get(spec.name)
        changed = ""
        if allowance is not None:
            if allowance.fingerprint == spec_fingerprint(spec):
                return Verdict("auto", allowed=allowance.scope)
            changed = _what_changed(allowance, spec)
        if spec.source in self.per_source:
            policy = self.per_source[spec.source]
        else:
            policy = spec.default_policy or self.default
        if changed and policy == "auto":
            policy = "ask"  # a tool allowed before must not change silently
        return Verdict(policy, changed=changed)

    def allow(self, spec: ToolSpec, scope: AllowScope) -> None:
        """Allow ``spec`` as it is now, for the session or always."""
        self.allowed[spec.name] = Allowance(
            scope, spec_fingerprint(spec), spec.description, spec.source
        )
        if scope == "always":
            self._remember()

    def revoke(self, name: str) -> Allowance:
        """Forget the user's allowance of ``name``; a one-line error when there is none."""
        allowance = self.allowed.pop(name, None)
        if allowance is None:
            raise UsageError(f"{name!r} is not allowed beyond one call; see %chat policy")
        if allowance.scope == "always":
            self._remember()
        return allowance

    def load_remembered(self, data: dict[str, Any]) -> None:
        """Take the "always" allowances read back from where :attr:`remember` wrote them."""
        for name, item in data.items():
            if isinstance(item, dict) and item.get("scope") == "always":
                self.allowed.setdefault(
                    name,
                    Allowance(
                        "always",
                        str(item.get("fingerprint", "")),
                        str(item.get("description", "")),
                        str(item.get("source", "")),
                    ),
                )

    def set(self, target: str, policy: str, *, sources: list[str]) -> str:
        """Set ``policy`` on a tool or a source; return ``"source"`` or ``"tool"``.

        ``target`` is a source when it is one of ``sources`` (``notebook``, ``mcp:time``...) or
        names an MCP server (``time`` for ``mcp:time``); otherwise a tool name. An explicit
        per-tool policy replaces the user's allowance of that tool.
        """
        checked = check_policy(policy)
        source = target if target in sources else f"mcp:{target}"
        if source in sources:
            self.per_source[source] = checked
            return "source"
        self.per_tool[target] = checked
        if self.allowed.pop(target, None) is not None:
            self._remember()
        return "tool"

    def _remember(self) -> None:
        if self.remember is not None:
            self.remember({n: a for n, a in self.allowed.items() if a.scope == "always"})


def _what_changed(allowance: Allowance, spec: ToolSpec) -> str:
    parts = []
    if allowance.source and allowance.source != spec.source:
        parts.append(f"its source ({allowance.source} -> {spec.source})")
    if allowance.description != spec.description:
        parts.append("its description")
    if not parts:
        parts.append("its arguments schema")
    return f"{spec.name} changed since you allowed it: {' and '.join(parts)}"
