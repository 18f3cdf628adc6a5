"""Where streamed Markdown can be cut into paragraphs that will not change any more."""

from __future__ import annotations


class ParagraphSplitter:
    """Tracks code fences so a cut never falls inside a fenced block.

    Feed it the text after the last cut; :meth:`cut` returns where the settled part ends
    (just after the last blank line outside a fence), or 0 when nothing has settled yet.
    """

    def __init__(self) -> None:
        self.in_fence = False

    def cut(self, tail: str) -> int:
        """Return the length of the settled prefix of ``tail`` and advance past it."""
        in_fence = self.in_fence
        settled, settled_state = 0, in_fence
        start = 0
        while True:
            end = tail.find("\n", start)
            if end < 0:
                break
            line = tail[start:end]
            if line.lstrip().startswith(("```", "~~~")):
                in_fence = not in_fence
            elif not in_fence and not line.strip() and start > 0:
                settled, settled_state = end + 1, in_fence
            start = end + 1
        if settled:
            self.in_fence = settled_state
        return settled
