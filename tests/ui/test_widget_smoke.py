"""The harness itself: a real kernel from this venv, a real widget, a real click."""

from __future__ import annotations

import sys

import pytest
from playwright.sync_api import expect

from .conftest import Lab

pytestmark = [pytest.mark.ui, pytest.mark.slow]

WIDGET_CELL = """\
import ipywidgets as widgets

label = widgets.Label("clicks: 0")
button = widgets.Button(description="Click me")
clicks = []

def on_click(_):
    clicks.append(1)
    label.value = f"clicks: {len(clicks)}"

button.on_click(on_click)
widgets.VBox([button, label])"""


def test_clicking_a_widget_button_in_the_page_changes_its_label_in_the_kernel(lab: Lab) -> None:
    notebook = lab.open_notebook(
        "widget_smoke.ipynb", ["import sys\nprint(sys.executable)", WIDGET_CELL]
    )

    notebook.run_cell(0)
    notebook.wait_for_output(0, sys.executable)

    cell = notebook.run_cell(1)
    button = cell.get_by_role("button", name="Click me", exact=True)
    label = cell.locator(".widget-label")
    expect(label).to_have_text("clicks: 0")

    button.click()
    expect(label).to_have_text("clicks: 1")
    button.click()
    expect(label).to_have_text("clicks: 2")
    notebook.screenshot("clicked")
