"""The subcommands of the ``%chat`` line magic, one small function each, in one table."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import UsageError
from ..core.policy import POLICIES
from .command_table import ArgParser, Command, CommandTable

if TYPE_CHECKING:
    from .extension import Extension


def _help(ext: Extension, ns: argparse.Namespace) -> None:
    print(chat_commands().help())


def _model(ext: Extension, ns: argparse.Namespace) -> None:
    if ns.name:
        ext.config.model = ns.name
    print(f"model: {ext.config.model or '(none: set one with %chat model NAME)'}")


def _system(ext: Extension, ns: argparse.Namespace) -> None:
    if ns.file is not None:
        try:
            text = Path(ns.file).expanduser().read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read {ns.file}: {exc.strerror}") from None
    else:
        text = " ".join(ns.text)
    ext.session.thread().system = text or None
    print(f"system prompt of thread {ext.session.current_thread!r}: {len(text)} characters")


def _threads(ext: Extension, ns: argparse.Namespace) -> None:
    if not ext.session.threads:
        print("no threads yet")
    for name, thread in ext.session.threads.items():
        mark = "*" if name == ext.session.current_thread else " "
        print(f"{mark} {name}: {len(thread.turns)} turns, {len(thread.messages())} messages")


def _status(ext: Extension, ns: argparse.Namespace) -> None:
    info = ext.session.describe()
    usage = info["usage"]
    cost = f", ${usage.cost:.4f}" if usage.cost else ""
    print(
        f"model: {ext.config.model or '(none)'}\nthread: {info['thread']} "
        f"({info['messages']} messages)\ntools: {info['tools']}\n"
        f"usage: {usage.prompt_tokens:,} prompt + "
        f"{usage.completion_tokens:,} completion tokens{cost}"
    )


def _clear(ext: Extension, ns: argparse.Namespace) -> None:
    name = ns.thread or ext.session.current_thread
    if name not in ext.session.threads:
        raise UsageError(f"no thread {name!r}; see %chat threads")
    ext.session.threads[name].clear()
    print(f"cleared thread {name!r}")


def _usage(ext: Extension, ns: argparse.Namespace) -> None:
    for name, thread in ext.session.threads.items():
        u = thread.usage
        cost = f"  ${u.cost:.4f}" if u.cost else ""
        print(
            f"{name}: {u.prompt_tokens:,} prompt + {u.completion_tokens:,} completion tokens{cost}"
        )
    if not ext.session.threads:
        print("no usage yet")


def _tools(ext: Extension, ns: argparse.Namespace) -> None:
    ext.claim_tools()
    if ns.action is None:
        _list_tools(ext)
        return
    if not ns.names:
        raise UsageError(f"%chat tools {ns.action} needs names (see %chat tools -h)")
    {
        "add": _tools_add,
        "remove": _tools_remove,
        "enable": _tools_enable,
        "disable": _tools_disable,
    }[ns.action](ext, ns.names)


def _list_tools(ext: Extension) -> None:
    notes = ext.notebook.tools.notes() if ext.notebook is not None else []
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
    for note in notes:
        print(note)


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
    # Running code is never automatic, whatever the defaults or earlier choices say.
    ext.session.policy.set(tool.spec.name, "ask", sources=[])
    print(f"enabled {tool.spec.name} (asks before every run)")


def _tools_disable(ext: Extension, names: list[str]) -> None:
    if names != ["python"]:
        raise UsageError("%chat tools disable python")
    ext.session.registry.remove_source("python")
    print("disabled run_python")


def _expose(ext: Extension, ns: argparse.Namespace) -> None:
    from ..tools.python.variables import VariableView, variable_tools

    if ext.variables is None:
        ext.variables = VariableView(ext.shell.user_ns)
        for tool in variable_tools(ext.variables):
            ext.session.registry.add(tool)
    ext.variables.expose(*ns.names)
    print(f"exposed (read-only): {', '.join(sorted(ext.variables.names))}")


def _panel(ext: Extension, ns: argparse.Namespace) -> None:
    from IPython.display import display

    from .panel_session import open_panel

    session = open_panel(ext, ns.words)
    ext.panels.append(session)  # the panel's turns run while no cell holds a reference
    display(session.panel.widget)


def _policy(ext: Extension, ns: argparse.Namespace) -> None:
    policy = ext.session.policy
    if ns.target is None:
        _list_policies(ext)
        return
    if ns.target == "revoke":
        if ns.policy is None:
            raise UsageError("%chat policy revoke NAME")
        allowance = policy.revoke(ns.policy)
        print(f"{ns.policy}: asks again (was allowed {_scope_words(allowance.scope)})")
        return
    if ns.policy is None:
        raise UsageError("%chat policy NAME auto|ask|deny  (or: %chat policy revoke NAME)")
    sources = [*ext.session.registry.sources(), "notebook", "variables", "python"]
    target = ns.target
    if ns.policy == "auto" and target in ("run_python", "python"):
        raise UsageError("run_python always asks before it runs code: it cannot be set to auto")
    known = target in ext.session.registry or target in sources or f"mcp:{target}" in sources
    if not known:
        raise UsageError(f"no tool or source {target!r}; see %chat tools")
    kind = policy.set(target, ns.policy, sources=sources)
    print(f"{kind} {target}: {ns.policy}")


def _list_policies(ext: Extension) -> None:
    policy = ext.session.policy
    print(f"default: {policy.default}")
    for source, value in policy.per_source.items():
        print(f"source {source}: {value}")
    for name, value in policy.per_tool.items():
        print(f"tool {name}: {value}")
    for name, allowance in policy.allowed.items():
        print(f"allowed {_scope_words(allowance.scope)}: {name}  (%chat policy revoke {name})")
    if not policy.allowed:
        print("no tool is allowed beyond one call (Approve on a card can allow one)")


def _scope_words(scope: str) -> str:
    return "always" if scope == "always" else "for this session"


def _compact(ext: Extension, ns: argparse.Namespace) -> None:
    store = ext.transcripts.store()
    if store is None:
        raise UsageError("transcripts are not stored (JupyterOrch.record_transcripts is off)")
    before, after = store.compact(live_session=ext.transcripts.session_id)
    print(f"compacted {store.path}: {before:,} -> {after:,} bytes")


def _lookup(ext: Extension, name: str) -> Any:
    try:
        return ext.shell.user_ns[name]
    except KeyError:
        raise UsageError(f"name {name!r} is not defined") from None


def _args_model(p: ArgParser) -> None:
    p.add_argument("name", nargs="?", help="a LiteLLM model name")


def _args_system(p: ArgParser) -> None:
    p.add_argument("-f", "--file", help="read the prompt from a file")
    p.add_argument("text", nargs="*")


def _args_clear(p: ArgParser) -> None:
    p.add_argument("thread", nargs="?")


def _args_tools(p: ArgParser) -> None:
    p.add_argument("action", nargs="?", choices=["add", "remove", "enable", "disable"])
    p.add_argument("names", nargs="*", metavar="NAME")


def _args_expose(p: ArgParser) -> None:
    p.add_argument("names", nargs="+", metavar="VAR")


def _args_policy(p: ArgParser) -> None:
    p.add_argument("target", nargs="?", metavar="NAME|revoke")
    p.add_argument("policy", nargs="?", metavar="|".join(POLICIES))


def _args_panel(p: ArgParser) -> None:
    p.add_argument("options", nargs="*", metavar="%%CHAT-OPTIONS")


def chat_commands() -> CommandTable:
    """Return the table of ``%chat`` subcommands (the transcript ones included)."""
    from .transcript_commands import TRANSCRIPT_COMMANDS

    return CommandTable(
        "%chat",
        [
            Command("model", "show or set the default model", _model, _args_model),
            Command("system", "set the current thread's system prompt", _system, _args_system),
            Command("threads", "list threads", _threads),
            Command("status", "model, thread, messages, usage", _status),
            Command(
                "clear", "forget a thread's messages (the system prompt stays)", _clear, _args_clear
            ),
            Command("usage", "token and cost totals per thread", _usage),
            Command(
                "tools",
                "list tools; add/remove notebook functions; enable/disable python (run_python)",
                _tools,
                _args_tools,
            ),
            Command(
                "expose", "let the model inspect these variables (read-only)", _expose, _args_expose
            ),
            Command(
                "policy",
                "list policies and allowances; set a tool's or source's policy; revoke one",
                _policy,
                _args_policy,
            ),
            *TRANSCRIPT_COMMANDS,
            Command("compact", "rewrite the transcript store with one line per turn", _compact),
            Command(
                "panel",
                "a chat panel widget (options as for %%chat: -m, -t...)",
                _panel,
                _args_panel,
                passthrough=True,
            ),
            Command("help", "this list", _help),
        ],
    )
