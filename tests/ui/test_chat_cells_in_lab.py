"""Chat cells in the editor, and the cell menu, in real JupyterLab."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import Lab, Notebook

pytestmark = [pytest.mark.ui, pytest.mark.slow]

CHAT = "%%chat\n# Plan the analysis\nfor each column, say **why** it matters"
PYTHON = "for x in range(3):\n    pass"
FAILING = "d = {'height': 1.7}\nd['weight']"

# The style of the text node holding `word` in cell `index`'s editor, and of the theme's
# keyword and header colours (as the browser resolves them).
_STYLE_JS = """
([index, word]) => {
  const cells = document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell');
  const content = cells[index].querySelector('.cm-content');
  const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode()) && !node.textContent.includes(word)) {}
  const style = getComputedStyle(node.parentElement);
  const probe = (v) => {
    const el = document.createElement('span');
    el.style.color = `var(${v})`;
    content.appendChild(el);
    const c = getComputedStyle(el).color;
    el.remove();
    return c;
  };
  return {color: style.color, weight: style.fontWeight,
          keyword: probe('--jp-mirror-editor-keyword-color'),
          header: probe('--jp-mirror-editor-header-color')};
}
"""
_SOURCE_JS = """
([path, index]) => {
  const panel = Array.from(window.jupyterapp.shell.widgets('main')).find(
    (w) => w.context && w.context.path === path);
  return panel.content.widgets[index].model.sharedModel.getSource();
}
"""


def _source(notebook: Notebook, index: int) -> str:
    return str(notebook.page.evaluate(_SOURCE_JS, [notebook.path, index]))


def _style(page: Page, index: int, word: str) -> dict[str, str]:
    return dict(page.evaluate(_STYLE_JS, [index, word]))


def test_a_chat_cell_is_highlighted_as_markdown_below_the_magic_line(lab: Lab) -> None:
    notebook = lab.open_notebook("highlight.ipynb", [CHAT, PYTHON])
    expect(notebook.cell(0).locator(".cm-line").nth(1)).to_have_text("# Plan the analysis")
    heading = _style(lab.page, 0, "Plan the analysis")
    assert heading["color"] == heading["header"]
    assert heading["weight"] == "700"
    assert _style(lab.page, 0, "why")["weight"] == "700"  # **why**
    chat_for = _style(lab.page, 0, "for each")
    assert chat_for["color"] != chat_for["keyword"]  # prose, not a Python keyword
    python_for = _style(lab.page, 1, "for")
    assert python_for["color"] == python_for["keyword"]
    lab.screenshot("highlighted")


def test_explain_this_error_inserts_a_chat_cell_quoting_the_error(lab: Lab) -> None:
    notebook = lab.open_notebook("explain.ipynb", [FAILING, "1 + 1", "x = 0"])
    notebook.run_cell(0)
    notebook.wait_for_output(0, "KeyError")
    notebook.run_cell(1)
    notebook.wait_for_output(1, "2")

    notebook.cell(1).locator(".jp-InputArea-editor").click(button="right")
    menu = lab.page.locator(".lm-Menu")
    expect(menu.get_by_text("Ask about this cell")).to_be_visible()
    expect(menu.get_by_text("Explain this error")).not_to_be_visible()
    lab.page.keyboard.press("Escape")

    notebook.cell(0).locator(".jp-InputArea-editor").click(button="right")
    menu.get_by_text("Explain this error").click()
    expect(notebook.cells).to_have_count(4)
    inserted = _source(notebook, 1)
    assert inserted.startswith("%%chat\nExplain this error from the cell (In [1])")
    assert "d = {{'height': 1.7}}" in inserted  # braces doubled: no {name} expansion
    assert "KeyError: 'weight'" in inserted
    assert "\x1b" not in inserted
    lab.screenshot("explained")


def test_insert_chat_cell_from_its_shortcut_and_the_palette(lab: Lab) -> None:
    notebook = lab.open_notebook("insert.ipynb", ["x = 1"])
    notebook.cell(0).locator(".jp-InputPrompt").click()  # command mode on the cell
    lab.page.keyboard.press("Control+Alt+c")
    expect(notebook.cells).to_have_count(2)
    lab.page.keyboard.type("What is x?")
    assert _source(notebook, 1) == "%%chat\nWhat is x?"

    lab.page.keyboard.press("Escape")
    lab.page.keyboard.press("Control+Shift+c")
    palette = lab.page.locator("#command-palette")
    lab.page.keyboard.type("Insert chat cell")
    expect(palette.locator(".lm-CommandPalette-item", has_text="Insert chat cell")).to_be_visible()
    lab.page.keyboard.press("Enter")
    expect(notebook.cells).to_have_count(3)
    assert _source(notebook, 2) == "%%chat\n"
