"""The fields of a form a server asks the user to fill in (MCP form-mode elicitation).

A server sends a flat JSON schema: an object whose properties are strings, numbers,
integers, booleans or enums (single choice, or several for an array of enums), each
maybe with a title, a description and a default. :func:`form_fields` reads it into
:class:`FormField` values that a form widget (or a terminal prompt) can show, and
:func:`check_answer` turns what the user entered into the content sent back. This module
imports nothing from the MCP SDK or ipywidgets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

FieldKind = Literal["string", "number", "integer", "boolean", "enum", "multi"]


class FormError(ValueError):
    """What the user entered does not fit the form (the message names the field)."""


@dataclass(frozen=True)
class FormField:
    """One field of a requested form.

    Parameters
    ----------
    name
        The property's name (the key in the answer).
    kind
        ``string``, ``number``, ``integer``, ``boolean``, ``enum`` (one choice) or
        ``multi`` (several choices).
    title, description
        What to show (the server's text: untrusted, show it escaped).
    required
        Whether the answer must hold it.
    default
        The schema's default, or ``None``.
    choices
        For enums: ``(value, label)`` pairs.
    """

    name: str
    kind: FieldKind
    title: str
    description: str = ""
    required: bool = False
    default: Any = None
    choices: tuple[tuple[str, str], ...] = ()


def form_fields(schema: dict[str, Any]) -> list[FormField]:
    """Return the fields of the requested ``schema``, in its order."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return []
    required = schema.get("required")
    needed = set(required) if isinstance(required, list) else set()
    return [
        _field(str(name), prop, str(name) in needed)
        for name, prop in properties.items()
        if isinstance(prop, dict)
    ]


def defaults(fields: list[FormField]) -> dict[str, Any]:
    """Return the answer a user gives by accepting the form as it is shown."""
    return {f.name: f.default for f in fields if f.default is not None}


def check_answer(fields: list[FormField], values: dict[str, Any]) -> dict[str, Any]:
    """Return the content to send for ``values`` (empty fields left out), or raise.

    Raises
    ------
    FormError
        A required field is empty, or a value does not fit its field.
    """
    answer: dict[str, Any] = {}
    for field in fields:
        value = _coerce(field, values.get(field.name))
        if value is None:
            if field.required:
                raise FormError(f"{field.title} is required")
            continue
        answer[field.name] = value
    return answer


def url_domain(url: str) -> str | None:
    """Return the host of an ``http(s)`` ``url``, or ``None`` when it is not one."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.hostname


def _field(name: str, prop: dict[str, Any], required: bool) -> FormField:
    title = str(prop.get("title") or name)
    description = str(prop.get("description") or "")
    choices = _choices(prop)
    kind: FieldKind
    if prop.get("type") == "array":
        kind = "multi"
        items = prop.get("items")
        choices = _choices(items if isinstance(items, dict) else {})
    elif choices:
        kind = "enum"
    elif prop.get("type") in ("number", "integer", "boolean"):
        kind = prop["type"]
    else:
        kind = "string"
    return FormField(name, kind, title, description, required, prop.get("default"), choices)


def _choices(prop: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    one_of = prop.get("oneOf") or prop.get("anyOf")
    if isinstance(one_of, list):
        return tuple(
            (str(o["const"]), str(o.get("title") or o["const"]))
            for o in one_of
            if isinstance(o, dict) and "const" in o
        )
    values = prop.get("enum")
    if not isinstance(values, list):
        return ()
    names = prop.get("enumNames")
    labels = names if isinstance(names, list) and len(names) == len(values) else values
    return tuple((str(v), str(label)) for v, label in zip(values, labels, strict=True))


def _coerce(field: FormField, value: Any) -> Any:
    if value is None or value == "" or (field.kind == "multi" and not value):
        return None
    if field.kind == "boolean":
        return bool(value)
    if field.kind in ("number", "integer"):
        return _number(field, value)
    if field.kind == "multi":
        allowed = {v for v, _ in field.choices}
        picked = [str(v) for v in value]
        if any(p not in allowed for p in picked):
            raise FormError(f"{field.title}: choose among the listed values")
        return picked
    text = str(value)
    if field.kind == "enum" and text not in {v for v, _ in field.choices}:
        raise FormError(f"{field.title}: choose one of the listed values")
    return text


def _number(field: FormField, value: Any) -> int | float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FormError(f"{field.title} must be a number, not {str(value)!r}") from None
    if field.kind == "integer":
        if not number.is_integer():
            raise FormError(f"{field.title} must be a whole number, not {str(value)!r}")
        return int(number)
    return number
