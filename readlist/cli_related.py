"""`readlist related ID [--limit N] [--json] [QUERY]`: the papers most like one paper.

The token index the scores need is loaded from the user's cache folder (about a second at 100,000
papers); without a saved index every paper is tokenised first (7-9 s at 100,000, once: it is then
saved, as the app does).
"""

from __future__ import annotations

import argparse
import json
import re
from typing import Any, TextIO

from readlist.core.search.query import parse_query, prepare, search
from readlist.core.search.related import related

_RAW_CONTROLS = re.compile("[\x7f-\x9f]")


def add_related_command(commands: Any, add_db: Any, query_help: str) -> None:
    """Add `related` to readlist's subcommand parsers (`commands`)."""
    parser = commands.add_parser(
        "related",
        help="print the papers most like one paper, best first, with their score",
        description="The papers most like ID: TF-IDF cosine over title and abstract (see the "
        "README). A QUERY keeps only the related papers that match it.",
        epilog=query_help,
    )
    add_db(parser)
    parser.add_argument("id", metavar="ID", help="the paper id or a unique prefix (>= 4 chars)")
    parser.add_argument(
        "--limit", type=int, default=10, metavar="N", help="at most N papers (default 10)"
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="a JSON array of library documents, each with its score",
    )
    parser.add_argument("query", nargs="*", metavar="QUERY", help="search terms (see below)")


def cmd_related(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    # The command line's helpers, imported here: cli.py imports this module.
    from readlist.cli import EXIT_OK, UsageError, _existing_library, entry_line

    if args.limit < 1:
        raise UsageError("--limit needs a number of papers, 1 or more")
    query = parse_query(" ".join(args.query))  # a bad query fails before the library is opened
    with _existing_library(args) as library:
        anchor = library.resolve(args.id)
        entries = library.entries()
        prepare(entries, cache_key=library.path)
        wanted = len(entries) if not query.is_empty else args.limit
        found = related(anchor, entries, limit=wanted)
        if not query.is_empty:
            keep = {e.id for e in search([r.entry for r in found], query)}
            found = [r for r in found if r.entry.id in keep][: args.limit]
    if args.json:
        docs = [{"score": round(r.score, 4), **r.entry.to_doc()} for r in found]
        text = json.dumps(docs, ensure_ascii=False, indent=2) + "\n"
        out.write(_RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text))
    else:
        for r in found:
            print(f"{r.score:.3f}  {entry_line(r.entry)}", file=out)
    return EXIT_OK
