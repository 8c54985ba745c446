"""Reading feed files into Papers.

One front door (`read_feed` / `parse_feed`) that reads the bytes, decodes them, picks the format
and reports every problem as one `FeedError` line naming the source, so the command line can print
it and exit without a traceback and without touching the library.
"""

from __future__ import annotations

import datetime
import os
import stat
import sys
from dataclasses import dataclass, field

from readlist.core.errors import FeedError
from readlist.core.formats import daily_papers
from readlist.core.models import Paper
from readlist.core.text import decode_text


@dataclass
class ParsedFeed:
    """The papers read from one feed, and what the user should know about how it was read."""

    papers: list[Paper]
    source: str
    encoding: str
    notes: list[str] = field(default_factory=list)


STDIN_SOURCE = "<stdin>"


def parse_feed(data: bytes, source: str, today: datetime.date | None = None) -> ParsedFeed:
    """Parse feed bytes; raises FeedError if empty, binary, or holding no papers.

    `today` resolves day lines without a year (Daily Papers); it defaults to the local date.
    """
    if not data:
        raise FeedError(f"{source}: empty file")
    text, encoding = decode_text(data, source)
    if not text.strip():
        raise FeedError(f"{source}: empty file (only whitespace)")
    notes: list[str] = []
    if encoding != "utf-8":
        notes.append(f"{source}: not UTF-8, read as {encoding}")
    papers, parse_notes = daily_papers.parse_with_notes(
        text, source, today or datetime.date.today()
    )
    notes.extend(parse_notes)
    if not papers:
        raise FeedError(f"{source}: no papers found (expected title, blank line, abstract)")
    return ParsedFeed(papers=papers, source=source, encoding=encoding, notes=notes)


def read_feed(path: str, today: datetime.date | None = None) -> ParsedFeed:
    """Read and parse a feed file; "-" reads standard input.

    Papers carry the file's base name as their source. Read errors name the path as given, since
    that is what the user typed.
    """
    if path == "-":
        return parse_feed(sys.stdin.buffer.read(), STDIN_SOURCE, today)
    source = os.path.basename(path.rstrip("/" + os.sep)) or path
    try:
        with open(path, "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
                raise FeedError(f"{path}: not a regular file")
            data = handle.read()
    except FileNotFoundError:
        raise FeedError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise FeedError(f"{path}: is a directory, not a feed file") from None
    except PermissionError:
        raise FeedError(f"{path}: permission denied") from None
    except OSError as error:
        raise FeedError(f"{path}: cannot read ({error.strerror or error})") from None
    return parse_feed(data, source, today)
