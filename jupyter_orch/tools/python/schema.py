"""JSON schema from a pydantic arguments model, and validation errors the model can read."""

from __future__ import annotations

import warnings
from typing import Any

import pydantic
from pydantic.json_schema import GenerateJsonSchema, PydanticJsonSchemaWarning
from pydantic_core import CoreSchema, ErrorDetails

from jupyter_orch.core.tools import ToolArgumentError

_MAX_INPUT_REPR = 60


class _UntitledFields(GenerateJsonSchema):
    """Pydantic's generator without per-field titles: they repeat the property names.

    Titles cost the model tokens and say nothing the property name does not; nested models
    keep their titles, which name the type.
    """

    def field_title_should_be_set(self, schema: CoreSchema | Any) -> bool:
        return False


def json_schema(model: type[pydantic.BaseModel]) -> dict[str, Any]:
    """Return the JSON schema of an arguments model, as offered to the model.

    Parameters
    ----------
    model
        A pydantic model whose fields are the tool's arguments.
    """
    with warnings.catch_warnings():
        # A default that is not JSON (a sentinel object) is left out of the schema, which
        # is what we want; pydantic's warning about it would fail a notebook cell.
        warnings.simplefilter("ignore", PydanticJsonSchemaWarning)
        schema = model.model_json_schema(schema_generator=_UntitledFields)
    schema.pop("title", None)
    return schema


def validate(model: type[pydantic.BaseModel], tool: str, arguments: Any) -> pydantic.BaseModel:
    """Return ``arguments`` validated (and coerced, pydantic's lax mode) by ``model``.

    Raises
    ------
    ToolArgumentError
        With one short line per problem, naming the arguments, for the model to fix.
    """
    try:
        return model.model_validate(arguments)
    except pydantic.ValidationError as exc:
        raise ToolArgumentError(describe_errors(tool, exc)) from None


def describe_errors(tool: str, exc: pydantic.ValidationError) -> str:
    """Return a readable one-line summary of a validation error.

    For example ``invalid arguments for area: width: Input should be a valid number (got
    'wide'); missing required argument 'height'``.
    """
    problems = [_problem(error) for error in exc.errors(include_url=False)]
    return f"invalid arguments for {tool}: " + "; ".join(problems)


def _problem(error: ErrorDetails) -> str:
    where = ".".join(str(part) for part in error["loc"])
    if error["type"] == "missing":
        return f"missing required argument {where!r}"
    if error["type"] == "extra_forbidden":
        return f"unexpected argument {where!r}"
    if error["type"] == "model_type" and not where:
        return f"arguments must be a JSON object (got {_short(error['input'])})"
    prefix = f"{where}: " if where else ""
    return f"{prefix}{error['msg']} (got {_short(error['input'])})"


def _short(value: object) -> str:
    text = repr(value)
    if len(text) > _MAX_INPUT_REPR:
        return text[: _MAX_INPUT_REPR - 3] + "..."
    return text
