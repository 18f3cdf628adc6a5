"""A renderer's surface for unit tests: every output it shows, kept in order."""

from __future__ import annotations

from typing import Any

from jupyter_orch.ipython.display.stream import Handle


class Recorder(Handle):
    def __init__(self, surface: Surface, bundle: dict[str, Any]) -> None:
        self.surface = surface
        self.bundles = [bundle]

    @property
    def bundle(self) -> dict[str, Any]:
        """What the output shows now."""
        return self.bundles[-1]

    def update(self, bundle: dict[str, Any]) -> None:
        self.bundles.append(bundle)


class Surface:
    """Where a renderer shows things, kept in a list."""

    def __init__(self) -> None:
        self.shown: list[Recorder] = []
        self.widgets: list[Any] = []
        self.clears = 0

    def show(self, bundle: dict[str, Any]) -> Recorder:
        self.shown.append(Recorder(self, bundle))
        return self.shown[-1]

    def add_widget(self, widget: Any) -> None:
        self.widgets.append(widget)

    def clear(self, wait: bool) -> None:
        self.clears += 1
        self.shown, self.widgets = [], []
