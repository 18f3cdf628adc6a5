"""Read a function's description and per-parameter descriptions from its docstring.

Numpy (``Parameters`` over a dashed line), Google (``Args:``) and reST (``:param x:``) styles
are understood. The description is the text before the first section; the sections that say
nothing about parameters (``Returns``, ``Examples``...) are left out of it, so the model reads
what the function does, not how to call it from Python.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field

_NUMPY_PARAM_SECTIONS = frozenset(
    {"parameters", "params", "arguments", "args", "other parameters", "keyword arguments"}
)
_GOOGLE_HEADER = re.compile(
    r"^(args|arguments|parameters|params|keyword args|keyword arguments|other parameters"
    r"|returns?|yields?|raises?|examples?|notes?|attributes|see also|todo|warnings?"
    r"|references|methods):\s*$",
    re.IGNORECASE,
)
_GOOGLE_PARAM_HEADERS = frozenset(
    {"args", "arguments", "parameters", "params", "keyword args", "keyword arguments"}
)
_DASHES = re.compile(r"^\s*-{3,}\s*$")
_REST_FIELD = re.compile(r"^:(\w+)(?:\s+[^:]*?)?\s*(\*{0,2}\w+)?\s*:(.*)$")
_GOOGLE_ENTRY = re.compile(r"^(\*{0,2}\w+)\s*(?:\([^)]*\))?\s*:(.*)$")
# An entry line gives its names, or its names and the first words of their description.
_EntryParser = Callable[[str], "list[str] | tuple[list[str], str] | None"]


@dataclass(frozen=True)
class Docstring:
    """What a docstring says, for the model.

    Parameters
    ----------
    description
        The summary and extended description, without the sections.
    params
        Parameter name (without ``*``/``**``) to its description.
    """

    description: str = ""
    params: dict[str, str] = field(default_factory=dict)


def parse_docstring(doc: str | None) -> Docstring:
    """Return the description and parameter descriptions of ``doc`` (any supported style).

    Parameters
    ----------
    doc
        A raw or cleaned docstring; ``None`` gives an empty :class:`Docstring`.
    """
    if not doc or not doc.strip():
        return Docstring()
    lines = inspect.cleandoc(doc).splitlines()
    start = _first_section(lines)
    description = "\n".join(lines[:start]).strip()
    params = {**_rest_params(lines), **_google_params(lines), **_numpy_params(lines)}
    return Docstring(description=description, params=params)


def _first_section(lines: list[str]) -> int:
    """Return the index of the first section line (numpy, Google or reST), or ``len(lines)``."""
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and line.strip() and _DASHES.match(lines[i + 1]):
            return i
        if _GOOGLE_HEADER.match(line.strip()) and not line.startswith(" "):
            return i
        if _REST_FIELD.match(line.strip()):
            return i
    return len(lines)


def _numpy_params(lines: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    i = 0
    while i + 1 < len(lines):
        if _DASHES.match(lines[i + 1]) and lines[i].strip().lower() in _NUMPY_PARAM_SECTIONS:
            body, i = _numpy_section_body(lines, i + 2)
            params.update(_entries(body, _numpy_entry_names))
        else:
            i += 1
    return params


def _numpy_section_body(lines: list[str], start: int) -> tuple[list[str], int]:
    """Return the lines of the section beginning at ``start`` and the index after it."""
    end = start
    while end < len(lines):
        if end + 1 < len(lines) and lines[end].strip() and _DASHES.match(lines[end + 1]):
            break
        end += 1
    return lines[start:end], end


def _numpy_entry_names(line: str) -> list[str] | None:
    """Return the names an entry line declares (``x, y : int``), or ``None`` for text."""
    head = line.split(" : ", 1)[0].rstrip(":").strip()
    names = [n.strip().lstrip("*") for n in head.split(",")]
    if names and all(re.fullmatch(r"\w+", n) for n in names):
        return names
    return None


def _google_params(lines: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    i = 0
    while i < len(lines):
        header = _GOOGLE_HEADER.match(lines[i].strip())
        if header and header.group(1).lower() in _GOOGLE_PARAM_HEADERS:
            indent = _indent(lines[i])
            end = i + 1
            while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > indent):
                end += 1
            body = [line[indent:] for line in lines[i + 1 : end]]
            params.update(_entries(inspect.cleandoc("\n".join(body)).splitlines(), _google_entry))
            i = end
        else:
            i += 1
    return params


def _google_entry(line: str) -> tuple[list[str], str] | None:
    match = _GOOGLE_ENTRY.match(line)
    if match is None:
        return None
    return [match.group(1).lstrip("*")], match.group(2).strip()


def _rest_params(lines: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    current: str | None = None
    for line in lines:
        match = _REST_FIELD.match(line.strip())
        if match:
            kind, name, text = match.groups()
            current = name.lstrip("*") if kind in {"param", "parameter", "arg"} and name else None
            if current:
                params[current] = text.strip()
        elif current and line.strip() and line.startswith(" "):
            params[current] = f"{params[current]} {line.strip()}".strip()
        else:
            current = None
    return params


def _entries(body: list[str], parse: _EntryParser) -> dict[str, str]:
    """Collect ``name -> description`` from entry lines at the body's base indent.

    A line at the base indent that ``parse`` recognises starts an entry; more-indented lines
    continue its description.
    """
    out: dict[str, str] = {}
    current: list[str] = []
    base = min((_indent(line) for line in body if line.strip()), default=0)
    for line in body:
        if not line.strip():
            continue
        parsed = parse(line.strip()) if _indent(line) == base else None
        if parsed is not None:
            names, first = parsed if isinstance(parsed, tuple) else (parsed, "")
            current = names
            for name in names:
                out[name] = first
        elif current:
            for name in current:
                out[name] = f"{out[name]} {line.strip()}".strip()
    return out


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))
