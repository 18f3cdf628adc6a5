"""The notebook as the chat sees it, in one loaded extension: references, context and tools.

:class:`NotebookFeatures` follows the kernel's errors (for ``{Err}``), builds a ``%%chat``
prompt with the notebook's references and ``--context``, and keeps the notebook tools
offered as the page and the saved file allow (:mod:`jupyter_orch.tools.notebook`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ..core.errors import OrchError, UsageError
from ..core.messages import ContentPart
from ..core.redaction import Redactor
from ..session import Session
from .interpolate import interpolate
from .references import ErrorLog, PromptReferences

if TYPE_CHECKING:
    from ..bridge import Bridge
    from ..tools.notebook.cells import Snapshot
    from ..tools.notebook.offer import NotebookTools
    from .options import ChatOptions

_HISTORY_RESULT_CHARS = 2_000


class Host(Protocol):
    """What the notebook features use of the loaded extension."""

    shell: Any
    config: Any
    provider: Any
    session: Session
    transcripts: Any
    cell_id: str | None

    @property
    def bridge(self) -> Bridge | None:
        """The bridge to the pages, once wired."""
        ...

    def running_cell_number(self) -> int | None:
        """Return the number the notebook shows for the running cell."""
        ...


class NotebookFeatures:
    """The notebook features of one loaded extension.

    Parameters
    ----------
    ext
        The loaded extension (its shell, bridge, provider and settings).
    """

    def __init__(self, ext: Host) -> None:
        self.ext = ext
        self.errors = ErrorLog(ext.shell)
        self._tools: NotebookTools | None = None
        self._installed = False

    @property
    def tools(self) -> NotebookTools:
        """The notebook tools, made at first use (``%load_ext`` does not import them)."""
        if self._tools is None:
            from .notebook_tools import notebook_tools

            self._tools = notebook_tools(self.ext, self.errors, self._replayed)
        return self._tools

    def install(self) -> None:
        """Follow the cells' errors, and the pages that come and go (the tools follow).

        The tools are first offered at the first turn (or ``%chat tools``), or when a page
        connects: loading imports and checks nothing more.
        """
        self._installed = True
        self.ext.shell.events.register("post_run_cell", self.errors.post_run_cell)
        bridge = self.ext.bridge
        if bridge is not None:
            bridge.on_change(self.sync)

    def uninstall(self) -> None:
        """Stop following the cells' errors; take the notebook tools out."""
        self._installed = False
        with contextlib.suppress(ValueError):  # already unregistered
            self.ext.shell.events.unregister("post_run_cell", self.errors.post_run_cell)
        if self._tools is not None:
            self._tools.remove_all()

    def sync(self) -> None:
        """Offer the notebook tools that can work now (a page came or went, a file appeared)."""
        if self._installed:
            self.tools.sync()

    def _replayed(self) -> set[str]:
        replay = getattr(self.ext.transcripts, "replay", None)
        if replay is None:
            return set()
        return {name for record in replay.recording.records for name in record.tools_offered}

    async def prompt(self, options: ChatOptions, body: str) -> tuple[str, list[ContentPart]]:
        """Return a cell's prompt with its references expanded, and the parts that join it.

        A reference that names nothing is a one-line :class:`UsageError`; nothing is sent.
        """
        text = body.strip()
        model = options.model or self.ext.config.model
        wants_images = "Out[" in text or options.context is not None
        reads = bool(model) and wants_images and await self.reads_images(model)
        references = PromptReferences(
            self.ext.shell.user_ns,
            self.errors,
            inputs=self.typed_inputs(),
            current=self.ext.running_cell_number(),
            reads_images=reads,
        )
        text = interpolate(text, references.namespace(), references.extra())
        parts: list[ContentPart] = list(references.images)
        if text and options.context is not None:
            summary, images = await self.context(options.context, images=reads)
            text = f"{text}\n\n{summary}"
            parts += images
        return text, parts

    async def reads_images(self, model: str) -> bool:
        """Whether ``model`` reads images (as its provider says)."""
        try:
            return bool(await self.ext.provider.supports_images(model))
        except Exception:  # an unknown model is a text model; the turn reports the model
            return False

    async def context(self, what: Sequence[str], *, images: bool) -> tuple[str, list[ContentPart]]:
        """Return the bounded summary ``--context`` adds, and its images."""
        from ..tools.notebook.cells import Snapshot
        from ..tools.notebook.render import context_summary, parse_range

        snapshot = await self.snapshot(images=images)
        if what[0] == "cells":
            try:
                start, stop = parse_range(what[1], len(snapshot.cells))
            except ValueError as exc:
                raise UsageError(f"%%chat --context cells: {exc}") from None
            picked = tuple(c for c in snapshot.cells if start <= c.index <= stop)
            snapshot = Snapshot(picked, snapshot.origin, snapshot.path, snapshot.live)
        near = next((c.index for c in snapshot.cells if c.id and c.id == self.ext.cell_id), None)
        summary, parts = context_summary(snapshot, images=images, near=near)
        return self.redactor().text(summary), parts

    def redactor(self) -> Redactor:
        """Return a redactor of the user's settings: the notebook's text may hold secrets.

        What the user types into a prompt is sent as it is; what the notebook holds (a key
        in a cell) is not the user's message, so it is redacted before the model reads it.
        """
        config = self.ext.config
        return Redactor.build(tuple(config.redact_patterns), params=dict(config.params))

    async def snapshot(self, *, images: bool) -> Snapshot:
        """Read the notebook: from the page, else the saved file, else the kernel's history."""
        from ..tools.notebook.sources import READ, notebook_file, page_notebook, saved_notebook

        bridge = self.ext.bridge
        if bridge is not None and bridge.offers(READ):
            try:
                return await page_notebook(bridge, cell_id=self.ext.cell_id, images=images)
            except OrchError:
                pass  # the page did not answer: the saved copy still says something
        path = notebook_file(self.ext.shell.user_ns)
        if path is not None and path.exists():
            return saved_notebook(path)
        return self.history()

    def typed_inputs(self) -> list[str]:
        """Return the cells' sources as the user typed them (``In`` holds them transformed)."""
        history = getattr(self.ext.shell, "history_manager", None)
        raw = getattr(history, "input_hist_raw", None)
        if isinstance(raw, list) and raw:
            return raw
        typed = self.ext.shell.user_ns.get("In")
        return typed if isinstance(typed, list) else []

    def history(self) -> Snapshot:
        """Return the cells as this kernel ran them, from ``In``, ``Out`` and the errors."""
        from ..tools.notebook.sources import kernel_history
        from ..tools.python.results import to_text

        ns: dict[str, Any] = self.ext.shell.user_ns
        found = ns.get("Out")
        inputs = self.typed_inputs()
        results: dict[int, Any] = found if isinstance(found, dict) else {}
        texts = {n: to_text(v)[:_HISTORY_RESULT_CHARS] for n, v in results.items()}
        errors = {
            e.count: self.errors.traceback(e)
            for e in self.errors.errors.values()
            if e.count is not None
        }
        # The running cell is this prompt itself.
        current = self.ext.running_cell_number()
        shown = inputs[:current] if current is not None else inputs
        return kernel_history(shown, texts, errors)
