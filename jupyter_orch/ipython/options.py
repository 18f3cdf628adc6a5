"""The options of ``%%chat``: one parser that is also the ``%%chat?`` help."""

from __future__ import annotations

import argparse
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from IPython.core.error import UsageError as IPythonUsageError
from IPython.core.magic_arguments import argument, magic_arguments

from ..core.errors import UsageError
from ..core.messages import ContentPart
from ..turns import TurnInput


@dataclass
class ChatOptions:
    """Parsed ``%%chat`` options."""

    model: str | None = None
    thread: str | None = None
    new: bool = False
    system: str | None = None
    format: str | None = None
    quiet: bool = False
    params: dict[str, Any] = field(default_factory=dict)
    force_tool: str | None = None
    tools: list[str] | None = None
    context: tuple[str, ...] | None = None


@magic_arguments(name="%chat")
@argument("-m", "--model", help="LiteLLM model name, e.g. openai/gpt-4o-mini or local/smollm2.")
@argument("-t", "--thread", help="Thread to continue (created if new); default: the current one.")
@argument("--new", action="store_true", help="Start the thread afresh.")
@argument("--system", help="System prompt for this thread.")
@argument("--temperature", type=float, help="Sampling temperature.")
@argument("--max-tokens", type=int, dest="max_tokens", help="Longest answer, in tokens.")
@argument("--seed", type=int, help="Seed, for providers that take one.")
@argument(
    "--format", choices=["markdown", "text"], help="Show the answer as Markdown or plain text."
)
@argument("-q", "--quiet", action="store_true", help="Show only the final answer.")
@argument(
    "-p",
    "--param",
    action="append",
    default=[],
    metavar="KEY=VALUE",
    help="Any other model parameter (JSON values allowed), e.g. -p top_p=0.9.",
)
@argument("--tool", metavar="NAME", help="Make the model call this tool (forced tool choice).")
@argument("--tools", metavar="A,B", help="Offer only these tools (comma-separated).")
@argument("--no-tools", action="store_true", dest="no_tools", help="Offer no tools.")
@argument(
    "--context",
    nargs="+",
    metavar="notebook|cells A-B",
    help="Add a bounded summary of the notebook (or of cells A to B, from 1) to the message: "
    "each cell's source, output, error and run state; images for models that read them.",
)
def chat_magic_spec(line: str, cell: str) -> None:
    """Ask the model; the answer streams into this cell.

    The cell's text is the prompt. {name}, {name.attr} and {name[key]} insert a value from
    the notebook; {In[3]} the source of the cell In [3], {Out[3]} its result (an image for
    models that read images), {Err} the last error with its traceback, {cell} the cell run
    before this one. Other braces (JSON, LaTeX, dicts) stay as they are, and {{name}} is the
    literal text {name}. When the model wants a tool, the output shows what it wants
    to run, with Approve and Reject. %chat help lists the other commands.
    """


def parse_chat_options(line: str) -> ChatOptions:
    """Parse a ``%%chat`` line; a bad option is a one-line :class:`UsageError`."""
    try:
        ns = chat_magic_spec.parser.parse_args(shlex.split(line))
    except (IPythonUsageError, SystemExit, argparse.ArgumentError, ValueError) as exc:
        raise UsageError(f"%%chat: {exc}") from None
    params: dict[str, Any] = {}
    for key in ("temperature", "max_tokens", "seed"):
        if getattr(ns, key) is not None:
            params[key] = getattr(ns, key)
    params.update(parse_params(ns.param))
    tools: list[str] | None = None
    if ns.no_tools:
        tools = []
    elif ns.tools:
        tools = [t.strip() for t in ns.tools.split(",") if t.strip()]
    return ChatOptions(
        context=parse_context(ns.context),
        model=ns.model,
        thread=ns.thread,
        new=ns.new,
        system=ns.system,
        format=ns.format,
        quiet=ns.quiet,
        params=params,
        force_tool=ns.tool,
        tools=tools,
    )


def parse_context(words: list[str] | None) -> tuple[str, ...] | None:
    """Read ``--context notebook`` or ``--context cells 3-7``; a bad one is one line."""
    if words is None:
        return None
    if words == ["notebook"]:
        return ("notebook",)
    if len(words) == 2 and words[0] == "cells" and re.fullmatch(r"\d+(-\d+)?", words[1]):
        return ("cells", words[1])
    raise UsageError(
        f"%%chat: --context takes 'notebook' or 'cells 3-7' (positions from 1), "
        f"not {' '.join(words)!r}"
    )


def turn_input(
    options: ChatOptions, prompt: str, parts: Sequence[ContentPart] = (), **where: Any
) -> TurnInput:
    """Return what a turn with these options asks for; ``where`` gives the cell or panel.

    ``parts`` (images of ``{Out[n]}`` and ``--context``) join the message after its text.
    """
    return TurnInput(
        prompt,
        parts=tuple(parts),
        model=options.model,
        thread=options.thread,
        new=options.new,
        system=options.system,
        params=options.params,
        tools=options.tools,
        force_tool=options.force_tool,
        **where,
    )


def parse_params(items: list[str]) -> dict[str, Any]:
    """Parse ``KEY=VALUE`` items; values are JSON when they parse as JSON, else strings."""
    import json

    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"%%chat: -p takes KEY=VALUE, not {item!r}")
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out
