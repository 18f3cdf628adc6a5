r"""Markdown from an untrusted writer (a model, a tool, a server) made safe to render as trusted.

Jupyter renders the Markdown output of a cell the user ran without its HTML sanitizer, so
whatever HTML a model quotes would run in the page. :func:`safe_markdown` rewrites such text so
that no parse of it, by any of the renderers that show notebooks (JupyterLab's marked,
markdown-it in VS Code, mistune in nbconvert), holds active HTML, while Markdown keeps
rendering. Every rewrite is harmless whichever way a renderer reads the structure: the parse
here only decides where text can stay exactly as written (inside code), and wherever it is
unsure it escapes, which at worst shows an entity where code was meant.

The rules, in short:

- ``<`` that could open a tag, a comment, a declaration or a processing instruction becomes
  ``&lt;`` (inside math, ``< `` with a space, which TeX ignores); safe autolinks stay.
- Fenced code stays as written when its fences are unambiguous (else everything after the doubt
  is escaped); an unclosed fence is closed; an info string keeps its language word only.
- Inline code that holds ``<`` becomes an HTML ``<code>`` element with every character of it
  encoded, so it reads the same in every parse.
- Link and image targets other than ``http:``, ``https:``, ``mailto:``, relative ones and
  ``data:image/(png|jpeg|gif|webp)`` get a leading ``#`` (written ``\#``) and so point
  nowhere.
- TeX commands that make links, classes, ids, styles or load packages lose their backslash to
  a look-alike, U+2216 SET MINUS.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["html_line", "html_text", "markdown_text", "neutralise_tex", "safe_markdown"]

_OPENS_MARKUP = re.compile(r"(\\*)<(?=[A-Za-z/!?])")
_SAFE_AUTOLINK = re.compile(
    r"<(?:(?:https?|mailto):[^\s<>\"'`\\]*|[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)>"
)
_LINK_TARGET = re.compile(r"\][ \t]*[(:][\s>]*<?")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SAFE_DATA = re.compile(r"data:image/(?:png|jpeg|jpg|gif|webp)[;,]")
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]|\\(?=[!-/:-@\[-`{-~])")
_TEX_ACTIVE = re.compile(
    r"\\(?=(?:href|url|class|cssId|style|unicode|require|mmlToken|data|attr|html[A-Za-z]*"
    r"|includegraphics)(?![A-Za-z]))"
)
_TEX_BACKSLASH = "\u2216"  # SET MINUS: looks like a backslash, starts no TeX command
_MATH_TOKEN = re.compile(
    r"\$\$?|\\\\[()\[\]]|\\(?:begin|end)\{[a-z]*\*?\}|\\[{}$]|[{}]|\n[ \t]*\n", re.IGNORECASE
)
_FENCE = re.compile(r"^( *)(`{3,}|~{3,})(.*)$")
_CONTAINER = re.compile(r"(?:[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))[ \t]*)+")
_FENCE_MARKS_ONLY = re.compile(r"[~` \t]*")
_LANGUAGE = re.compile(r"[\w+#.-]*")
_BACKTICKS = re.compile(r"`+")
_BLANK_RUN = re.compile(r"(\n[ \t]*\n)")
_INLINE_SPECIALS = frozenset("<>&\"'[]`*_$\\~|")
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#39;", "\\": "&#92;"}


def safe_markdown(text: str) -> str:
    """Return Markdown that renders ``text``'s Markdown with no active HTML and no unsafe link.

    Parameters
    ----------
    text
        Markdown written by a model or taken from a tool or server (untrusted); it may be
        partial (a paragraph still streaming).

    Returns
    -------
    str
        Markdown for any CommonMark renderer with raw HTML enabled: tags, comments, CDATA and
        processing instructions show as text, code stays as written, links and images keep
        only safe targets, and math keeps rendering.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for is_code, group in itertools.groupby(_FenceScanner(text).chunks(), key=lambda c: c[0]):
        chunk = "".join(piece for _, piece in group)
        out.append(chunk if is_code else _safe_text(chunk))
    return "".join(out)


@dataclass
class _Fence:
    char: str
    length: int
    indent: int


class _FenceScanner:
    """Cuts text into fenced code (kept as written) and the rest, conservatively.

    A fence is trusted only when every CommonMark reading agrees on where it starts and ends;
    at the first line where one could differ, the rest of the text is treated as prose.
    """

    def __init__(self, text: str) -> None:
        self._lines = text.split("\n")
        self._fence: _Fence | None = None
        self._doubt = False
        self._previous_blank = True

    def chunks(self) -> Iterator[tuple[bool, str]]:
        """Yield ``(is_code, text)`` pieces whose concatenation is the safe layout."""
        last = len(self._lines) - 1
        for number, line in enumerate(self._lines):
            end = "" if number == last else "\n"
            if self._fence is not None and not self._doubt:
                yield from self._in_fence(line, end)
            else:
                yield from self._outside(line, end)
            self._previous_blank = not line.strip()
        if self._fence is not None and not self._doubt:
            fence = self._fence
            newline = "" if self._lines[-1] == "" else "\n"
            yield True, f"{newline}{' ' * fence.indent}{fence.char * fence.length}"

    def _outside(self, line: str, end: str) -> Iterator[tuple[bool, str]]:
        head = _CONTAINER.match(line)
        body = line[head.end() :] if head else line.lstrip(" \t")
        fence = _FENCE.match(body)
        if fence is None:
            yield False, line + end
            return
        lead, marks, info = fence.groups()
        prefix = line[: len(line) - len(body)] + lead
        if marks[0] == "`" and "`" in info:
            yield False, line + end  # not a fence in any reading: inline code
            return
        safe_line = f"{prefix}{marks}{_language(info)}"
        if self._doubt or head is not None or "\t" in prefix:
            self._doubt = True
            yield False, safe_line + end
            return
        indent = len(prefix)
        if indent >= 4 and not self._previous_blank:
            self._doubt = True  # a paragraph's continuation, or a fence in a list item
            yield False, safe_line + end
            return
        self._fence = _Fence(marks[0], len(marks), indent)
        # A blank line first: JupyterLab's math finder never joins math across one.
        yield True, ("" if self._previous_blank else "\n") + safe_line + end

    def _in_fence(self, line: str, end: str) -> Iterator[tuple[bool, str]]:
        fence = self._fence
        assert fence is not None
        if not line.strip():
            yield True, line + end
            return
        indent = _columns(line)
        stripped = line.lstrip(" \t")
        run = len(stripped) - len(stripped.lstrip(fence.char))
        if run >= fence.length and indent <= fence.indent + 3:
            rest = stripped[run:]
            allowed = indent == fence.indent if fence.indent >= 4 else fence.indent <= indent <= 3
            if allowed and not rest.strip(" \t") and "\t" not in line[:indent]:
                self._fence = None
                yield True, line + end
                return
            if _FENCE_MARKS_ONLY.fullmatch(rest) or not allowed:
                self._doubt = True  # closes the fence for some renderers and not for others
        elif indent < fence.indent:
            self._doubt = True  # outside the list item the fence may belong to
        yield (not self._doubt), line + end


def _columns(line: str) -> int:
    column = 0
    for char in line:
        if char == " ":
            column += 1
        elif char == "\t":
            column += 4 - column % 4
        else:
            break
    return column


def _language(info: str) -> str:
    # JupyterLab puts the info string into a class attribute unescaped: keep one safe word.
    match = _LANGUAGE.match(info.strip())
    return match.group(0) if match else ""


def _safe_text(text: str) -> str:
    text = _neutralise_targets(text)
    out = []
    for part in _BLANK_RUN.split(text):
        out.append(part if _BLANK_RUN.fullmatch(part) else _safe_paragraph(part))
    return "".join(out)


def _safe_paragraph(text: str) -> str:
    out, prose_start, pos = [], 0, 0
    while (run := _BACKTICKS.search(text, pos)) is not None:
        if _escaped(text, run.start()):
            pos = run.start() + 1  # "\\`" is a literal backtick; the rest of the run counts
            continue
        closer = _closing_run(text, run)
        if closer is None:
            pos = run.end()
            continue
        out.append(_safe_prose(text[prose_start : run.start()]))
        out.append(_safe_code_span(text[run.start() : closer.end()], len(run.group(0))))
        prose_start = pos = closer.end()
    out.append(_safe_prose(text[prose_start:]))
    return "".join(out)


def _escaped(text: str, index: int) -> bool:
    start = index
    while start > 0 and text[start - 1] == "\\":
        start -= 1
    return (index - start) % 2 == 1


def _closing_run(text: str, opener: re.Match[str]) -> re.Match[str] | None:
    for run in _BACKTICKS.finditer(text, opener.end()):
        if len(run.group(0)) == len(opener.group(0)):
            return run
    return None


def _safe_code_span(span: str, ticks: int) -> str:
    content = span[ticks:-ticks]
    if not _OPENS_MARKUP.search(content):
        return span
    content = content.replace("\n", " ")
    if content.startswith(" ") and content.endswith(" ") and content.strip(" "):
        content = content[1:-1]
    return f"<code>{_encode_all(content)}</code>"


def _encode_all(text: str) -> str:
    return "".join(c if c.isalnum() or c == " " else f"&#{ord(c)};" for c in text)


def _safe_prose(text: str) -> str:
    out, pos = [], 0
    for start, end in _math_spans(text):
        out.append(_escape_markup(text[pos:start]))
        out.append(_OPENS_MARKUP.sub(lambda m: m.group(1) + "< ", neutralise_tex(text[start:end])))
        pos = end
    out.append(_escape_markup(text[pos:]))
    return "".join(out)


def _escape_markup(text: str) -> str:
    text = neutralise_tex(text)

    def escape(match: re.Match[str]) -> str:
        backslashes = match.group(1)
        if _SAFE_AUTOLINK.match(text, match.end(1)):
            return match.group(0)
        if len(backslashes) % 2 == 1:  # "\\<" meant a literal "<": the entity says the same
            backslashes = backslashes[:-1]
        return backslashes + "&lt;"

    return _OPENS_MARKUP.sub(escape, text)


def _math_spans(text: str) -> list[tuple[int, int]]:
    r"""Where JupyterLab would find math: ``$..$``, ``$$..$$``, ``\\(..\\)``, environments."""
    spans: list[tuple[int, int]] = []
    start: re.Match[str] | None = None
    end, braces, last = "", 0, -1
    for token in _MATH_TOKEN.finditer(text):
        value = token.group(0)
        if start is None:
            if value in ("$", "$$"):
                start, end, braces, last = token, value, 0, -1
            elif value.startswith("\\\\"):
                start, end, braces, last = token, "\\\\" + {"(": ")", "[": "]"}[value[2]], 0, -1
            elif value[1:6].lower() == "begin":
                start, end, braces, last = token, "\\end" + value[6:], 0, -1
        elif value == end:
            if braces:
                last = token.end()
            else:
                spans.append((start.start(), token.end()))
                start = None
        elif value == "{":
            braces += 1
        elif value == "}" and braces:
            braces -= 1
        elif value.startswith("\n"):
            if last >= 0:
                spans.append((start.start(), last))
            start = None
    if start is not None and last >= 0:
        spans.append((start.start(), last))
    return spans


def _neutralise_targets(text: str) -> str:
    out, pos = [], 0
    for match in _LINK_TARGET.finditer(text):
        line_end = text.find("\n", match.end())
        target = text[match.end() : line_end if line_end >= 0 else len(text)]
        if not _safe_target(target[:300]):
            out.append(text[pos : match.end()] + "\\#")  # escaped: never a heading
            pos = match.end()
    out.append(text[pos:])
    return "".join(out)


def _safe_target(target: str) -> bool:
    plain = html.unescape(html.unescape(target))
    plain = _URL_NOISE.sub("", plain).lower()
    scheme = _SCHEME.match(plain)
    if scheme is None:
        return True
    return scheme.group(1) in _SAFE_SCHEMES or bool(_SAFE_DATA.match(plain))


def neutralise_tex(text: str) -> str:
    r"""Break the TeX commands that make links, classes, ids, styles or load packages.

    ``\href``, ``\url``, ``\class``, ``\cssId``, ``\style``, ``\unicode``, ``\require``,
    ``\mmlToken``, ``\data``, ``\attr``, ``\html...`` and ``\includegraphics`` lose their
    backslash to a look-alike (U+2216), so neither MathJax nor KaTeX runs them; the text reads
    almost the same.
    """
    return _TEX_ACTIVE.sub(_TEX_BACKSLASH, text)


def html_text(text: str) -> str:
    r"""Return ``text`` escaped for our own HTML inside Markdown (``<pre>`` and the like).

    Besides the HTML specials, ``$`` and ``\`` are encoded so that JupyterLab's math finder,
    which reads the Markdown before it is parsed, never takes our escaped text for math.
    """
    return html.escape(text).replace("$", "&#36;").replace("\\", "&#92;")


def html_line(text: str) -> str:
    """Return ``text`` as one line for our own inline HTML inside Markdown.

    Markdown still parses the text inside inline HTML: besides the HTML specials, the
    characters that make links, code, emphasis, math or escapes are encoded, and line breaks
    become spaces (a blank line would end our HTML block).
    """
    return "".join(
        f"&#{ord(c)};" if c in _INLINE_SPECIALS else c for c in " ".join(text.splitlines())
    )


def markdown_text(text: str) -> str:
    r"""Return Markdown that shows ``text`` literally, on one line (names, reasons, errors).

    Punctuation that Markdown acts on is backslash-escaped; the HTML specials and the
    backslash itself are entities (in Jupyter, ``\\(`` starts math).
    """
    line = neutralise_tex(" ".join(text.splitlines()))
    return "".join(_ENTITIES.get(c, f"\\{c}" if c in _INLINE_SPECIALS else c) for c in line)
