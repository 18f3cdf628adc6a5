"""Subcommands of a line magic: one parser, its help generated from it, one-line errors.

Every subcommand is a :class:`Command`: a name, a one-line summary, the arguments it takes
(added to its own sub-parser) and a handler. :class:`CommandTable` builds the parser once;
``help()`` is generated from the same sub-parsers, so the help cannot drift from what the
parser accepts.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from ..core.errors import UsageError


class HelpShown(Exception):
    """``-h`` was given: the text is the help to print; nothing else runs."""


class ArgParser(argparse.ArgumentParser):
    """An argparse parser whose errors are one-line :class:`UsageError` s; it never exits."""

    def error(self, message: str) -> NoReturn:
        """Raise instead of printing and exiting."""
        raise UsageError(f"{self.prog}: {message}; usage: {self._usage_line()}")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        """Raise instead of exiting (``-h`` ends here with status 0)."""
        if status == 0:
            raise HelpShown(self.format_help())
        raise UsageError(message or f"{self.prog}: invalid arguments")

    def _usage_line(self) -> str:
        line = " ".join(self.format_usage().split()).removeprefix("usage: ")
        return line.replace(" [-h]", "")


def no_arguments(parser: ArgParser) -> None:
    """Add no arguments (a command that takes none)."""


@dataclass(frozen=True)
class Command:
    """One subcommand.

    Parameters
    ----------
    name
        The word after the magic (``%chat NAME ...``).
    summary
        One line for the help.
    run
        ``run(state, namespace)``: does the work (raises :class:`UsageError` on bad input).
    arguments
        Adds the command's arguments to its sub-parser.
    passthrough
        The words after the name go, unparsed, to ``namespace.words`` (a command that takes
        another command's options, such as ``%chat panel -m MODEL``).
    """

    name: str
    summary: str
    run: Callable[[Any, argparse.Namespace], object]
    arguments: Callable[[ArgParser], None] = field(default=no_arguments)
    passthrough: bool = False


class CommandTable:
    """The subcommands of one magic.

    Parameters
    ----------
    prog
        The magic as the user types it (``%chat``).
    commands
        Its subcommands, in the order the help lists them.
    """

    def __init__(self, prog: str, commands: Sequence[Command]) -> None:
        self.prog = prog
        self.commands = {c.name: c for c in commands}
        self.parser = ArgParser(prog=prog, add_help=False)
        sub = self.parser.add_subparsers(dest="command", required=True, metavar="SUBCOMMAND")
        self.parsers: dict[str, ArgParser] = {}
        for command in commands:
            parser = sub.add_parser(
                command.name, prog=f"{prog} {command.name}", help=command.summary
            )
            command.arguments(parser)
            self.parsers[command.name] = parser

    def parse(self, words: list[str]) -> tuple[Command, argparse.Namespace]:
        """Return the command and its parsed arguments; an unknown one is a one-line error."""
        if not words or words[0] not in self.commands:
            name = words[0] if words else ""
            raise UsageError(f"{self.prog}: unknown subcommand {name!r}; see {self.prog} help")
        if self.commands[words[0]].passthrough:
            return self.commands[words[0]], argparse.Namespace(command=words[0], words=words[1:])
        namespace = self.parser.parse_args(words)
        return self.commands[namespace.command], namespace

    def run(self, state: Any, words: list[str]) -> None:
        """Parse ``words`` and run the command on ``state``; ``-h`` prints its help."""
        try:
            command, namespace = self.parse(words)
        except HelpShown as shown:
            print(str(shown).rstrip())
            return
        command.run(state, namespace)

    def help(self) -> str:
        """Return the help: one usage line and summary per subcommand, from the parsers."""
        lines = [f"{self.prog} subcommands ({self.prog} NAME -h for one):"]
        for name, parser in self.parsers.items():
            usage = parser._usage_line().removeprefix(f"{self.prog} ")
            lines.append(f"  {usage}")
            lines.append(f"      {self.commands[name].summary}")
        return "\n".join(lines)
