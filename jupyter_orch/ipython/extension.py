"""The state one IPython shell keeps while jupyter-orch is loaded, with one owner per piece.

:class:`Extension` holds the settings, the session (tools, policy, threads, MCP mounts), the
provider, the turn runner, the transcripts, the async magics, the open chat panels and the
exposed variables. It wires nothing into the shell: :mod:`jupyter_orch.ipython.loader` does.
"""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from ..core.policy import PolicyTable
from ..providers.litellm import LiteLLMProvider
from ..providers.openai_http import OpenAIHTTPProvider
from ..providers.router import ProviderRouter
from ..session import Session
from ..tools.python.pending import install_pending
from ..turns import TurnRunner, TurnSettings
from .approvals_file import RememberedApprovals
from .cells import AsyncMagics
from .config import JupyterOrch
from .transcripts import Transcripts

if TYPE_CHECKING:
    from ..bridge import Bridge, BridgeSetup
    from ..tools.mcp.mounts import McpMounts
    from ..tools.python.variables import VariableView
    from .notebook import NotebookFeatures


class OpenPanel(Protocol):
    """A chat panel the extension keeps alive (its turns run while no cell holds it)."""

    def stop(self) -> None:
        """Cancel the panel's running turn."""
        ...


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
        self.approvals = RememberedApprovals(self.config.approvals_path)
        policy = PolicyTable(default=self.config.default_policy, remember=self.approvals.save)
        policy.load_remembered(self.approvals.load())
        self.session = Session(policy)
        self.provider = ProviderRouter(
            LiteLLMProvider(), OpenAIHTTPProvider(), prefer=self.config.route
        )
        self.transcripts = Transcripts(self.config, self.session, shell.user_ns)
        self.runner = TurnRunner(
            self.session,
            self.provider,
            self.turn_settings,
            hooks=[self.transcripts.recorder],
            wrappers=[self.transcripts.replay_turn],
        )
        self.cells = AsyncMagics()
        self.panels: list[OpenPanel] = []
        self.variables: VariableView | None = None
        self.mounts: McpMounts | None = None
        """The MCP servers mounted in this shell (made by the first ``%mcp``)."""
        self.bridge_setup: BridgeSetup | None = None
        """The channel to the page extension (set at ``%load_ext``; pages may never come)."""
        self.cell_id: str | None = None
        self.notebook: NotebookFeatures | None = None
        """References, ``--context`` and the notebook tools (set at ``%load_ext``)."""
        self.mcp_run: Callable[[str], Awaitable[None]] | None = None
        self.closing: set[asyncio.Task[None]] = set()
        self._configured_mounted = False
        self.config.observe(self._on_policy, "default_policy")

    @property
    def bridge(self) -> Bridge | None:
        """The bridge to the pages (``None`` before ``%load_ext`` wired it)."""
        return self.bridge_setup.bridge if self.bridge_setup is not None else None

    def turn_settings(self) -> TurnSettings:
        """Return the settings of the next turn (``%config`` changes apply at once)."""
        config = self.config
        self._sync_provider()
        return TurnSettings(
            model=config.model,
            system=config.system,
            params=dict(config.params),
            max_rounds=config.max_rounds,
            tool_timeout=config.tool_timeout,
            approval_ttl=config.approval_ttl,
            context_window=config.context_window or None,
            redact_patterns=tuple(config.redact_patterns),
        )

    def claim_tools(self) -> None:
        """Take the tools decorated with ``@jupyter_orch.tool`` since the last turn.

        The notebook tools follow what the page and the saved file allow now.
        """
        install_pending(self.session)
        if self.notebook is not None:
            self.notebook.sync()

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

    def pre_run_cell(self, info: Any) -> None:
        """Note the id of the cell about to run (a re-run replaces that cell's turn)."""
        self.cell_id = getattr(info, "cell_id", None)

    def running_cell_number(self) -> int | None:
        """Return the number the notebook shows for the running cell (``In [n]``)."""
        count = getattr(self.shell, "execution_count", None)
        # IPython counts the running cell before it runs: the next cell's number is stored.
        return count - 1 if isinstance(count, int) else None

    def _sync_provider(self) -> None:
        config, router = self.config, self.provider
        router.prefer = config.route
        for provider in (router.litellm, router.http):
            provider.max_retries = config.max_retries
            provider.retry_backoff = config.retry_backoff
            provider.timeout = config.timeout

    def _on_policy(self, change: dict[str, Any]) -> None:
        self.session.policy.default = change["new"]
