"""The fixed answer every streaming case replays: Markdown paragraphs, a list and a code block.

One "token" is one streamed piece of ``CHUNK_CHARS`` characters, so an answer of ``tokens``
tokens is exactly ``tokens * CHUNK_CHARS`` characters (2,000 tokens = 8,000 characters, close
to the 8,380 characters of the 2,000-token answer measured in DESIGN.md section 3).
"""

from __future__ import annotations

import random

CHUNK_CHARS = 4
FIRST = "Benchmarking"
"""The answer's first word: a message that shows ``FIRST[:CHUNK_CHARS]`` shows text."""
LAST = "end of answer."
"""The answer's last words: a message that shows them shows the whole answer."""

_WORDS = (
    "kernel",
    "notebook",
    "stream",
    "token",
    "paragraph",
    "model",
    "server",
    "answer",
    "cell",
    "output",
    "widget",
    "thread",
    "latency",
    "message",
    "render",
    "update",
    "budget",
    "measure",
    "extension",
    "python",
    "request",
    "chunk",
    "frontend",
    "display",
    "markdown",
    "approval",
    "tool",
    "result",
    "history",
    "window",
    "context",
    "loop",
    "event",
    "socket",
)
_CODE = "```python\nfor i in range(3):\n    print(i * i)\n```\n\n"


def fixed_answer(tokens: int) -> str:
    """Return the deterministic answer of ``tokens`` pieces (``tokens * CHUNK_CHARS`` chars)."""
    size = tokens * CHUNK_CHARS
    if size < len(FIRST) + len(LAST) + 2:
        raise ValueError(f"an answer needs at least {len(FIRST) + len(LAST) + 2} characters")
    rng = random.Random(2000)
    body = [f"{FIRST} "]
    length = len(body[0])
    paragraph = 0
    while length < size:
        piece = _paragraph(rng) if paragraph % 4 != 2 else _list(rng)
        if paragraph == 3:
            piece = _CODE + piece
        body.append(piece)
        length += len(piece)
        paragraph += 1
    text = "".join(body)[: size - len(LAST) - 1].rstrip()
    return text.ljust(size - len(LAST) - 1) + " " + LAST


def _paragraph(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(3, 6)):
        words = rng.choices(_WORDS, k=rng.randint(6, 14))
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences) + "\n\n"


def _list(rng: random.Random) -> str:
    items = [f"- **{rng.choice(_WORDS)}**: {' '.join(rng.choices(_WORDS, k=8))}" for _ in range(4)]
    return "\n".join(items) + "\n\n"
