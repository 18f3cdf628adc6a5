"""``%load_ext jupyter_orch``: the state one kernel keeps, and loading / unloading it."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import shlex
from collections.abc import Awaitable, Callable
from typing import Any

from ..core.approval import Approver
from ..core.errors import OrchError, UsageError
from ..core.orchestrator import Orchestrator
from ..core.provider import Provider
from ..core.request import ChatRequest
from ..session import Session, set_current
from . import cells, errors
from .config import JupyterOrch
from .interpolate import interpolate
from .options import ChatOptions

NO_MODEL = (
    "no model configured: use %%chat -m provider/model, %chat model NAME, "
    "%config JupyterOrch.model = '...', or set JUPYTER_ORCH_MODEL (try local/smollm2 for "
    "a small local model)"
)


class Extension:
    """Everything the extension holds for one IPython shell.

    Parameters
    ----------
    shell
        The IPython shell (kernel or terminal).
    """

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.config = JupyterOrch(parent=shell)
        self.session = Session()
        self.session.policy.default = self.config.default_policy
        self.provider: Provider | None = None
        self.cell_id: str | None = None
        self.turn_hooks: list[Any] = []
        self.panels: list[Any] = []
        self.mcp_run: Callable[[str], Awaitable[None]] | None = None
        self._configured_mounted = False
        self.approver_wrappers: list[Callable[[Approver], Approver]] = []

    def get_provider(self) -> Provider:
        """Return the provider: one set by code, else LiteLLM configured from the settings."""
        if self.provider is not None:
            return self.provider
        from ..providers.litellm import LiteLLMProvider

        return LiteLLMProvider(
            max_retries=self.config.max_retries,
            retry_backoff=self.config.retry_backoff,
            timeout=self.config.timeout,
            fast_start=self.config.fast_start,
        )

    def orchestrator(self, approver: Approver) -> Orchestrator:
        """Build an orchestrator over the session's tools and policy."""
        self.session.policy.default = self.config.default_policy
        for wrap in self.approver_wrappers:
            approver = wrap(approver)
        return Orchestrator(
            self.get_provider(),
            self.session.registry,
            self.session.policy,
            approver,
            max_rounds=self.config.max_rounds,
            tool_timeout=self.config.tool_timeout,
            approval_ttl=self.config.approval_ttl,
            context_window=self.config.context_window or None,
        )

    def build_request(
        self, options: ChatOptions, body: str, *, from_cell: bool = True
    ) -> ChatRequest:
        """Turn parsed options and the cell's text into a request (nothing is sent yet).

        ``from_cell=False`` (the chat panel) ties the turn to no cell, so it never replaces
        the turn of the cell that ran last.
        """
        model = options.model or self.config.model
        if not model:
            raise UsageError(NO_MODEL)
        prompt = interpolate(body.strip(), self.shell.user_ns)
        if not prompt:
            raise UsageError(
                "the %%chat cell is empty: write the prompt below the %%chat line"
                if from_cell
                else "the message is empty"
            )
        if options.force_tool and options.force_tool not in self.session.registry:
            raise UsageError(f"--tool {options.force_tool}: no such tool (see %chat tools)")
        if options.thread:
            self.session.current_thread = options.thread
        thread = self.session.thread()
        if options.new:
            thread.clear()
        if options.system is not None:
            thread.system = options.system
        elif thread.system is None and self.config.system:
            thread.system = self.config.system
        parts = self.session.take_attachments(thread.name)
        content: Any = [{"type": "text", "text": prompt}, *parts] if parts else prompt
        params = {**self.config.params, **options.params}
        tools = options.tools
        if _local(model) and options.force_tool is None:
            tools = []  # measured: small local models cannot pick tools on their own
        return ChatRequest(
            content,
            thread,
            model,
            params=params,
            tools=tools,
            force_tool=options.force_tool,
            cell_id=self.cell_id if from_cell else None,
            system_extra=self.session.system_extra(),
        )

    async def mount_configured(self) -> None:
        """Mount the MCP config files named in ``JupyterOrch.mcp_config``, once.

        This runs at the first ``%%chat`` or ``%mcp`` of the session, never at ``%load_ext``:
        loading stays free of processes and network, and servers start only because the
        user's own configuration names them.
        """
        if self._configured_mounted or self.mcp_run is None:
            return
        self._configured_mounted = True
        for path in self.config.mcp_config:
            await self.mcp_run(f"load {shlex.quote(path)}")

    def remarks(self, request: ChatRequest) -> list[str]:
        """Return what the user should know about how ``request`` was built."""
        if _local(request.model) and request.force_tool is None and len(self.session.registry):
            return [LOCAL_TOOLS]
        return []

    def _pre_run_cell(self, info: Any) -> None:
        self.cell_id = getattr(info, "cell_id", None)


LOCAL_TOOLS = (
    "The local model is offered tools only when one is forced with --tool NAME: "
    "it cannot choose tools on its own."
)


def _local(model: str) -> bool:
    return model.startswith("local/")


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
    from ..bridge import install as install_bridge
    from ..tools.python.pending import install_pending
    from .chat_cell import run_chat_cell
    from .magics import ChatMagics
    from .transcript_commands import install as install_transcripts

    ext = _extension = Extension(shell)
    shell.configurables.append(ext.config)
    set_current(ext.session)
    install_pending(ext.session)
    shell.register_magics(ChatMagics(shell, ext))
    _load_mcp(shell, ext)
    install_transcripts(ext)
    cells.register_async_cell_magic("chat", lambda line, body: run_chat_cell(ext, line, body))
    if cells.transform not in shell.input_transformers_cleanup:
        shell.input_transformers_cleanup.append(cells.transform)
    shell.events.register("pre_run_cell", ext._pre_run_cell)
    errors.install(shell)
    install_bridge(ext)
    atexit.register(ext.session.close_now)
    if ext.config.warm:
        from ..providers.litellm.loader import warm_in_background

        warm_in_background(first=_prepare_first_turn)


def _prepare_first_turn() -> None:
    """Do ahead, off the loop, the slow set-up of the first ``%%chat`` (about 0.25 s).

    Building the transcript's pydantic models, importing httpx and loading the TLS
    certificates would otherwise all happen after the first chat cell starts.
    """
    from ..providers.litellm import fast_start
    from ..transcript import recorder

    del recorder
    fast_start.prepare()


def _load_mcp(shell: Any, ext: Extension) -> None:
    try:
        from .mcp_magics import McpMagics
    except ImportError:  # the MCP adapter is optional at this layer
        return
    magics = McpMagics(shell, ext.session)
    shell.register_magics(magics)

    async def mcp_line(line: str) -> None:
        await ext.mount_configured()
        await magics.run(line)

    ext.mcp_run = magics.run
    cells.register_async_line_magic("mcp", mcp_line)


def unload(shell: Any) -> None:
    """Unload: close what was opened (MCP servers), remove magics and hooks."""
    from ..bridge import uninstall as uninstall_bridge

    global _extension
    ext, _extension = _extension, None
    if ext is None:
        return
    for panel in ext.panels:
        panel.stop()
    uninstall_bridge(ext)
    for name in ("chat", "mcp"):
        cells.unregister(name)
    if cells.transform in shell.input_transformers_cleanup:
        shell.input_transformers_cleanup.remove(cells.transform)
    with contextlib.suppress(ValueError):  # already unregistered
        shell.events.unregister("pre_run_cell", ext._pre_run_cell)
    errors.uninstall(shell)
    if ext.config in shell.configurables:
        shell.configurables.remove(ext.config)
    _remove_magics(shell)
    set_current(None)
    atexit.unregister(ext.session.close_now)
    _close(ext.session)


def _remove_magics(shell: Any) -> None:
    for kind in ("line", "cell"):
        for name in ("chat", "mcp"):
            shell.magics_manager.magics[kind].pop(name, None)


def _close(session: Session) -> None:
    loop = Session.running_loop()
    if loop is None:
        # Tasks (MCP owners) live on IPython's own loop, the one top-level await uses.
        from IPython.core.async_helpers import get_asyncio_loop

        get_asyncio_loop().run_until_complete(session.aclose())
        return
    # %unload_ext runs synchronously inside the kernel's running loop: the orderly close runs
    # on the loop as soon as this cell yields; atexit's close_now covers a kernel that quits.
    _closing.add(loop.create_task(session.aclose()))
    atexit.register(session.close_now)


_closing: set[asyncio.Task[None]] = set()
