"""A notebook function as a tool: schema from its signature, description from its docstring."""

from __future__ import annotations

import asyncio
import functools
import inspect
import re
from collections.abc import Callable
from typing import Annotated, Any

import pydantic
from pydantic import ConfigDict, Field
from pydantic.fields import FieldInfo

from jupyter_orch.core.errors import UsageError
from jupyter_orch.core.messages import ToolResult
from jupyter_orch.core.policy import check_policy
from jupyter_orch.core.tools import ToolSpec

from . import schema
from .docstrings import Docstring, parse_docstring
from .results import DEFAULT_MAX_CHARS, format_result

TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]+")


class FunctionTool:
    """A Python callable offered to the model as a tool.

    Build one with :meth:`from_callable`. Sync callables run in a worker thread (the event
    loop, and with it the approval buttons, stays live); coroutine functions are awaited on
    the loop. What the callable returns is turned into text by
    :func:`~jupyter_orch.tools.python.results.format_result`.

    Attributes
    ----------
    fn
        The callable.
    arguments_model
        The pydantic model that validates the arguments.
    max_result_chars
        The size limit of the result text.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        spec: ToolSpec,
        arguments_model: type[pydantic.BaseModel],
        binder: _Binder,
        max_result_chars: int,
    ) -> None:
        self.fn = fn
        self._spec = spec
        self.arguments_model = arguments_model
        self._binder = binder
        self.max_result_chars = max_result_chars

    @classmethod
    def from_callable(
        cls,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        policy: str | None = None,
        max_result_chars: int | None = None,
        source: str = "notebook",
    ) -> FunctionTool:
        """Return a tool that calls ``fn``.

        Parameters
        ----------
        fn
            A function, bound method, ``functools.partial`` or callable object; sync or async.
        name
            The tool's name (default: the function's name, made safe).
        description
            What the tool does (default: the docstring's description).
        policy
            ``"auto"``, ``"ask"`` or ``"deny"``: the tool's own default policy.
        max_result_chars
            Size limit of the result text (default 20,000).
        source
            The source shown on approval cards and used by per-source policy.

        Raises
        ------
        UsageError
            ``fn`` is not callable, its name cannot be a tool name, or a parameter's type has
            no JSON schema.
        """
        if not callable(fn):
            raise UsageError(f"a tool must be callable, not {type(fn).__name__}")
        tool_name = _tool_name(fn, name)
        signature = _signature(fn, tool_name)
        doc = parse_docstring(inspect.getdoc(_unwrap(fn)))
        model, binder = _arguments_model(tool_name, signature, doc)
        spec = ToolSpec(
            name=tool_name,
            description=description or doc.description or f"Call {tool_name}{signature}.",
            parameters=schema.json_schema(model),
            source=source,
            default_policy=check_policy(policy) if policy is not None else None,
        )
        limit = DEFAULT_MAX_CHARS if max_result_chars is None else max_result_chars
        if limit < 1:
            raise UsageError(f"max_result_chars must be positive, not {limit}")
        return cls(fn, spec, model, binder, limit)

    @property
    def spec(self) -> ToolSpec:
        """The tool's name, description, schema and source."""
        return self._spec

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Return the arguments checked and coerced, as JSON, for the approval card.

        Raises
        ------
        ToolArgumentError
            With a short line per problem, for the model.
        """
        checked = schema.validate(self.arguments_model, self._spec.name, arguments)
        return checked.model_dump(mode="json", by_alias=True, exclude_unset=True)

    async def call(self, arguments: dict[str, Any]) -> ToolResult:
        """Call the function with ``arguments``; exceptions propagate to the orchestrator."""
        checked = schema.validate(self.arguments_model, self._spec.name, arguments)
        args, kwargs = self._binder(checked)
        if _is_async(self.fn):
            value = await self.fn(*args, **kwargs)
        else:
            # to_thread runs the call in copy_context(): output stays parented to the cell.
            value = await asyncio.to_thread(self.fn, *args, **kwargs)
            if inspect.isawaitable(value):
                value = await value
        return format_result(value, max_chars=self.max_result_chars)

    def __repr__(self) -> str:
        return f"<FunctionTool {self._spec.name} source={self._spec.source!r}>"


# Turns the validated model into the positional and keyword arguments of the call.
_Binder = Callable[[pydantic.BaseModel], tuple[list[Any], dict[str, Any]]]


def _unwrap(fn: Callable[..., Any]) -> Callable[..., Any]:
    while isinstance(fn, functools.partial):
        fn = fn.func
    return fn


def _is_async(fn: Callable[..., Any]) -> bool:
    target = _unwrap(fn)
    call = getattr(target, "__call__", None)  # noqa: B004  # an object with async __call__
    return inspect.iscoroutinefunction(target) or inspect.iscoroutinefunction(call)


def _tool_name(fn: Callable[..., Any], name: str | None) -> str:
    if name is not None:
        if not TOOL_NAME.match(name):
            raise UsageError(f"tool name {name!r} must match {TOOL_NAME.pattern}")
        return name
    target = _unwrap(fn)
    raw = getattr(target, "__name__", None) or type(target).__name__
    if raw == "<lambda>":
        raise UsageError("a lambda has no name: pass one, for example tool(name='area')(fn)")
    safe = _UNSAFE.sub("_", raw).strip("_")[:64]
    if not safe:
        raise UsageError(f"cannot make a tool name from {raw!r}: pass name=...")
    return safe


def _signature(fn: Callable[..., Any], tool_name: str) -> inspect.Signature:
    try:
        signature = inspect.signature(fn, eval_str=True)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"cannot read the signature of {tool_name}: {exc}") from None
    except Exception as exc:  # eval of a string annotation can raise anything
        raise UsageError(f"cannot resolve the type hints of {tool_name}: {exc!r}") from None
    params = list(signature.parameters.values())
    if params and params[0].name in {"self", "cls"} and inspect.isfunction(fn):
        raise UsageError(
            f"{tool_name} looks like a method (first parameter {params[0].name!r}): "
            "make a tool of the bound method instead (obj.method)"
        )
    return signature


def _arguments_model(
    tool_name: str, signature: inspect.Signature, doc: Docstring
) -> tuple[type[pydantic.BaseModel], _Binder]:
    """Return the pydantic model of the arguments, and how to turn it into a call."""
    fields: dict[str, Any] = {}
    extra: Any = "forbid"
    for i, param in enumerate(signature.parameters.values()):
        # Fields get neutral names and the parameter name as alias: a parameter may be
        # called `json` or `schema`, which a pydantic field name must not shadow.
        key = f"p{i}"
        annotation = _annotation(param)
        description = doc.params.get(param.name)
        if param.kind is param.VAR_KEYWORD:
            extra = "allow"
            fields["__pydantic_extra__"] = (dict[str, annotation], None)  # type: ignore[valid-type]  # built at runtime
            continue
        if param.kind is param.VAR_POSITIONAL:
            info: Any = Field(default_factory=list, alias=param.name, description=description)
            fields[key] = (list[annotation], info)  # type: ignore[valid-type]  # built at runtime
            continue
        fields[key] = _field(param, annotation, description)
    try:
        model = pydantic.create_model(tool_name, __config__=ConfigDict(extra=extra), **fields)
    except (pydantic.PydanticSchemaGenerationError, pydantic.PydanticUserError, TypeError) as exc:
        detail = _culprit(signature, exc)
        raise UsageError(f"cannot build a JSON schema for {tool_name}: {detail}") from None
    return model, _binder(signature)


def _culprit(signature: inspect.Signature, exc: Exception) -> str:
    """Name the parameter whose type pydantic cannot describe (its own message is about config)."""
    for param in signature.parameters.values():
        annotation = _annotation(param)
        try:
            pydantic.TypeAdapter(annotation)
        except (pydantic.PydanticSchemaGenerationError, pydantic.PydanticUserError, TypeError):
            shown = getattr(annotation, "__name__", None) or repr(annotation)
            return (
                f"parameter {param.name!r} has type {shown}, which has no JSON form "
                "(use str, int, float, bool, list, dict, Literal or a pydantic model)"
            )
    return str(exc).splitlines()[0]


def _field(param: inspect.Parameter, annotation: Any, description: str | None) -> tuple[Any, Any]:
    """Return the ``(type, FieldInfo)`` pair of one parameter."""
    if isinstance(param.default, FieldInfo):  # `x: int = Field(3, ge=0)`, as validate_call allows
        description = description or param.default.description
        return Annotated[annotation, param.default], Field(
            alias=param.name, description=description
        )
    default = ... if param.default is param.empty else param.default
    return annotation, Field(default, alias=param.name, description=description)


def _annotation(param: inspect.Parameter) -> Any:
    """Return the parameter's type; unannotated, the type of a plain default, else ``Any``."""
    if param.annotation is not param.empty:
        return param.annotation
    if type(param.default) in (int, float, str, bool):
        return type(param.default)
    return Any


def _binder(signature: inspect.Signature) -> _Binder:
    params = {f"p{i}": p for i, p in enumerate(signature.parameters.values())}
    star = next((k for k, p in params.items() if p.kind is p.VAR_POSITIONAL), None)
    # Positional-only parameters go by position; with *args, every parameter before it does
    # too, so that *args follows them.
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    by_position = [k for k, p in params.items() if p.kind in (kinds if star else kinds[:1])]

    def bind(checked: pydantic.BaseModel) -> tuple[list[Any], dict[str, Any]]:
        values = {key: getattr(checked, key) for key in type(checked).model_fields}
        args = [values.pop(key) for key in by_position]
        if star is not None:
            args.extend(values.pop(star))
        kwargs = {params[key].name: value for key, value in values.items()}
        kwargs.update(checked.model_extra or {})
        return args, kwargs

    return bind
