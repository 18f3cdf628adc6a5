"""XSS payloads by OWASP cheat-sheet class, and checks that rendered HTML holds nothing active.

``render_all`` renders Markdown with two real renderers, raw HTML enabled: markdown-it-py
(CommonMark, as VS Code renders notebooks) and nbconvert's own mistune renderer.
``active_parts`` parses HTML and lists every element, attribute or URL that could run script.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from nbconvert.filters.markdown_mistune import markdown2html_mistune

FLAG = "Object.assign(window,{xss:1})"

PAYLOADS: dict[str, str] = {
    # raw HTML elements and event handlers
    "script": f"<script>{FLAG}</script>",
    "script in text": f"Here is the page: <script>{FLAG}</script> done.",
    "img onerror": f"<img src=x onerror={FLAG}>",
    "img onerror quoted": f'See <img src="x" onerror="{FLAG}"> here',
    "svg onload": f"<svg onload={FLAG}>",
    "svg script": f"<svg><script>{FLAG}</script></svg>",
    "body onload": f"<body onload={FLAG}>",
    "iframe javascript": f"<iframe src=javascript:{FLAG}></iframe>",
    "iframe srcdoc": f'<iframe srcdoc="<script>{FLAG}</script>"></iframe>',
    "object data": f"<object data=javascript:{FLAG}></object>",
    "embed src": f"<embed src=javascript:{FLAG}>",
    "details ontoggle": f"<details open ontoggle={FLAG}>",
    "input autofocus": f"<input autofocus onfocus={FLAG}>",
    "div onmouseover": f'<div onmouseover="{FLAG}">hover</div>',
    "a href javascript": f'<a href="javascript:{FLAG}">click</a>',
    "style": "<style>body{display:none}</style>",
    "style attribute": '<p style="position:fixed;top:0">x</p>',
    "meta refresh": f'<meta http-equiv="refresh" content="0;url=javascript:{FLAG}">',
    "base href": "<base href=javascript:/a/>",
    "form formaction": f"<form><button formaction=javascript:{FLAG}>go</button></form>",
    "math xlink": f"<math><maction xlink:href=javascript:{FLAG}>x</maction></math>",
    "closing tag": "</p><img src=x onerror=1>",
    "uppercase tag": f"<IMG SRC=x ONERROR={FLAG}>",
    "tag over lines": f"<img\nsrc=x\nonerror={FLAG}>",
    "html block": f"<div>\n\n<img src=x onerror={FLAG}>\n\n</div>",
    # comments, CDATA, declarations, processing instructions
    "comment": f"<!-- a --><img src=x onerror={FLAG}>",
    "comment hiding": f"<!--<img src=x onerror={FLAG}>-->",
    "cdata": f"<![CDATA[<img src=x onerror={FLAG}>]]>",
    "declaration": "<!DOCTYPE html>",
    "processing instruction": "<?php echo 1 ?>",
    # Markdown links and images with unsafe targets
    "link javascript": f"[click](javascript:{FLAG})",
    "link vbscript": "[click](vbscript:msgbox(1))",
    "link data html": "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "image javascript": f"![x](javascript:{FLAG})",
    "image svg data": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "link case": f"[click](JaVaScRiPt:{FLAG})",
    "link entity hex": f"[click](jav&#x61;script:{FLAG})",
    "link entity decimal": f"[click](&#106;avascript:{FLAG})",
    "link entity colon": f"[click](javascript&colon;{FLAG})",
    "link entity tab": f"[click](java&Tab;script:{FLAG})",
    "link tab in pointy": f"[click](<java\tscript:{FLAG}>)",
    "link newline entity": f"[click](java&NewLine;script:{FLAG})",
    "link escaped colon": f"[click](javascript\\:{FLAG})",
    "link percent body": "[click](javascript:%61lert(1))",
    "link leading space": f"[click](   javascript:{FLAG})",
    "link next line": f"[click](\njavascript:{FLAG})",
    "link title": f'[click](javascript:{FLAG} "title")',
    "link pointy": f"[click](<javascript:{FLAG}>)",
    "link pointy entity": f"[click](<&#106;avascript:{FLAG}>)",
    "reference definition": f"[x]: javascript:{FLAG}\n\n[click][x]",
    "reference next line": f"[x]:\n  javascript:{FLAG}\n\n[click][x]",
    "reference in quote": f"> [x]: javascript:{FLAG}\n>\n> [click][x]",
    "shortcut reference": f"[click]\n\n[click]: JAVASCRIPT:{FLAG}",
    "autolink javascript": f"<javascript:{FLAG}>",
    "autolink vbscript": "<vbscript:msgbox(1)>",
    "autolink data": "<data:text/html,<script>alert(1)</script>>",
    # breaking out of inline code
    "backtick break-out": f"`` ` ``<img src=x onerror={FLAG}>",
    "unmatched run": f"``<img src=x onerror={FLAG}>`",
    "escaped backtick": f"\\`<img src=x onerror={FLAG}>`",
    "code in link target": f"[a](`) <img src=x onerror={FLAG}> `x`",
    "code span with tag": f"`<img src=x onerror={FLAG}>`",
    # breaking out of fenced code
    "unclosed fence": f"```\n<img src=x onerror={FLAG}>",
    "fence in list item": f"- item\n\n  ```\n<img src=x onerror={FLAG}>\n```\n",
    "fence closer for marked": f"```\n```~\n<img src=x onerror={FLAG}>\n```",
    "indented fence after paragraph": f"para\n    ```\n    <img src=x onerror={FLAG}>\n    ```",
    "fence in quote": f"> ```\n<img src=x onerror={FLAG}>\n```",
    "fence after list marker": f"- ```\n  x\n  ```\n<img src=x onerror={FLAG}>\n```\n",
    "nested list fence": f"1. - ```\n\n     x\n\n     ```\n     <img src=x onerror={FLAG}>",
    "fence info attribute": f'```python" onmouseover="{FLAG}\nx\n```',
    "tilde fence longer closer": f"~~~\nx\n~~~~\n<img src=x onerror={FLAG}>\n~~~",
    "fence closer outdented": f"- a\n\n  ```\n  x\n```\n<b>b</b>\n```\n<img src=x onerror={FLAG}>",
    # math commands (MathJax / KaTeX)
    "tex href": f"$\\href{{javascript:{FLAG}}}{{click}}$",
    "tex url": f"$\\url{{javascript:{FLAG}}}$",
    "tex class": "$\\class{jp-Notebook}{x}$",
    "tex cssId": "$\\cssId{main}{x}$",
    "tex style": "$\\style{position:fixed;top:0;width:100%}{x}$",
    "tex unicode": "$\\unicode{x263a}$",
    "tex require": "$\\require{html}\\href{javascript:alert(1)}{x}$",
    "tex display href": f"$$\\href{{javascript:{FLAG}}}{{x}}$$",
    "tex html data": "$\\htmlData{foo=bar}{x}$",
    "math with tag": f"$<img src=x onerror={FLAG}>$",
}

_SAFE_TAGS = set(
    [
        "p",
        "a",
        "img",
        "code",
        "pre",
        "strong",
        "em",
        "ul",
        "ol",
        "li",
        "blockquote",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "span",
        "div",
        "del",
        "s",
        "sub",
        "sup",
        "details",
        "summary",
        "b",
        "i",
    ]
)
_SAFE_ATTRIBUTES = {"href", "src", "alt", "title", "class", "align", "start"}
_SAFE_URL = re.compile(
    r"^(?:[^:/?#]*(?:[/?#]|$)|(?:https?|mailto):|data:image/(?:png|jpe?g|gif|webp)[;,])"
)

_markdown_it = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def render_all(markdown: str) -> dict[str, str]:
    """Render ``markdown`` to HTML with markdown-it-py and with nbconvert's mistune."""
    return {
        "markdown-it": _markdown_it.render(markdown),
        "nbconvert": markdown2html_mistune(markdown),
    }


_STYLE_PROPERTIES = {
    "color",
    "font-weight",
    "font-style",
    "background",
    "background-color",
    "border",
    "border-radius",
    "padding",
    "margin",
    "line-height",
}


def _our_style(value: str) -> bool:
    """Whether a style only sets colours and spacing, with no URL or script."""
    lowered = value.lower()
    if any(bad in lowered for bad in ("url(", "expression", "javascript", "@import", "\\")):
        return False
    declarations = [d.strip() for d in value.split(";") if d.strip()]
    return all(d.split(":", 1)[0].strip().lower() in _STYLE_PROPERTIES for d in declarations)


class _Auditor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SAFE_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name == "id" and re.fullmatch(r"h[1-6]", tag):
                continue  # nbconvert's own heading anchors
            if name == "style" and _our_style(value or ""):
                continue  # our own fixed look (a tool box, highlighted code), nothing active
            if name not in _SAFE_ATTRIBUTES:
                self.problems.append(f"<{tag} {name}=>")
            elif name in ("href", "src") and not _safe_url(value or ""):
                self.problems.append(f"<{tag} {name}={value!r}>")
            elif name == "class" and "language-" in (value or "") and " " in (value or ""):
                self.problems.append(f"<{tag} class={value!r}>")

    def handle_comment(self, data: str) -> None:
        self.problems.append("<!--comment-->")

    def handle_pi(self, data: str) -> None:
        self.problems.append("<?pi?>")

    def unknown_decl(self, data: str) -> None:
        self.problems.append("<![decl]>")

    def handle_decl(self, decl: str) -> None:
        self.problems.append("<!decl>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _safe_url(url: str) -> bool:
    plain = re.sub(r"[\x00-\x20\x7f]", "", html.unescape(url)).lower()
    return bool(_SAFE_URL.match(plain))


def active_parts(rendered: str) -> list[str]:
    """Return what in ``rendered`` HTML could run script or restyle the page (empty: nothing)."""
    auditor = _Auditor()
    auditor.feed(rendered)
    auditor.close()
    return auditor.problems


def visible_text(rendered: str) -> str:
    """Return the text a reader sees in ``rendered`` HTML."""
    auditor = _Auditor()
    auditor.feed(rendered)
    auditor.close()
    return "".join(auditor.text)


def problems_in(markdown: str) -> dict[str, list[str]]:
    """Render ``markdown`` with every renderer; return the active parts each one produced."""
    found = {name: active_parts(out) for name, out in render_all(markdown).items()}
    return {name: parts for name, parts in found.items() if parts}
