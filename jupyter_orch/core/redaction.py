"""Redaction: secrets never reach a cell's output, the transcript store or an export.

What is redacted (replaced by ``[REDACTED]``):

- text shaped like an API key (``sk-...``, ``AKIA...``, ``ghp_...``, ``hf_...``, JWTs...);
- the credential after ``Bearer``/``Basic``, and after ``Authorization:``-like headers and
  ``api_key=``-like assignments written in text;
- the values of environment variables whose names look secret (``*KEY*``, ``*TOKEN*``,
  ``*SECRET*``, ``*PASSWORD*``, ``*PASSWD*``, ``*CREDENTIAL*``), wherever they appear;
- in structured values (tool arguments, model parameters, headers), the value of any key
  that looks secret (``api_key``, ``authorization``, ``x-api-key``, ``token``, ``password``,
  ``cookie``...), and its literal value everywhere else in the same turn;
- whatever the user's patterns (``JupyterOrch.redact_patterns``) match: the whole match, or
  its group named ``secret`` when it has one.

Streamed text and a turn's events go through
:mod:`~jupyter_orch.core.redaction_stream`, which holds back a word that could still grow into
a secret until it is complete.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import UsageError
from .messages import ToolCall, ToolResult
from .provider import ProviderRequest

MARK = "[REDACTED]"
MIN_SECRET = 6
"""Literal secrets shorter than this are not searched for in text (they would mangle it)."""

SECRET_ENV_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL", re.IGNORECASE)
_SECRET_WORDS = {
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "authorization",
    "auth",
    "cookie",
    "credential",
    "credentials",
    "apikey",
    "passphrase",
}
_SECRET_PAIRS = {("api", "key"), ("access", "key"), ("private", "key"), ("secret", "key")}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_KEY_SHAPES = "|".join(
    [
        r"\bsk-[A-Za-z0-9_\-]{16,}",
        r"\bAKIA[0-9A-Z]{16}\b",
        r"\bgh[pousr]_[A-Za-z0-9]{30,}",
        r"\bgithub_pat_[A-Za-z0-9_]{30,}",
        r"\bxox[abprs]-[A-Za-z0-9\-]{10,}",
        r"\bAIza[0-9A-Za-z_\-]{30,}",
        r"\bhf_[A-Za-z0-9]{30,}",
        r"\bgsk_[A-Za-z0-9]{30,}",
        r"\bglpat-[A-Za-z0-9_\-]{20,}",
        r"\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}",
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----",
    ]
)
# Each pattern that needs context comes with words one of which the text must hold (lower
# case): a cheap test that skips the regular expression on ordinary prose.
_CONTEXT_SHAPES: list[tuple[str, tuple[str, ...]]] = [
    # The credential word only: the scheme before it is kept, so the text still reads.
    (r"(?i)\bbearer\s+(?P<secret>(?=\S*\d)[A-Za-z0-9._~+/=\-]{8,})", ("bearer",)),
    (r"(?i)\bbasic\s+(?P<secret>(?=\S*\d)[A-Za-z0-9+/]{8,}={0,2})", ("basic",)),
    (
        r"(?i)\b(?:proxy-)?authorization\b[\"']?\s*[:=]\s*[\"']?(?!(?:bearer|basic)\b)"
        r"(?P<secret>[^\s\"',;}]{4,})",
        ("authorization",),
    ),
    (
        r"(?i)\b(?:x-api-key|api-key|x-auth-token|cookie)\b[\"']?\s*[:=]\s*[\"']?"
        r"(?P<secret>[^\s\"',;}]{4,})",
        ("api-key", "auth-token", "cookie"),
    ),
    (
        r"(?i)(?:api[_\-]?key|secret|password|passwd|access[_\-]?token|auth[_\-]?token)"
        r"\b[\"']?\s*[:=]\s*[\"']?(?P<secret>[^\s\"',;}\[\]]{4,})",
        ("key", "secret", "passw", "token"),
    ),
]
_Rule = tuple[re.Pattern[str], tuple[str, ...]]
BUILTIN_RULES: tuple[_Rule, ...] = (
    (re.compile(_KEY_SHAPES), ()),
    *((re.compile(p), words) for p, words in _CONTEXT_SHAPES),
)


def is_secret_key(key: str) -> bool:
    """Whether a mapping key (a parameter, header or argument name) names a secret."""
    words = [w for w in re.split(r"[^a-z0-9]+", _CAMEL.sub("_", key).lower()) if w]
    if any(w in _SECRET_WORDS for w in words):
        return True
    return any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words))


def compile_patterns(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    """Compile user patterns; a bad one is a one-line :class:`UsageError`."""
    out = []
    for pattern in patterns:
        try:
            out.append(re.compile(pattern))
        except re.error as exc:
            raise UsageError(
                f"JupyterOrch.redact_patterns: bad pattern {pattern!r}: {exc}"
            ) from None
    return tuple(out)


def env_secrets(environ: Mapping[str, str] | None = None) -> set[str]:
    """Return the values of environment variables whose names look secret."""
    env = os.environ if environ is None else environ
    return {
        v.strip()
        for k, v in env.items()
        if SECRET_ENV_NAME.search(k) and len(v.strip()) >= MIN_SECRET
    }


def structured_secrets(value: Any) -> set[str]:
    """Return the string values held under secret-looking keys anywhere in ``value``."""
    found: set[str] = set()
    if isinstance(value, Mapping):
        for key, item in value.items():
            if is_secret_key(str(key)) and isinstance(item, str) and len(item) >= MIN_SECRET:
                found.add(item)
            else:
                found |= structured_secrets(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            found |= structured_secrets(item)
    return found


class Redactor:
    """Replaces secrets in text and in structured values.

    Parameters
    ----------
    patterns
        The user's extra patterns (regular expressions).
    secrets
        Literal values to hide wherever they appear (those shorter than
        :data:`MIN_SECRET` are ignored).
    """

    def __init__(
        self, patterns: Iterable[re.Pattern[str]] = (), secrets: Iterable[str] = ()
    ) -> None:
        self.user_patterns = tuple(patterns)
        self.rules: tuple[_Rule, ...] = BUILTIN_RULES + tuple((p, ()) for p in self.user_patterns)
        self.secrets = sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True)
        # A thread's earlier messages come back in every request of a turn: their redacted
        # text is kept (by the identity of the text, which is kept alive with it).
        self._seen: dict[int, tuple[str, str]] = {}

    @classmethod
    def build(
        cls,
        patterns: Iterable[str] = (),
        *,
        params: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Redactor:
        """Build a redactor from user patterns, the model parameters and the environment."""
        secrets = env_secrets(environ) | structured_secrets(params or {})
        return cls(compile_patterns(patterns), secrets)

    def learn(self, value: Any) -> None:
        """Also hide, from now on, the secret-keyed strings found in ``value``."""
        new = structured_secrets(value) - set(self.secrets)
        if new:
            self.secrets = sorted(set(self.secrets) | new, key=len, reverse=True)
            self._seen.clear()

    def text(self, text: str) -> str:
        """Return ``text`` with every secret replaced by :data:`MARK`."""
        if len(text) < 256:
            return self.redact_from(text, 0) if text else text
        seen = self._seen.get(id(text))
        if seen is not None and seen[0] is text:
            return seen[1]
        out = self.redact_from(text, 0)
        self._seen[id(text)] = (text, out)
        return out

    def redact_from(self, text: str, start: int) -> str:
        """Return the redacted ``text[start:]``; ``text[:start]`` is context only."""
        spans = self._spans(text)
        out: list[str] = []
        pos = start
        for a, b in spans:
            if b <= pos:
                continue
            a = max(a, pos)
            out.append(text[pos:a])
            out.append(MARK)
            pos = b
        out.append(text[pos:])
        return "".join(out)

    def value(self, value: Any) -> Any:
        """Return a copy of ``value`` with secret-keyed values and secrets in strings hidden."""
        if isinstance(value, str):
            return value if value.startswith("data:") else self.text(value)
        if isinstance(value, Mapping):
            return {
                k: (MARK if is_secret_key(str(k)) and _hideable(v) else self.value(v))
                for k, v in value.items()
            }
        if isinstance(value, (list, tuple)):
            return [self.value(v) for v in value]
        return value

    def arguments(self, raw: str) -> str:
        """Redact a tool call's JSON arguments text; unchanged text stays byte-identical."""
        try:
            parsed = json.loads(raw)
        except ValueError:
            return self.text(raw)
        if not isinstance(parsed, (dict, list)):
            return self.text(raw)
        hidden = self.value(parsed)
        return raw if hidden == parsed else json.dumps(hidden, ensure_ascii=False)

    def message(self, message: Mapping[str, Any]) -> dict[str, Any]:
        """Redact an OpenAI-format message dict (content, tool-call arguments)."""
        out = dict(message)
        content = out.get("content")
        if isinstance(content, str):
            out["content"] = self.text(content)
        elif content is not None:
            out["content"] = self.value(content)
        if out.get("tool_calls"):
            out["tool_calls"] = [self._call_dict(c) for c in out["tool_calls"]]
        return out

    def request(self, request: ProviderRequest) -> ProviderRequest:
        """Return a copy of a provider request with its messages and parameters redacted."""
        return ProviderRequest(
            request.model,
            [self.message(m) for m in request.messages],
            request.tools,
            request.tool_choice,
            self.value(request.params),
        )

    def call(self, call: ToolCall) -> ToolCall:
        """Return ``call`` with its arguments redacted."""
        hidden = self.arguments(call.arguments)
        return call if hidden == call.arguments else ToolCall(call.id, call.name, hidden)

    def result(self, result: ToolResult) -> ToolResult:
        """Return ``result`` with its content, structured content and text displays redacted."""
        content = (
            self.text(result.content)
            if isinstance(result.content, str)
            else self.value(result.content)
        )
        display = tuple(
            {k: (v if k.startswith("image/") else self.value(v)) for k, v in bundle.items()}
            for bundle in result.display
        )
        return ToolResult(content, result.is_error, self.value(result.structured), display)

    def _call_dict(self, call: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(call)
        function = dict(out.get("function") or {})
        if isinstance(function.get("arguments"), str):
            function["arguments"] = self.arguments(function["arguments"])
        out["function"] = function
        return out

    def _spans(self, text: str) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        low = text.lower()
        for pattern, words in self.rules:
            if words and not any(w in low for w in words):
                continue
            named = "secret" in pattern.groupindex
            for m in pattern.finditer(text):
                a, b = m.span("secret") if named and m.group("secret") is not None else m.span()
                if b > a:
                    spans.append((a, b))
        for secret in self.secrets:
            i = text.find(secret)
            while i >= 0:
                spans.append((i, i + len(secret)))
                i = text.find(secret, i + len(secret))
        return _merge(spans)


def _hideable(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool) and value != ""


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged
