"""safe_markdown: no payload of the corpus renders active, ordinary Markdown renders the same."""

from __future__ import annotations

import re
import time

import pytest

from jupyter_orch.core.safe_markdown import (
    html_line,
    html_text,
    markdown_text,
    neutralise_tex,
    safe_markdown,
)
from tests.support.xss import PAYLOADS, active_parts, problems_in, render_all, visible_text

# Payloads that these two renderers already show inert; they aim at marked (JupyterLab), at
# JupyterLab's own code highlighting, or at a careless rewrite.
INERT_AS_WRITTEN = {
    "code span with tag",
    "unclosed fence",
    "fence closer for marked",
    "indented fence after paragraph",
    "fence info attribute",
}


def test_the_corpus_is_active_when_rendered_as_written() -> None:
    # The checks below mean something only if the payloads are live without the rewrite.
    markup = {name for name in PAYLOADS if not name.startswith("tex")}
    live = {name for name in markup if problems_in(PAYLOADS[name])}
    assert markup - live == INERT_AS_WRITTEN


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_no_payload_renders_active(name: str) -> None:
    assert problems_in(safe_markdown(PAYLOADS[name])) == {}


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_no_prefix_of_a_payload_renders_active(name: str) -> None:
    # A streamed answer is shown as it grows: every prefix is one update on the page.
    payload = PAYLOADS[name]
    for end in range(1, len(payload) + 1):
        shown = safe_markdown(payload[:end])
        assert problems_in(shown) == {}, (payload[:end], shown)


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_a_payload_inside_an_answer_stays_inert(name: str) -> None:
    answer = f"The page says:\n\n{PAYLOADS[name]}\n\nand **that** is all.\n\n- one\n- two\n"
    assert problems_in(safe_markdown(answer)) == {}


def test_a_tag_split_over_two_updates_is_never_active() -> None:
    first = "Look: <im"
    second = first + "g src=x onerror=Object.assign(window,{xss:1})>"
    for update in (first, second):
        assert problems_in(safe_markdown(update)) == {}
    assert "<img src=x onerror" in visible_text(render_all(safe_markdown(second))["nbconvert"])


@pytest.mark.parametrize(
    "payload", ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "<!-- c -->"]
)
def test_raw_html_shows_as_text(payload: str) -> None:
    for rendered in render_all(safe_markdown(payload)).values():
        assert visible_text(rendered).strip() == payload


def test_literal_less_than_written_with_a_backslash_reads_the_same() -> None:
    for rendered in render_all(safe_markdown(r"\<b>x\</b>")).values():
        assert visible_text(rendered).strip() == "<b>x</b>"


ORDINARY = {
    "emphasis": "Some *emphasis*, **strong**, ~~gone~~ and _under_.",
    "lists": "1. one\n2. two\n   - nested\n   - more\n\n- a\n- b\n",
    "table": "| a | b |\n|---|:-:|\n| 1 | **2** |\n| `x` | y |\n",
    "headings": "# Title\n\n## Sub\n\ntext\n",
    "quote": "> quoted\n> more\n\nafter",
    "fenced code with markup": '```html\n<div class="a">x < y</div>\n<script>f()</script>\n```\n',
    "fenced code in a list": "1. Run:\n\n   ```python\n   if a<b and c>d: print('<x>')\n   ```\n",
    "tilde fence": "~~~\n<b>literal</b>\n~~~\n",
    "inline code with markup": "Use `List<int>` and `<br>` and ``a ` <b>``.",
    "inline code plain": "Call `f(x)` with `x = 1`.",
    "https image": "![plot](https://example.com/plot.png)",
    "data image": "![dot](data:image/png;base64,iVBORw0KGgo=)",
    "links": "[docs](https://example.com/a_b?c=1&d=2) and [mail](mailto:a@b.org) and [rel](./x.md)",
    "autolink": "<https://example.com/x> and <a@example.org>",
    "comparison": "a < b, 3 <= 4, x<5, and <3",
    "entities": "&amp; &copy; &#60;b&#62;",
    "html-looking text in prose": "Use the `<` key",
    "math plain": "$x^2 + y_1$ and $$\\frac{1}{2}$$",
}


@pytest.mark.parametrize("name", sorted(ORDINARY))
def test_ordinary_markdown_renders_unchanged(name: str) -> None:
    text = ORDINARY[name]
    assert render_all(safe_markdown(text)) == render_all(text)


def test_math_with_less_than_keeps_its_tex() -> None:
    text = "Let $a<b$ and $$x<y$$ hold."
    out = safe_markdown(text)
    assert out == "Let $a< b$ and $$x< y$$ hold."
    # TeX ignores spaces in math: the formulas read the same.
    assert re.sub(r"\s", "", out) == re.sub(r"\s", "", text)


def test_display_math_over_lines_keeps_its_tex() -> None:
    assert safe_markdown("$$\na<b\n$$") == "$$\na< b\n$$"


def test_an_unclosed_fence_is_closed() -> None:
    assert safe_markdown("```py\nx = '<b>'\n") == "```py\nx = '<b>'\n```"
    assert safe_markdown("```py\nx") == "```py\nx\n```"


def test_a_fence_gets_a_blank_line_before_it() -> None:
    # JupyterLab finds math before Markdown: without the blank line a "$" above the fence
    # could pair with one inside it and hide the opening fence.
    assert safe_markdown("costs $5\n```\n$ <b>\n```") == "costs $5\n\n```\n$ <b>\n```"


def test_after_an_ambiguous_fence_everything_is_escaped() -> None:
    text = "- ```\n  <b>x</b>\n  ```\n\n```\n<i>y</i>\n```"
    out = safe_markdown(text)
    assert "<b>" not in out and "<i>" not in out


def test_unsafe_link_targets_point_nowhere() -> None:
    assert safe_markdown("[a](javascript:alert(1))") == "[a](\\#javascript:alert(1))"
    assert safe_markdown("[a]: vbscript:x") == "[a]: \\#vbscript:x"
    assert safe_markdown("[a](https://x.org)") == "[a](https://x.org)"


def test_tex_commands_that_make_links_or_styles_are_broken() -> None:
    assert neutralise_tex(r"\href{u}{x} \url{u} \style{a}{b} \frac{1}{2}") == (
        "\u2216href{u}{x} \u2216url{u} \u2216style{a}{b} \\frac{1}{2}"
    )
    assert safe_markdown(r"$\class{x}{y}$") == "$\u2216class{x}{y}$"
    assert safe_markdown(r"`\href{u}{x}`") == r"`\href{u}{x}`"  # code stays as written


def test_html_helpers_leave_no_markup_and_no_math() -> None:
    value = "a <b> & $x$ \\(y\\) *e* [l](javascript:1)\n\nnext"
    one_line = " ".join(value.splitlines())
    for escaped in (html_line(value), markdown_text(value)):
        assert "\n" not in escaped
        for rendered in render_all(f"<sub>{escaped}</sub>").values():
            assert active_parts(rendered) == []
        assert visible_text(render_all(escaped)["markdown-it"]).strip() == one_line
    assert not re.search(r"[<>$\\\[\]`*_]", html_line(value))
    assert "$" not in html_text(value) and "<b>" not in html_text(value)


def test_it_is_fast_enough_for_every_streamed_update() -> None:
    paragraph = "Some **text** with `code`, $a<b$, a [link](https://x.org) and <b>.\n" * 40
    start = time.perf_counter()
    for _ in range(50):
        safe_markdown(paragraph)
    per_call = (time.perf_counter() - start) / 50
    assert per_call < 0.005, per_call
