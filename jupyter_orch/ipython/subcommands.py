"""The subcommands of the ``%chat`` line magic, one small function each."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import UsageError

if TYPE_CHECKING:
    from .extension import Extension

Subcommand = Callable[["Extension", list[str]], None]
SUBCOMMANDS: dict[str, Subcommand] = {}

HELP = """%chat subcommands:
  model [NAME]             show or set the default model (a LiteLLM name)
  system TEXT | -f FILE    set the current thread's system prompt
  threads                  list threads
  status                   model, thread, messages, usage
  clear [THREAD]           forget a thread's messages (the system prompt stays)
  usage                    token and cost totals per thread
  tools                    list tools with source and policy
  tools add NAME...        offer notebook functions as tools
  tools remove NAME...     stop offering tools
  tools enable python      offer run_python (always asks before running)
  tools disable python     stop offering run_python
  expose VAR...            let the model inspect these variables (read-only)
  policy NAME auto|ask|deny  set the policy of a tool or a source (notebook, mcp:NAME...)
  export PATH [--thread T] [--format md|json|html] [--session]
                           write the chat transcript (this notebook's store)
  replay PATH | off        answer from a recording (a JSONL store or an .ipynb)
  fork NEW [--from-cell ID | --turn N]
                           branch the current thread into NEW (up to that turn)
  panel [OPTIONS]          a chat panel widget (options as for %%chat: -m, -t...)
  help                     this text"""


def subcommand(name: str) -> Callable[[Subcommand], Subcommand]:
    """Register a ``%chat NAME`` subcommand."""

    def register(fn: Subcommand) -> Subcommand:
        SUBCOMMANDS[name] = fn
        return fn

    return register


@subcommand("help")
def _help(ext: Extension, args: list[str]) -> None:
    print(HELP)


@subcommand("model")
def _model(ext: Extension, args: list[str]) -> None:
    if args:
        ext.config.model = args[0]
    print(f"model: {ext.config.model or '(none: set one with %chat model NAME)'}")


@subcommand("system")
def _system(ext: Extension, args: list[str]) -> None:
    if args[:1] == ["-f"]:
        if len(args) != 2:
            raise UsageError("%chat system -f FILE")
        try:
            text = Path(args[1]).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read {args[1]}: {exc.strerror}") from None
    else:
        text = " ".join(args)
    ext.session.thread().system = text or None
    print(f"system prompt of thread {ext.session.current_thread!r}: {len(text)} characters")


@subcommand("threads")
def _threads(ext: Extension, args: list[str]) -> None:
    if not ext.session.threads:
        print("no threads yet")
    for name, thread in ext.session.threads.items():
        mark = "*" if name == ext.session.current_thread else " "
        print(f"{mark} {name}: {len(thread.turns)} turns, {len(thread.messages())} messages")


@subcommand("status")
def _status(ext: Extension, args: list[str]) -> None:
    info = ext.session.describe()
    usage = info["usage"]
    cost = f", ${usage.cost:.4f}" if usage.cost else ""
    print(
        f"model: {ext.config.model or '(none)'}\nthread: {info['thread']} "
        f"({info['messages']} messages)\ntools: {info['tools']}\n"
        f"usage: {usage.prompt_tokens:,} prompt + "
        f"{usage.completion_tokens:,} completion tokens{cost}"
    )


@subcommand("clear")
def _clear(ext: Extension, args: list[str]) -> None:
    name = args[0] if args else ext.session.current_thread
    if name not in ext.session.threads:
        raise UsageError(f"no thread {name!r}; see %chat threads")
    ext.session.threads[name].clear()
    print(f"cleared thread {name!r}")


@subcommand("usage")
def _usage(ext: Extension, args: list[str]) -> None:
    for name, thread in ext.session.threads.items():
        u = thread.usage
        cost = f"  ${u.cost:.4f}" if u.cost else ""
        print(
            f"{name}: {u.prompt_tokens:,} prompt + {u.completion_tokens:,} completion tokens{cost}"
        )
    if not ext.session.threads:
        print("no usage yet")


@subcommand("tools")
def _tools(ext: Extension, args: list[str]) -> None:
    if not args:
        _list_tools(ext)
        return
    action, names = args[0], args[1:]
    actions: dict[str, Callable[[Extension, list[str]], None]] = {
        "add": _tools_add,
        "remove": _tools_remove,
        "enable": _tools_enable,
        "disable": _tools_disable,
    }
    if action not in actions or not names:
        raise UsageError(
            "%chat tools [add NAME... | remove NAME... | enable python | disable python]"
        )
    actions[action](ext, names)


def _list_tools(ext: Extension) -> None:
    tools = list(ext.session.registry)
    if not tools:
        print(
            "no tools (add some with @jupyter_orch.tool, %chat tools add, %chat expose, %mcp add)"
        )
    for tool in tools:
        policy = ext.session.policy.decide(tool.spec)
        print(
            f"{tool.spec.name:<28} {tool.spec.source:<16} {policy:<5} {tool.spec.description[:60]}"
        )


def _tools_add(ext: Extension, names: list[str]) -> None:
    from ..tools.python.functions import FunctionTool

    for name in names:
        fn = _lookup(ext, name)
        if not callable(fn):
            raise UsageError(f"{name} is not callable")
        tool = FunctionTool.from_callable(fn, name=name)
        ext.session.registry.add(tool)
        print(f"added tool {tool.spec.name}")


def _tools_remove(ext: Extension, names: list[str]) -> None:
    for name in names:
        if name not in ext.session.registry:
            raise UsageError(f"no tool {name!r}; see %chat tools")
        ext.session.registry.remove(name)
    print(f"removed {', '.join(names)}")


def _tools_enable(ext: Extension, names: list[str]) -> None:
    if names != ["python"]:
        raise UsageError("%chat tools enable python")
    from ..tools.python.run_python import RunPythonTool

    tool = RunPythonTool(ext.shell.user_ns)
    ext.session.registry.add(tool)
    # Running code is never automatic, whatever the defaults say.
    ext.session.policy.per_tool[tool.spec.name] = "ask"
    print(f"enabled {tool.spec.name} (asks before every run)")


def _tools_disable(ext: Extension, names: list[str]) -> None:
    if names != ["python"]:
        raise UsageError("%chat tools disable python")
    ext.session.registry.remove_source("python")
    print("disabled run_python")


@subcommand("expose")
def _expose(ext: Extension, args: list[str]) -> None:
    if not args:
        raise UsageError("%chat expose VAR...")
    from ..tools.python.variables import VariableView, variable_tools

    view: Any = getattr(ext, "variables", None)
    if view is None:
        view = ext.variables = VariableView(ext.shell.user_ns)  # type: ignore[attr-defined]
        for tool in variable_tools(view):
            ext.session.registry.add(tool)
    view.expose(*args)
    print(f"exposed (read-only): {', '.join(sorted(view.names))}")


@subcommand("panel")
def _panel(ext: Extension, args: list[str]) -> None:
    from IPython.display import display

    from .panel import open_panel

    session = open_panel(ext, args)
    ext.panels.append(session)  # the panel's turns run while no cell holds a reference
    display(session.panel.widget)


@subcommand("policy")
def _policy(ext: Extension, args: list[str]) -> None:
    if len(args) != 2:
        raise UsageError("%chat policy NAME auto|ask|deny")
    target, policy = args
    sources = [*ext.session.registry.sources(), "notebook", "variables", "python"]
    known = target in ext.session.registry or target in sources or f"mcp:{target}" in sources
    if not known:
        raise UsageError(f"no tool or source {target!r}; see %chat tools")
    kind = ext.session.policy.set(target, policy, sources=sources)
    print(f"{kind} {target}: {policy}")


def _lookup(ext: Extension, name: str) -> Any:
    try:
        return ext.shell.user_ns[name]
    except KeyError:
        raise UsageError(f"name {name!r} is not defined") from None
