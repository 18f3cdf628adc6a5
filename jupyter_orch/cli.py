"""``jupyter-orch``: the command line (no kernel, no model, no network).

::

    jupyter-orch export NOTEBOOK.ipynb [-o OUT] [--format md|html|json] [--thread T]

reads the turn records a saved notebook's ``%%chat`` outputs carry (or a JSONL store) and
writes a transcript. Errors are one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from .core.errors import OrchError, UsageError
from .ipython.command_table import ArgParser, HelpShown

_DEFAULT_SUFFIX = {"md": ".chat.md", "html": ".chat.html", "json": ".chat.json"}
# Terminal control characters (escape sequences could rewrite the screen or the title).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _printable(message: str) -> str:
    """Return ``message`` without terminal control characters (names come from the file)."""
    return _CONTROL.sub("?", message)


def _parser() -> argparse.ArgumentParser:
    parser = ArgParser(prog="jupyter-orch", description="jupyter-orch tools that need no kernel.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=ArgParser)
    export = commands.add_parser(
        "export",
        help="write a notebook's chat transcript as Markdown, HTML or JSON",
        description="Write the chat transcript of a saved notebook (or a JSONL store).",
    )
    export.add_argument("input", help="a saved .ipynb, or a .jsonl transcript store")
    export.add_argument(
        "-o", "--output", help="output file ('-' for stdout; default: INPUT.chat.md/.html/.json)"
    )
    export.add_argument(
        "--format", choices=["md", "html", "json"], help="default: from -o, else md"
    )
    export.add_argument("--thread", help="only this thread")
    compact = commands.add_parser(
        "compact",
        help="rewrite a JSONL transcript store with one line per turn",
        description="Rewrite a transcript store with one line per turn (no kernel may use it).",
    )
    compact.add_argument("store", help="a .jsonl transcript store")
    return parser


def compact(store_path: Path) -> str:
    """Compact the store at ``store_path``; return a one-line summary."""
    from .transcript.store import TranscriptStore

    if not store_path.is_file():
        raise UsageError(f"cannot read {store_path}: no such file")
    before, after = TranscriptStore(store_path).compact()
    return f"compacted {store_path}: {before:,} -> {after:,} bytes"


def export(input_path: Path, output: str | None, fmt: str | None, thread: str | None) -> str:
    """Export ``input_path``; return a one-line summary of what was written."""
    from .transcript.export import format_for, render, select
    from .transcript.store import read_records

    out_path = None if output in (None, "-") else Path(output)
    chosen = format_for(out_path, fmt)
    records = select(read_records(input_path), thread)
    if not records:
        raise UsageError(f"{input_path} holds no %%chat turn records")
    text = render(records, chosen, input_path.name)
    if output == "-":
        sys.stdout.write(text)
        return f"exported {len(records)} turns ({chosen})"
    if out_path is None:
        out_path = input_path.with_name(input_path.stem + _DEFAULT_SUFFIX[chosen])
    try:
        out_path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {out_path}: {exc.strerror}") from None
    return f"exported {len(records)} turns to {out_path} ({chosen})"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    try:
        args = _parser().parse_args(argv)
        if args.command == "compact":
            print(_printable(compact(Path(args.store))))
            return 0
        message = export(Path(args.input), args.output, args.format, args.thread)
    except HelpShown as shown:
        print(str(shown).rstrip())
        return 0
    except OrchError as exc:
        # The parser names itself ("jupyter-orch export: ..."): say it once.
        line = "jupyter-orch: " + re.sub(r"^jupyter-orch(?: \w+)?: ", "", str(exc))
        print(_printable(line), file=sys.stderr)
        return 2
    print(_printable(message), file=sys.stderr if args.output == "-" else sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
