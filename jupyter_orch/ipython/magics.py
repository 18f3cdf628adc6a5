"""``%%chat`` and ``%chat``: thin magics over the extension's state."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

from IPython.core.magic import Magics, cell_magic, line_magic, magics_class

from ..core.errors import OrchError
from . import cells
from .chat_cell import run_chat_cell
from .errors import fail
from .options import chat_magic_spec
from .subcommands import chat_commands

if TYPE_CHECKING:
    from .extension import Extension


@magics_class
class ChatMagics(Magics):  # type: ignore[misc]  # IPython's Magics is untyped
    """The chat magics; all state lives in the :class:`Extension`."""

    def __init__(self, shell: Any, ext: Extension) -> None:
        super().__init__(shell)
        self.ext = ext
        self.commands = chat_commands()

    @cell_magic  # type: ignore[misc]
    def chat(self, line: str, cell: str) -> None:
        """Run through run_cell_magic; cells typed by the user become awaited cells instead."""
        try:
            cells.run_sync(run_chat_cell(self.ext, line, cell))
        except OrchError as exc:
            raise fail(str(exc), self.shell) from None

    chat.__doc__ = chat_magic_spec.__doc__

    @line_magic("chat")  # type: ignore[arg-type]  # IPython types line_magic loosely
    def chat_line(self, line: str) -> None:
        """Manage chats: ``%chat help`` lists the subcommands."""
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise fail(f"%chat: {exc}", self.shell) from None
        self.ext.claim_tools()  # tools decorated since the last turn are listed and settable
        try:
            self.commands.run(self.ext, words or ["status"])
        except OrchError as exc:
            raise fail(str(exc), self.shell) from None
