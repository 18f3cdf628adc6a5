"""The form a server's question becomes in the running cell: fields, Accept, Decline, Cancel.

Built from the requested schema (strings, numbers, integers, booleans, enums, with their
defaults). A URL request shows the page's domain and asks before anything opens. Each
button's click reads the fields' values as the kernel has them at that moment: text fields
send their value when they lose focus (``continuous_update=False``), which happens before
the click that follows, so nothing depends on updates held back while the cell runs.
Every button has a programmatic twin (:meth:`ElicitationForm.accept`, ``decline``,
``cancel``) that presses it.
"""

from __future__ import annotations

import asyncio
import html
from typing import Any

import ipywidgets as w

from ...core.elicitation import ElicitAction, ElicitationRequest, ElicitationResponse
from ...tools.mcp.elicitation import FormError, FormField, check_answer, form_fields, url_domain

FORM_CLASS = "jupyter-orch-elicitation"
_CSS = (
    f"<style>.{FORM_CLASS} {{border:1px solid var(--jp-border-color1,#ccc);"
    "border-radius:6px;padding:6px 10px;margin:4px 0;}}"
    f".{FORM_CLASS} .widget-label {{min-width:12em;}}</style>"
)


class ElicitationForm:
    """The form (or URL question) of one elicitation request.

    Parameters
    ----------
    request
        What the server asks; its texts are untrusted and shown escaped.
    """

    def __init__(self, request: ElicitationRequest) -> None:
        self.request = request
        self.fields: list[FormField] = form_fields(request.schema) if request.mode == "form" else []
        self.inputs: dict[str, w.ValueWidget] = {f.name: _input(f) for f in self.fields}
        self.domain = url_domain(request.url or "") if request.mode == "url" else None
        self.header = w.HTML(_header(request, self.domain))
        self.error = w.HTML("")
        self.status = w.HTML("")
        accept = "Open" if request.mode == "url" else "Accept"
        self.accept_button = w.Button(description=accept, button_style="success", icon="check")
        self.decline_button = w.Button(description="Decline", button_style="danger")
        self.cancel_button = w.Button(description="Cancel")
        self.buttons = w.HBox([self.accept_button, self.decline_button, self.cancel_button])
        rows = [_row(f, self.inputs[f.name]) for f in self.fields]
        self.widget = w.VBox(
            [w.HTML(_CSS), self.header, *rows, self.error, self.buttons, self.status]
        )
        self.widget.add_class(FORM_CLASS)
        self._answer: asyncio.Future[ElicitationResponse] = (
            asyncio.get_running_loop().create_future()
        )
        self.accept_button.on_click(lambda _b: self._accepted())
        self.decline_button.on_click(
            lambda _b: self._settle("decline", reason="declined by the user")
        )
        self.cancel_button.on_click(
            lambda _b: self._settle("cancel", reason="cancelled by the user")
        )

    async def wait(self) -> ElicitationResponse:
        """Return the user's answer once a button is pressed."""
        return await asyncio.shield(self._answer)

    def accept(self, values: dict[str, Any] | None = None) -> None:
        """Fill in ``values`` (field name to value) and press Accept (or Open)."""
        for name, value in (values or {}).items():
            self.inputs[name].value = value
        self.accept_button.click()

    def decline(self) -> None:
        """Press Decline."""
        self.decline_button.click()

    def cancel(self) -> None:
        """Press Cancel."""
        self.cancel_button.click()

    def close(self, why: str) -> None:
        """End the form without an answer from here (the call ended or was interrupted)."""
        self._settle("cancel", reason=why)

    @property
    def answered(self) -> bool:
        """Whether the form has its answer."""
        return self._answer.done()

    def _accepted(self) -> None:
        if self.request.mode == "url":
            if self.domain is None:
                self.error.value = "<b>⚠️ Not an http(s) address: it cannot be opened.</b>"
                return
            self._settle("accept")
            url = html.escape(self.request.url or "", quote=True)
            self.status.value = (
                f"✅ <a href='{url}' target='_blank' rel='noopener noreferrer'>"
                f"open the page on {html.escape(self.domain)}</a>"
            )
            return
        values = {name: widget.value for name, widget in self.inputs.items()}
        try:
            content = check_answer(self.fields, values)
        except FormError as exc:
            self.error.value = f"<b>⚠️ {html.escape(str(exc))}</b>"
            return
        self._settle("accept", content=content)

    def _settle(
        self, action: ElicitAction, *, content: dict[str, Any] | None = None, reason: str = ""
    ) -> None:
        if self._answer.done():
            return
        self._answer.set_result(ElicitationResponse(action, content, reason))
        self.buttons.layout.display = "none"
        self.error.value = ""
        for widget in self.inputs.values():
            widget.disabled = True
        if not self.status.value:
            icon = {"accept": "✅", "decline": "❌", "cancel": "⏹"}[action]
            self.status.value = f"{icon} {html.escape(reason or 'accepted')}"

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def form_state(form: ElicitationForm) -> dict[str, Any]:
    """Return what the form shows now (for tests and scripts)."""
    return {
        "fields": {name: widget.value for name, widget in form.inputs.items()},
        "buttons_visible": form.buttons.layout.display != "none",
        "error": form.error.value,
        "status": form.status.value,
    }


def _header(request: ElicitationRequest, domain: str | None) -> str:
    source = html.escape(request.source)
    message = html.escape(request.message)
    if request.mode != "url":
        return f"<b>❓ {source} asks:</b> {message}"
    where = (
        f"a page on <b>{html.escape(domain)}</b>"
        if domain
        else "<b>an address that is not http(s)</b>"
    )
    url = html.escape(request.url or "")
    return (
        f"<b>🔗 {source} asks you to open {where}:</b> {message}"
        f"<br><code style='opacity:.8'>{url}</code>"
    )


def _input(field: FormField) -> w.ValueWidget:
    if field.kind == "boolean":
        return w.Checkbox(value=bool(field.default), indent=False)
    if field.kind == "enum":
        options = [(label, value) for value, label in field.choices]
        default = str(field.default) if field.default is not None else None
        known = {v for v, _ in field.choices}
        return w.Dropdown(
            options=[("", None), *options], value=default if default in known else None
        )
    if field.kind == "multi":
        options = [(label, value) for value, label in field.choices]
        chosen = tuple(
            str(v) for v in field.default or () if str(v) in {c for c, _ in field.choices}
        )
        return w.SelectMultiple(options=options, value=chosen)
    default = "" if field.default is None else str(field.default)
    return w.Text(value=default, continuous_update=False)


def _row(field: FormField, widget: w.ValueWidget) -> w.Widget:
    star = " *" if field.required else ""
    label = w.HTML(f"<b>{html.escape(field.title)}</b>{star}", layout=w.Layout(min_width="12em"))
    hint = w.HTML(f"<span style='opacity:.7'>{html.escape(field.description)}</span>")
    return w.HBox([label, widget, hint])
