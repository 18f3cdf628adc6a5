"""Code shown on a card or in a turn: highlighted, escaped, and inert for math finders."""

from __future__ import annotations

from functools import lru_cache
from typing import Any


def code_html(code: str, language: str = "python") -> str:
    r"""Return ``code`` as highlighted HTML in a ``<pre>`` (inline styles: no stylesheet).

    Pygments escapes the code; ``$`` and ``\`` are encoded as well, so a page's math
    typesetting leaves code alone. The block starts with ``<pre``, which Markdown keeps whole
    up to its closing tag, blank lines included.
    """
    from pygments import highlight

    spans = str(highlight(code, _lexer(language), _formatter()))
    return "<pre>" + spans.replace("$", "&#36;").replace("\\", "&#92;") + "</pre>"


@lru_cache(maxsize=8)
def _lexer(language: str) -> Any:
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(language)
    except ClassNotFound:
        return get_lexer_by_name("text")


@lru_cache(maxsize=1)
def _formatter() -> Any:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(noclasses=True, nowrap=True, style="default")


def code_argument(arguments: Any) -> str | None:
    """Return the code a call runs when its arguments are a ``code`` string (``run_python``)."""
    if isinstance(arguments, dict) and isinstance(arguments.get("code"), str):
        return str(arguments["code"])
    return None
