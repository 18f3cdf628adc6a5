"""The chat panel widget: a conversation, a message box, Send and Stop.

Only the view lives here; :mod:`jupyter_orch.ipython.panel_session` runs the turns. Each turn is a
question and a box its answer streams into, through the same renderer as a ``%%chat`` cell
(:class:`PanelSurface`): settled paragraphs are outputs of their own and are never sent
again; only the paragraph still growing is.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ..display.stream import Handle

PANEL_CLASS = "jupyter-orch-panel"
_CSS = (
    f"<style>.{PANEL_CLASS} {{border:1px solid var(--jp-border-color1,#ccc);border-radius:6px;"
    "padding:6px 10px;}}"
    f".{PANEL_CLASS} .jupyter-orch-question {{font-weight:600;margin-top:6px;}}</style>"
)


class _OutputHandle(Handle):
    def __init__(self, output: w.Output) -> None:
        self._output = output

    def update(self, bundle: dict[str, Any]) -> None:
        self._output.outputs = (_display_data(bundle),)


def _display_data(bundle: dict[str, Any]) -> dict[str, Any]:
    return {"output_type": "display_data", "data": dict(bundle), "metadata": {}}


class PanelSurface:
    """One turn's place in the panel: a box that outputs and cards are appended to."""

    def __init__(self, box: w.VBox) -> None:
        self.box = box

    def show(self, bundle: dict[str, Any]) -> Handle:
        """Append ``bundle`` as a new output of its own."""
        output = w.Output()
        output.outputs = (_display_data(bundle),)
        self.add_widget(output)
        return _OutputHandle(output)

    def add_widget(self, widget: Any) -> None:
        """Append ``widget`` (a tool card) to the turn."""
        self.box.children = (*self.box.children, widget)

    def clear(self, wait: bool) -> None:
        """Remove what the turn has shown (the final answer replaces it at once).

        The outputs of streamed paragraphs are closed (their comms go); cards are closed by
        the renderer that made them.
        """
        del wait  # a widget box has no flicker to avoid
        dropped, self.box.children = self.box.children, ()
        for child in dropped:
            if isinstance(child, w.Output):
                child.close()


class ChatPanel:
    """The panel's widgets.

    Parameters
    ----------
    title
        Shown at the top (the model and thread).
    """

    def __init__(self, title: str) -> None:
        self.title = w.HTML(_CSS + f"<b>jupyter-orch</b> · {html.escape(title)}")
        self.history = w.VBox([])
        # The text reaches the kernel when the box loses focus (before the Send click),
        # not key by key: updates typed while a cell runs would be held back.
        self.message = w.Textarea(
            placeholder="Ask the model… then Send",
            layout=w.Layout(width="100%", height="5em"),
            continuous_update=False,
        )
        self.send_button = w.Button(description="Send", button_style="primary", icon="paper-plane")
        self.stop_button = w.Button(description="Stop", icon="stop", disabled=True)
        self.status = w.HTML("")
        controls = w.HBox([self.send_button, self.stop_button, self.status])
        self.widget = w.VBox([self.title, self.history, self.message, controls])
        self.widget.add_class(PANEL_CLASS)
        self._on_send: Callable[[str], None] | None = None
        self._on_stop: Callable[[], None] | None = None
        self.send_button.on_click(lambda _: self._send())
        self.stop_button.on_click(lambda _: self._stop())

    def on_send(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(text)`` when the user sends a message."""
        self._on_send = callback

    def on_stop(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` when the user presses Stop."""
        self._on_stop = callback

    def send(self, text: str) -> None:
        """Type ``text`` and press Send, as the user would."""
        self.message.value = text
        self.send_button.click()

    def add_turn(self, question: str) -> w.VBox:
        """Show ``question``; return the box its answer goes into."""
        asked = w.HTML(html.escape(question).replace("\n", "<br>"))
        asked.add_class("jupyter-orch-question")
        answer = w.VBox([])
        self.history.children = (*self.history.children, asked, answer)
        return answer

    def clear_message(self) -> None:
        """Empty the message box (the message was sent)."""
        self.message.value = ""

    def note(self, message: str) -> None:
        """Show a one-line note (a deliberate Stop), not styled as an error."""
        self.status.value = f"<i>{html.escape(message, quote=False)}</i>"

    def busy(self, running: bool) -> None:
        """Switch between a running turn (Stop enabled) and waiting for a message."""
        self.send_button.disabled = running
        self.stop_button.disabled = not running
        self.status.value = "<i>answering…</i>" if running else ""

    def error(self, message: str) -> None:
        """Show a one-line error under the conversation."""
        text = html.escape(message, quote=False)
        self.status.value = f"<span style='color:var(--jp-error-color1,#c00)'>{text}</span>"

    def _send(self) -> None:
        text = self.message.value.strip()
        if not text or self._on_send is None:
            return
        self._on_send(text)

    def _stop(self) -> None:
        if self._on_stop is not None:
            self._on_stop()
