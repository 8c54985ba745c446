"""An arXiv listing's RSS 2.0 feed (`rss.arxiv.org/rss/CAT[+CAT...]`, the format since 2024).

Each `<item>` is an announcement: `<arxiv:announce_type>` new, cross (a cross-listing), replace
or replace-cross (a new version of an older paper); `<description>` is
`arXiv:ID Announce Type: TYPE` then `Abstract: ...`; `<dc:creator>` is one comma-separated string
of names; `<category>` repeats; `<arxiv:DOI>` and `<arxiv:journal_reference>` are optional. The
channel's `<pubDate>` (and each item's) is the announcement day, midnight in arXiv's time zone.
A listing is read for what is new: replacements are skipped unless asked for, the same whether
the feed was fetched or a saved copy is imported.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from readlist.core.arxiv_ids import parse_arxiv_id
from readlist.core.errors import FeedError
from readlist.core.formats.fields import (
    ARXIV,
    DC,
    one_line,
    optional_line,
    parse_xml,
    rfc2822_day,
    text_of,
    unique,
    usable_title,
)
from readlist.core.links import extract_links, github_link
from readlist.core.models import Paper, paper_id

EXPECTED = "an arXiv RSS 2.0 feed (<rss> with a <channel> of <item>)"

#: The announcement types of new papers; replace and replace-cross are new versions.
NEW_TYPES = frozenset({"new", "cross"})

#: `arXiv:2609.26811v1 Announce Type: new Abstract: ...` (after whitespace is collapsed).
_DESCRIPTION = re.compile(
    r"arXiv:(?P<id>\S+)\s+Announce Type:\s*(?P<type>\S+)\s*(?:Abstract:\s*)?", re.IGNORECASE
)
_NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def split_creators(text: str) -> tuple[str, ...]:
    """The names in a `<dc:creator>` string, in order.

    `A, B, C`; also `A, B, and C` and `A and B`; a suffix such as `Jr.` after a comma stays with
    the name before it.
    """
    names: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if part.lower() in _NAME_SUFFIXES and names:
            names[-1] = f"{names[-1]} {part}"
            continue
        if part.lower().startswith("and "):
            part = part[4:].strip()
        head, sep, tail = part.rpartition(" and ")
        names.extend([head.strip(), tail.strip()] if sep and head.strip() else [part])
    return tuple(name for name in names if name)


def _item_id(item: Element, description: re.Match[str] | None) -> str | None:
    """The arXiv id from `<link>`, else `<guid>` (`oai:arXiv.org:ID`), else the description."""
    candidates = [text_of(item, "link"), text_of(item, "guid").removeprefix("oai:arXiv.org:")]
    if description is not None:
        candidates.append(description.group("id"))
    for candidate in candidates:
        found = parse_arxiv_id(candidate)
        if found is not None:
            return found[0]
    return None


def _paper(item: Element, title: str, source: str, channel_day: str | None) -> Paper:
    raw = text_of(item, "description")
    match = _DESCRIPTION.match(raw)
    abstract = raw[match.end() :] if match else raw
    links = tuple(extract_links(abstract))
    day = rfc2822_day(text_of(item, "pubDate")) or channel_day
    journal = text_of(item, f"{ARXIV}journal_reference") or text_of(item, f"{ARXIV}journal_ref")
    return Paper(
        id=paper_id(title),
        title=title,
        abstract=abstract,
        date=day,
        github=github_link(links),
        links=links,
        source=source,
        authors=split_creators(text_of(item, f"{DC}creator")),
        arxiv_id=_item_id(item, match),
        categories=unique([one_line(c.text) for c in item.iterfind("category")]),
        doi=optional_line(text_of(item, f"{ARXIV}DOI") or text_of(item, f"{ARXIV}doi")),
        journal_ref=optional_line(journal),
    )


def announce_type(item: Element) -> str:
    """The item's announcement type, lower-case ("" where the feed gives none)."""
    return text_of(item, f"{ARXIV}announce_type").lower()


def parse_with_notes(
    data: bytes, source: str, replacements: bool = False
) -> tuple[list[Paper], list[str]]:
    """The papers in feed order, one per arXiv id (else per title), and notes on what was
    skipped: new and cross-listed papers only, unless `replacements`. An item without an
    announcement type counts as new. A feed with no items (weekends) gives no papers, no error."""
    root = parse_xml(data, source, EXPECTED)
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise FeedError(f"{source}: not an arXiv RSS feed (expected {EXPECTED})")
    channel_day = rfc2822_day(text_of(channel, "pubDate"))
    papers: dict[str, Paper] = {}
    replaced = untitled = repeated = 0
    for item in channel.iterfind("item"):
        kind = announce_type(item)
        if kind and kind not in NEW_TYPES and not replacements:
            replaced += 1
            continue
        title = text_of(item, "title")
        if not usable_title(title):
            untitled += 1
            continue
        paper = _paper(item, title, source, channel_day)
        key = paper.arxiv_id or paper.id
        if key in papers:
            repeated += 1
        else:
            papers[key] = paper
    counts = (
        (replaced, "replaced paper(s) skipped (new and cross-listed papers only)"),
        (untitled, "item(s) without a usable title skipped"),
        (repeated, "repeated paper(s) imported once, keeping the first"),
    )
    return list(papers.values()), [f"{source}: {n} {what}" for n, what in counts if n]


def parse(data: bytes, source: str, replacements: bool = False) -> list[Paper]:
    """The papers of an arXiv RSS feed (see `parse_with_notes`)."""
    return parse_with_notes(data, source, replacements)[0]
