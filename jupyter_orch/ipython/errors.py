"""Showing jupyter-orch's errors in a cell as one line, never a traceback wall."""

from __future__ import annotations

from typing import Any


class ChatCellError(Exception):
    """A chat cell failed; the message is the whole story (the cell is marked as failed)."""


def install(shell: Any) -> bool:
    """Show :class:`ChatCellError` as one red line; only our own exception type is handled.

    Returns whether the handler was installed (it is not when the user has custom
    exception handlers of their own: then errors show as IPython's ``UsageError``).
    """
    if getattr(shell, "custom_exceptions", ()):
        return False
    shell.set_custom_exc((ChatCellError,), _handler)
    return True


def uninstall(shell: Any) -> None:
    """Remove the handler installed by :func:`install`."""
    if getattr(shell, "custom_exceptions", ()) == (ChatCellError,):
        shell.set_custom_exc((), None)


def _handler(
    shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None
) -> list[str]:
    # IPython discards what a custom handler returns when the cell itself raised: show it here.
    stb = [f"\x1b[0;31mjupyter-orch:\x1b[0m {value}"]
    shell._showtraceback(etype, value, stb)
    return stb


def fail(message: str, shell: Any) -> BaseException:
    """Return the exception to raise for ``message`` in this shell."""
    if getattr(shell, "custom_exceptions", ()) == (ChatCellError,):
        return ChatCellError(message)
    from IPython.core.error import UsageError

    return UsageError(message)
