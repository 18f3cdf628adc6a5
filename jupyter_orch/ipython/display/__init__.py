"""Showing a turn in a cell: streamed paragraphs, tool cards, the final MIME bundle."""
