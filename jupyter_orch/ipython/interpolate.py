r"""``{var}`` in a ``%%chat`` cell: values from the user's namespace, expanded exactly once.

Only references are expanded: ``{name}``, ``{name.attr}``, ``{name[key]}`` and chains of
them (``{df.shape[0]}``, ``{In[3]}``). Everything else with braces is ordinary text and
passes through untouched: JSON and dict literals (``{"a": 1}``), LaTeX (``\frac{1}{B}``,
anything inside ``$...$``), sets, f-string examples in code. Inside code spans and fenced
blocks a reference is expanded only when the name exists. ``{{name}}`` stands for the literal
text ``{name}``. A missing name outside code is a one-line :class:`UsageError`.

``extra`` names (the notebook's ``{Err}`` and ``{cell}``, see
:mod:`jupyter_orch.ipython.references`) are looked up only outside code, and only when the
namespace has no such name: code that happens to hold ``{cell}`` stays as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ..core.errors import UsageError

_REF = re.compile(
    r"(?P<open>\{\{?)"
    r"(?P<name>[A-Za-z_]\w*)"
    r"(?P<path>(?:\.[A-Za-z_]\w*|\[(?:-?\d+|'[^'\]\n]*'|\"[^\"\]\n]*\"|[A-Za-z_]\w*)\])*)"
    r"(?P<close>\}\}?)"
)
_STEP = re.compile(r"\.([A-Za-z_]\w*)|\[(-?\d+|'[^']*'|\"[^\"]*\"|[A-Za-z_]\w*)\]")
_LITERAL = re.compile(
    r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)|`[^`\n]+`"  # code: fences, then inline spans
    r"|\$\$.*?\$\$|\$[^$\n]+\$|\\\(.*?\\\)|\\\[.*?\\\]",  # math
    re.DOTALL,
)
_LATEX_BEFORE = re.compile(r"(?:\\[A-Za-z]+\*?|[}^_])\s*$")


def interpolate(
    text: str, namespace: Mapping[str, Any], extra: Mapping[str, Any] | None = None
) -> str:
    """Replace references to variables in ``text`` by their values (see the module doc)."""
    out: list[str] = []
    pos = 0
    lookup = _Lookup(namespace, extra or {})
    for literal in _LITERAL.finditer(text):
        out.append(_expand(text[pos : literal.start()], lookup, strict=True))
        chunk = literal.group()
        code = chunk.startswith(("`", "~"))
        out.append(_expand(chunk, namespace, strict=False) if code else chunk)
        pos = literal.end()
    out.append(_expand(text[pos:], lookup, strict=True))
    return "".join(out)


class _Lookup(Mapping[str, Any]):
    """The namespace, then the extra names it does not define."""

    def __init__(self, namespace: Mapping[str, Any], extra: Mapping[str, Any]) -> None:
        self._namespace = namespace
        self._extra = extra

    def __getitem__(self, name: str) -> Any:
        if name in self._namespace:
            return self._namespace[name]
        return self._extra[name]

    def __contains__(self, name: object) -> bool:
        return name in self._namespace or name in self._extra

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(self._extra), **dict.fromkeys(self._namespace)})

    def __len__(self) -> int:
        return len(list(iter(self)))


def _expand(text: str, namespace: Mapping[str, Any], *, strict: bool) -> str:
    def replace(match: re.Match[str]) -> str:
        whole = match.group()
        opened, closed = match.group("open"), match.group("close")
        if len(opened) == 2 and len(closed) == 2:
            return whole[1:-1]  # {{name}}: the literal text {name}
        start = match.start()
        if len(opened) != len(closed) or _LATEX_BEFORE.search(text, max(0, start - 40), start):
            return whole
        name = match.group("name")
        if name not in namespace:
            if not strict:
                return whole
            raise UsageError(
                f"{{{name}}} in the prompt: name {name!r} is not defined "
                f"(write {{{{{name}}}}} for the literal text {{{name}}}); nothing was sent"
            )
        try:
            return str(_resolve(namespace[name], match.group("path"), whole[1:-1]))
        except UsageError:
            if strict:
                raise
            return whole  # in code, what does not resolve is just code

    return _REF.sub(replace, text)


def _resolve(value: Any, path: str, reference: str) -> Any:
    for step in _STEP.finditer(path):
        attr, key = step.group(1), step.group(2)
        try:
            value = getattr(value, attr) if attr is not None else value[_key(key)]
        except (AttributeError, KeyError, IndexError, TypeError) as exc:
            kind = type(exc).__name__
            raise UsageError(
                f"{{{reference}}} in the prompt: {kind}: {exc}; nothing was sent"
            ) from None
    return value


def _key(text: str) -> Any:
    if text[0] in "'\"":
        return text[1:-1]
    if text.lstrip("-").isdigit():
        return int(text)
    return text  # a bare word is a string key, as in str.format
