"""``%mcp``: mount MCP servers into the notebook's orchestrator.

A thin layer: it parses the line, calls :class:`~jupyter_orch.tools.mcp.mounts.McpMounts`
and prints plain text. The MCP SDK (about a second to import) is loaded at the first
``%mcp`` line, not at ``%load_ext``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

from IPython.core.magic import Magics, line_magic, magics_class

from ..core.errors import OrchError, UsageError
from ..core.policy import POLICIES
from ..core.redaction import Redactor
from .approvers import frontend
from .awake import loop_awake
from .command_table import ArgParser, HelpShown
from .errors import fail

if TYPE_CHECKING:
    from ..tools.mcp.auth import ServerAuth
    from ..tools.mcp.config import ServerConfig
    from ..tools.mcp.mounts import McpMounts
    from ..tools.mcp.server import MountedServer
    from .extension import Extension


SUMMARIES = {
    "add": "mount a server: -- COMMAND ARGS... (stdio), or --url URL (streamable HTTP, SSE)",
    "load": "mount the servers of a Claude/Cursor or VS Code config file",
    "list": "servers: transport, state, counts, server version",
    "tools": "tools as offered to the model, with their policy",
    "resources": "resources and resource templates",
    "prompts": "prompts and their arguments (* = required)",
    "log": "the server's log (stderr and its log messages), secrets hidden",
    "remove": "stop it and withdraw its tools",
    "restart": "stop and start it again (after a crash)",
    "logout": "forget its stored sign-in (OAuth tokens)",
    "read": "attach a resource to the next %%chat message",
    "prompt": "put a prompt's messages into the thread",
}
NOTES = """A line that fails fails the cell (Run All stops there); nothing starts a server itself.
A server gets only the environment it is given (--env, the config's env) plus PATH, HOME,
locale and temp folders: never the kernel's API keys. Settings: JupyterOrch.mcp_start_timeout,
mcp_roots (default: the notebook's folder), mcp_log_level."""


def _build_parser() -> ArgParser:
    parser = ArgParser(prog="%mcp", add_help=False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="SUBCOMMAND")

    def command(name: str) -> ArgParser:
        made: ArgParser = sub.add_parser(name, prog=f"%mcp {name}", help=SUMMARIES[name])
        return made

    add = command("add")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--approve", choices=POLICIES)
    add.add_argument("--env", action="append", default=[], metavar="K=V")
    add.add_argument("--cwd")
    add.add_argument("--url")
    add.add_argument("--header", action="append", default=[], metavar="K=V")
    add.add_argument("--sse", action="store_true", help="use the SSE transport only")
    add.add_argument("--protocol", choices=("auto", "legacy", "2026-07-28"))
    add.add_argument("--client-id", help="OAuth client registered in advance")
    add.add_argument("--client-secret-env", metavar="VAR", help="its secret, from this variable")
    add.add_argument("--scope", help="OAuth scopes to ask for")
    add.add_argument("--no-oauth", action="store_true", help="never start a sign-in")
    command("load").add_argument("path", metavar="PATH")
    command("list")
    for name in ("tools", "resources", "prompts"):
        command(name).add_argument("name", nargs="?", metavar="NAME")
    log = command("log")
    log.add_argument("name", metavar="NAME")
    log.add_argument("-n", "--lines", type=int, default=200)
    for name in ("remove", "restart", "logout"):
        command(name).add_argument("name", metavar="NAME")
    read = command("read")
    read.add_argument("name", metavar="NAME")
    read.add_argument("uri", metavar="URI")
    read.add_argument("--thread")
    prompt = command("prompt")
    prompt.add_argument("name", metavar="NAME")
    prompt.add_argument("prompt", metavar="PROMPT")
    prompt.add_argument("arguments", nargs="*", metavar="key=value")
    prompt.add_argument("--thread")
    return parser


def mcp_help(parser: ArgParser | None = None) -> str:
    """Return ``%mcp``'s help: each subcommand's usage, from the parser, and what it does."""
    parser = parser or _build_parser()
    lines = ["%mcp subcommands (%mcp NAME -h for one):"]
    for action in parser._subparsers._group_actions if parser._subparsers else []:
        for name, sub in getattr(action, "choices", {}).items():
            usage = sub._usage_line().removeprefix("%mcp ")
            lines.append(f"  {usage}")
            lines.append(f"      {SUMMARIES[name]}")
    return "\n".join([*lines, "", NOTES])


def _pairs(items: list[str], what: str) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"{what} must look like KEY=VALUE, not {item!r}")
        out[key] = value
    return out


@magics_class
class McpMagics(Magics):
    """The ``%mcp`` line magic.

    Parameters
    ----------
    shell
        The IPython shell.
    ext
        The loaded extension: its session (registry, policies, instructions, threads) is
        what the servers join, and it owns the mounted servers.
    mounts_options
        Options for :class:`~jupyter_orch.tools.mcp.mounts.McpMounts` (``start_timeout``,
        ``call_timeout``, ``max_concurrent``, ``log_dir``).
    """

    def __init__(self, shell: Any, ext: Extension, **mounts_options: Any) -> None:
        super().__init__(shell)
        self.ext = ext
        self.session = ext.session
        self._mounts_options = mounts_options
        self._parser = _build_parser()

    @property
    def _mounts(self) -> McpMounts | None:
        return self.ext.mounts

    @property
    def mounts(self) -> McpMounts:
        """The servers' engine, created (and the SDK imported) on first use."""
        if self.ext.mounts is None:
            from ..tools.mcp.mounts import McpMounts

            options = {**self._settings_options(), **self._mounts_options}
            self.ext.mounts = McpMounts(self.session, **options)
        return self.ext.mounts

    def _settings_options(self) -> dict[str, Any]:
        config = self.ext.config
        return {
            "start_timeout": config.mcp_start_timeout,
            "log_level": config.mcp_log_level or None,
            "roots": lambda: roots_of(self.shell, config.mcp_roots),
            "auth": self._auth_for,
            "apps": setup.apps if (setup := self.ext.bridge_setup) is not None else None,
        }

    def _auth_for(self, server: ServerConfig) -> ServerAuth | None:
        """Return the sign-in of an HTTP server: a link in this cell, none when headless."""
        from ..tools.mcp.auth import ServerAuth, default_token_path, wants_oauth
        from ..tools.mcp.tokens import TokenFile
        from .signin import CellSignIn

        if not wants_oauth(server):
            return None
        headless = frontend(self.shell, self.ext.config) == "headless"
        sign_in = None if headless else CellSignIn()
        return ServerAuth(server, TokenFile(default_token_path()), sign_in)

    @line_magic
    def mcp(self, line: str) -> None:
        """Mount MCP servers; their tools join the chat behind Approve/Reject cards.

        ``%mcp help`` lists the subcommands (the list is made from the parser itself).
        """
        from .cells import run_sync

        run_sync(self.run(line))

    async def run(self, line: str) -> None:
        """Run one ``%mcp`` line; bad input or a failed server fails the cell with one line.

        The cell fails (as ``%%chat`` does), so Run All and papermill stop there; an
        Interrupt (a server that never answers) ends it with one line too.
        """
        try:
            async with loop_awake():
                await self._dispatch(line)
        except HelpShown as shown:
            print(str(shown).rstrip())
        except OrchError as exc:
            raise fail(self.redactor().text(f"Error: {exc}"), self.shell) from None
        except asyncio.CancelledError:
            raise fail(f"Error: %mcp {line.strip()}: interrupted", self.shell) from None

    def redactor(self) -> Redactor:
        """Hides the kernel's secrets (its environment's keys, the model parameters)."""
        return Redactor.build(params=self.ext.config.params, environ=os.environ)

    async def _dispatch(self, line: str) -> None:
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise UsageError(f"%mcp: {exc}") from None
        if not words or words[0] in ("help", "-h", "--help"):
            print(mcp_help(self._parser))
            return
        command: list[str] = []
        if "--" in words:
            cut = words.index("--")
            words, command = words[:cut], words[cut + 1 :]
        args = self._parser.parse_args(words)
        handler = getattr(self, f"_do_{args.command}")
        if args.command == "add":
            await handler(args, command)
        elif command:
            raise UsageError(f"%mcp {args.command} takes no command after --")
        else:
            await handler(args)

    async def _do_add(self, args: argparse.Namespace, command: list[str]) -> None:
        from ..tools.mcp.config import ServerConfig, check_name

        check_name(args.name)
        if args.url and command:
            raise UsageError("%mcp add: give either --url URL or -- COMMAND, not both")
        oauth_flags = args.client_id or args.client_secret_env or args.scope or args.no_oauth
        if oauth_flags and not args.url:
            raise UsageError("%mcp add: --client-id, --scope and --no-oauth are for --url servers")
        if args.url and (args.env or args.cwd):
            raise UsageError("%mcp add: --env and --cwd are for servers started by a command")
        if not args.url and not command:
            raise UsageError("%mcp add: give the server's command after --, or --url URL")
        command = [os.path.expanduser(word) for word in command]
        config = ServerConfig(
            name=args.name,
            transport=("sse" if args.sse else "http") if args.url else "stdio",
            command=command[0] if command else None,
            args=tuple(command[1:]),
            env=_pairs(args.env, "--env"),
            cwd=os.path.expanduser(args.cwd) if args.cwd else None,
            protocol=args.protocol,
            oauth=_oauth_options(args),
            url=args.url,
            headers=_pairs(args.header, "--header"),
            approve=args.approve,
        )
        self._report([await self.mounts.add(config)])

    async def _do_load(self, args: argparse.Namespace) -> None:
        from ..tools.mcp.config import load_config

        configs = load_config(args.path)
        if not configs:
            print(f"no servers in {args.path}")
            return
        servers = await self.mounts.add_many(configs)
        for config in configs:
            if config.disabled:
                print(f"Skipped {config.name} (disabled)")
        self._report(servers)

    def _report(self, servers: list[MountedServer]) -> None:
        """Print the servers that connected; raise one error naming those that failed."""
        from ..tools.mcp.listing import failure_text, mounted_line

        failures = []
        for server in servers:
            if server.state == "connected":
                print(mounted_line(self.session, server))
            else:
                failures.append(failure_text(server))
        if failures:
            raise OrchError("\n".join(failures))

    async def _do_list(self, args: argparse.Namespace) -> None:
        from ..tools.mcp.listing import servers_table

        print(servers_table(self.mounts.servers()))

    async def _do_tools(self, args: argparse.Namespace) -> None:
        from ..tools.mcp.listing import tools_table

        print(tools_table(self.session, self._chosen(args.name)))

    async def _do_resources(self, args: argparse.Namespace) -> None:
        from ..tools.mcp.listing import resources_table

        print(resources_table(self._chosen(args.name)))

    async def _do_prompts(self, args: argparse.Namespace) -> None:
        from ..tools.mcp.listing import prompts_table

        print(prompts_table(self._chosen(args.name)))

    async def _do_log(self, args: argparse.Namespace) -> None:
        server = self.mounts.get(args.name)
        lines = server.log_text().splitlines()[-max(args.lines, 1) :]
        print(f"# {server.log.path}")
        print(self.redactor().text("\n".join(lines)) if lines else "(the log is empty)")

    async def _do_logout(self, args: argparse.Namespace) -> None:
        from ..tools.mcp.auth import default_token_path
        from ..tools.mcp.tokens import TokenFile

        removed = TokenFile(default_token_path()).remove_server(args.name)
        if not removed:
            print(f"No stored sign-in for {args.name}")
            return
        print(f"Signed out of {args.name}: its stored tokens are removed")
        if self._mounts is not None and args.name in {s.name for s in self._mounts.servers()}:
            print(f"(the running connection keeps its session until %mcp restart {args.name})")

    async def _do_remove(self, args: argparse.Namespace) -> None:
        await self.mounts.remove(args.name)
        print(f"Removed {args.name}")

    async def _do_restart(self, args: argparse.Namespace) -> None:
        self._report([await self.mounts.restart(args.name)])

    async def _do_read(self, args: argparse.Namespace) -> None:
        from ..tools.mcp.content import resource_parts

        result = await self.mounts.get(args.name).read_resource(args.uri)
        parts = resource_parts(result)
        thread = args.thread or self.session.current_thread
        self.session.attach(thread, parts)
        size = sum(len(str(p.get("text", ""))) for p in parts if p["type"] == "text")
        images = sum(1 for p in parts if p["type"] == "image_url")
        what = f"{size} characters" + (f", {images} image(s)" if images else "")
        print(f"Attached {args.uri} ({what}) to the next %%chat message of thread {thread!r}")

    async def _do_prompt(self, args: argparse.Namespace) -> None:
        from ..tools.mcp.content import prompt_messages

        server = self.mounts.get(args.name)
        arguments = _pairs(args.arguments, "prompt arguments")
        _check_prompt_arguments(server, args.prompt, arguments)
        messages = prompt_messages(await server.get_prompt(args.prompt, arguments))
        thread = self.session.thread(args.thread)
        thread.add_messages(messages)
        print(
            f"Added {len(messages)} message(s) of prompt {args.prompt!r} to thread {thread.name!r}"
        )
        for message in messages:
            text = message.text().strip().replace("\n", " ")
            print(f"  {message.role}: {text[:100]}{'...' if len(text) > 100 else ''}")

    def _chosen(self, name: str | None) -> list[MountedServer]:
        if name is None:
            return self.mounts.servers()
        return [self.mounts.get(name)]


def _oauth_options(args: argparse.Namespace) -> dict[str, Any]:
    if args.no_oauth:
        return {"disabled": True}
    options: dict[str, Any] = {}
    if args.client_id:
        options["client_id"] = args.client_id
    if args.client_secret_env:
        secret = os.environ.get(args.client_secret_env)
        if not secret:
            raise UsageError(f"%mcp add: environment variable {args.client_secret_env} is not set")
        options["client_secret"] = secret
    if args.scope:
        options["scope"] = args.scope
    return options


def roots_of(shell: Any, configured: list[str]) -> list[Path]:
    """Return the roots offered to servers: the configured folders, else the notebook's."""
    if configured:
        return [Path(p).expanduser() for p in configured]
    from ..transcript.store import notebook_path

    notebook = notebook_path(getattr(shell, "user_ns", {}))
    return [notebook.parent if notebook is not None else Path.cwd()]


def _check_prompt_arguments(server: MountedServer, name: str, given: dict[str, str]) -> None:
    known = {p.name: p for p in server.prompts}
    prompt = known.get(name)
    if prompt is None:
        listed = ", ".join(known) or "none"
        raise UsageError(f"MCP server {server.name!r} has no prompt {name!r}; it has: {listed}")
    missing = [a.name for a in prompt.arguments or [] if a.required and a.name not in given]
    if missing:
        raise UsageError(f"prompt {name!r} needs {', '.join(f'{m}=...' for m in missing)}")
