"""Reading feed files into Papers.

One front door (`read_feed` / `parse_feed`) that reads the bytes, decodes them, picks the format
by content (never by file name: a saved response may be called anything) and reports every problem
as one `FeedError` line naming the source, so the command line can print it and exit without a
traceback and without touching the library. Formats: a JSON array or object is a Hugging Face
daily papers response, XML with an Atom `<feed>` root an arXiv API response, with an `<rss>` root
an arXiv listing; anything else is the text of a Daily Papers page.
"""

from __future__ import annotations

import datetime
import os
import re
import stat
import sys
from dataclasses import dataclass, field

from readlist.core.errors import FeedError
from readlist.core.formats import arxiv_atom, arxiv_rss, daily_papers, hf_daily
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


#: JSON: an array of objects (or an empty one), or an object (an API error, `{"error": ...}`).
_JSON_START = re.compile(r'\[\s*[{\]]|\{\s*"')
#: The first element of an XML document, after its declaration, comments and DOCTYPE.
_XML_ROOT = re.compile(r"<(?![?!/])(?:[A-Za-z_][\w.-]*:)?(?P<name>[A-Za-z_][\w.-]*)")
_XML_START = re.compile(r"<(?:\?xml|!--|!DOCTYPE|[A-Za-z_])", re.IGNORECASE)


def feed_kind(text: str) -> str:
    """Which reader `text` is for: "hf", "atom", "rss", "xml" (another XML or HTML document) or
    "text" (a Daily Papers page), decided by how it starts."""
    head = text[:8192].lstrip("\ufeff \t\r\n")
    if _JSON_START.match(head):
        return "hf"
    if _XML_START.match(head):
        root = _XML_ROOT.search(head)
        name = root.group("name").lower() if root else ""
        return {"feed": "atom", "rss": "rss"}.get(name, "xml")
    return "text"


def _xml_not_a_feed(text: str, source: str) -> FeedError:
    root = _XML_ROOT.search(text[:8192])
    name = root.group("name") if root else "?"
    if name.lower() == "html":
        return FeedError(f"{source}: an HTML page, not a feed")
    if name == "RDF":
        return FeedError(
            f"{source}: an RSS 1.0 (RDF) feed, arXiv's format before 2024: save the listing "
            "again from rss.arxiv.org (RSS 2.0)"
        )
    return FeedError(
        f"{source}: XML with a <{name}> root, not a feed (expected an arXiv API Atom <feed> "
        "or an arXiv RSS 2.0 <rss>)"
    )


def parse_feed(
    data: bytes,
    source: str,
    today: datetime.date | None = None,
    replacements: bool = False,
) -> ParsedFeed:
    """Parse feed bytes; raises FeedError if empty, binary, unknown, or holding no papers.

    `today` resolves day lines without a year (Daily Papers); it defaults to the local date.
    `replacements` keeps an arXiv listing's new versions of older papers too (RSS only).
    """
    if not data:
        raise FeedError(f"{source}: empty file")
    text, encoding = decode_text(data, source)
    if not text or text.isspace():  # not `text.strip()`, which copies the whole feed
        raise FeedError(f"{source}: empty file (only whitespace)")
    notes: list[str] = []
    if encoding != "utf-8":
        notes.append(f"{source}: not UTF-8, read as {encoding}")
    kind = feed_kind(text)
    if kind == "hf":
        papers, parse_notes = hf_daily.parse_with_notes(data, source)
        missing = "an empty Hugging Face daily papers response"
    elif kind == "atom":
        papers, parse_notes = arxiv_atom.parse_with_notes(data, source)
        missing = "an arXiv API response with no entries"
    elif kind == "rss":
        papers, parse_notes = arxiv_rss.parse_with_notes(data, source, replacements)
        missing = "an arXiv RSS feed with no new or cross-listed papers"
        if replacements:
            missing = "an arXiv RSS feed with no items"
    elif kind == "xml":
        raise _xml_not_a_feed(text, source)
    else:
        papers, parse_notes = daily_papers.parse_with_notes(
            text, source, today or datetime.date.today()
        )
        missing = "expected title, blank line, abstract"
    notes.extend(parse_notes)
    if not papers:
        raise FeedError(f"{source}: no papers found ({missing})")
    return ParsedFeed(papers=papers, source=source, encoding=encoding, notes=notes)


def read_feed(
    path: str, today: datetime.date | None = None, replacements: bool = False
) -> ParsedFeed:
    """Read and parse a feed file; "-" reads standard input.

    Papers carry the file's base name as their source. Read errors name the path as given, since
    that is what the user typed.
    """
    if path == "-":
        return parse_feed(sys.stdin.buffer.read(), STDIN_SOURCE, today, replacements)
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
    return parse_feed(data, source, today, replacements)
