"""``%load_ext jupyter_orch`` and ``%unload_ext``: the one module that wires the extension in.

Like IPython's autoreload, loading makes one object (the :class:`Extension`) and registers its
magics, input transformer and event callbacks; nothing else imports this module. The handle
to the loaded extension is the only module-level state. Loading starts no process, opens no
connection and imports neither litellm nor the MCP SDK.
"""

from __future__ import annotations

import atexit
import contextlib
from typing import Any

from ..bridge import install as install_bridge
from ..bridge import uninstall as uninstall_bridge
from ..core.errors import OrchError
from . import errors
from .chat_cell import run_chat_cell
from .extension import Extension
from .magics import ChatMagics
from .notebook import NotebookFeatures
from .side_panel import install as install_side_panel

_extension: Extension | None = None


def get_extension() -> Extension:
    """Return the loaded extension; a one-line error when it is not loaded."""
    if _extension is None:
        raise OrchError("jupyter-orch is not loaded: run %load_ext jupyter_orch")
    return _extension


def load(shell: Any) -> None:
    """Load into ``shell``: magics, transformer, events. No network, no litellm import."""
    global _extension
    if _extension is not None:
        return
    ext = _extension = Extension(shell)
    shell.configurables.append(ext.config)
    ext.claim_tools()
    shell.register_magics(ChatMagics(shell, ext))
    _load_mcp(shell, ext)
    ext.transcripts.install()
    ext.cells.cell("chat", lambda line, body: run_chat_cell(ext, line, body))
    ext.cells.install(shell)
    ext.bridge_setup = install_bridge(ext)
    ext.notebook = NotebookFeatures(ext)
    ext.notebook.install()
    install_side_panel(ext)
    shell.events.register("pre_run_cell", ext.pre_run_cell)
    errors.install(shell)
    atexit.register(ext.session.close_now)
    if ext.config.warm:
        from ..providers.litellm.loader import warm_in_background

        warm_in_background(first=lambda: _prepare_first_turn(ext))


def _prepare_first_turn(ext: Extension) -> None:
    """Do ahead, off the loop, the slow set-up of the first ``%%chat`` (about 0.25 s).

    Building the transcript's pydantic models, importing httpx and loading the TLS
    certificates would otherwise all happen after the first chat cell starts.
    """
    from ..transcript import recorder

    del recorder
    ext.provider.http.prepare()


def _load_mcp(shell: Any, ext: Extension) -> None:
    try:
        from .mcp_magics import McpMagics
    except ImportError:  # the MCP adapter is optional at this layer
        return
    magics = McpMagics(shell, ext)
    shell.register_magics(magics)

    async def mcp_line(line: str) -> None:
        await ext.mount_configured()
        await magics.run(line)

    ext.mcp_run = magics.run
    ext.cells.line("mcp", mcp_line)


def unload(shell: Any) -> None:
    """Unload: close what was opened (MCP servers, panels), remove magics and hooks."""
    global _extension
    ext, _extension = _extension, None
    if ext is None:
        return
    for panel in ext.panels:
        panel.stop()
    ext.panels.clear()
    ext.cells.uninstall(shell)
    if ext.notebook is not None:
        ext.notebook.uninstall()
    if ext.bridge_setup is not None:
        uninstall_bridge(ext, ext.bridge_setup)
    with contextlib.suppress(ValueError):  # already unregistered
        shell.events.unregister("pre_run_cell", ext.pre_run_cell)
    errors.uninstall(shell)
    if ext.config in shell.configurables:
        shell.configurables.remove(ext.config)
    _remove_magics(shell)
    atexit.unregister(ext.session.close_now)
    _close(ext)


def _remove_magics(shell: Any) -> None:
    for kind in ("line", "cell"):
        for name in ("chat", "mcp"):
            shell.magics_manager.magics[kind].pop(name, None)


def _close(ext: Extension) -> None:
    session = ext.session
    loop = session.running_loop()
    if loop is None:
        # Tasks (MCP owners) live on IPython's own loop, the one top-level await uses.
        from IPython.core.async_helpers import get_asyncio_loop

        get_asyncio_loop().run_until_complete(session.aclose())
        return
    # %unload_ext runs synchronously inside the kernel's running loop: the orderly close runs
    # on the loop as soon as this cell yields; atexit's close_now covers a kernel that quits.
    task = loop.create_task(session.aclose())
    ext.closing.add(task)
    task.add_done_callback(ext.closing.discard)
    atexit.register(session.close_now)
