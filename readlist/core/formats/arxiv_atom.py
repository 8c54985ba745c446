"""The arXiv API's Atom response (`GET /api/query?id_list=...` or `?search_query=...`).

Each `<entry>` is a paper: `<id>` its versioned abstract URL (`http://arxiv.org/abs/2202.12139v1`,
old style `.../abs/hep-ph/0301050v2`), `<title>` and `<summary>` (hard-wrapped and indented in
older responses), `<author><name>`, `<published>` (the first version), `<category term>` (several)
with one `<arxiv:primary_category>`, and optional `<arxiv:comment>`, `<arxiv:doi>` and
`<arxiv:journal_ref>`. A request arXiv cannot answer comes back as a feed whose one entry has an
id under `/api/errors` and the reason as its summary: that is an error, not a paper.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from readlist.core.arxiv_ids import parse_arxiv_id
from readlist.core.errors import FeedError
from readlist.core.formats.fields import (
    ARXIV,
    ATOM,
    element_text,
    one_line,
    parse_xml,
    unique,
    usable_title,
    utc_day,
)
from readlist.core.links import extract_links, github_link
from readlist.core.models import Paper, gc_paused, paper_id

EXPECTED = "an arXiv API Atom response (<feed> of <entry> with arxiv.org/abs ids)"

_FEED = f"{ATOM}feed"
_ENTRY = f"{ATOM}entry"
_ID = f"{ATOM}id"
_TITLE = f"{ATOM}title"
_SUMMARY = f"{ATOM}summary"
_PUBLISHED = f"{ATOM}published"
_AUTHOR = f"{ATOM}author"
_NAME = f"{ATOM}name"
_CATEGORY = f"{ATOM}category"
_PRIMARY = f"{ARXIV}primary_category"
_COMMENT = f"{ARXIV}comment"
_DOI = f"{ARXIV}doi"
_JOURNAL_REF = f"{ARXIV}journal_ref"


class _Children:
    """An entry's children sorted in one pass: the first of each tag (what `find` would give),
    and every `<author>` and `<category>` in order (what `iterfind` would give)."""

    __slots__ = ("authors", "categories", "first")

    def __init__(self, entry: Element) -> None:
        first: dict[str, Element] = {}
        authors: list[Element] = []
        categories: list[Element] = []
        for child in entry:
            tag = child.tag
            if tag == _AUTHOR:
                authors.append(child)
            elif tag == _CATEGORY:
                categories.append(child)
            elif tag not in first:
                first[tag] = child
        self.first = first
        self.authors = authors
        self.categories = categories

    def text(self, tag: str) -> str:
        """The safe one-line text of the first child `tag` ("" where there is none)."""
        return element_text(self.first.get(tag))


def _categories(children: _Children) -> tuple[str, ...]:
    """The primary category first, then the others in the order given, each once."""
    primary = children.first.get(_PRIMARY)
    terms = [one_line(primary.get("term"))] if primary is not None else []
    terms += [one_line(c.get("term")) for c in children.categories]
    return unique(terms)


def _paper(children: _Children, arxiv_id: str, title: str, source: str) -> Paper:
    abstract = children.text(_SUMMARY)
    comment = children.text(_COMMENT) or None  # one line already: `optional_line` would repeat it
    links = tuple(extract_links(abstract))
    # Authors often name the repository in the comment ("Code: https://github.com/...").
    github = github_link(links) or github_link(extract_links(comment or ""))
    published = utc_day(children.text(_PUBLISHED))
    authors = [element_text(author.find(_NAME)) for author in children.authors]
    return Paper(
        id=paper_id(title),
        title=title,
        abstract=abstract,
        date=published,
        github=github,
        links=links,
        source=source,
        authors=tuple(name for name in authors if name),
        arxiv_id=arxiv_id,
        published=published,
        categories=_categories(children),
        comment=comment,
        doi=children.text(_DOI) or None,
        journal_ref=children.text(_JOURNAL_REF) or None,
    )


def parse_with_notes(data: bytes, source: str) -> tuple[list[Paper], list[str]]:
    """The papers in response order, one per arXiv id, and notes on entries skipped.

    `date` is the first version's date (`published`). A feed with no entries (no results) gives
    no papers and no error; an arXiv error response or a feed that is not arXiv's is a FeedError.
    """
    with gc_paused():  # ~40 objects an entry, none cyclic: the GC would rescan them all
        return _parse(data, source)


def _parse(data: bytes, source: str) -> tuple[list[Paper], list[str]]:
    root = parse_xml(data, source, EXPECTED)
    if root.tag != _FEED:
        raise FeedError(f"{source}: not an arXiv API response (expected {EXPECTED})")
    papers: dict[str, Paper] = {}
    entries = without_id = untitled = repeated = 0
    for entry in root.iterfind(_ENTRY):
        entries += 1
        children = _Children(entry)
        raw_id = children.text(_ID)
        if "/api/errors" in raw_id:
            reason = children.text(_SUMMARY) or children.text(_TITLE)
            raise FeedError(f"{source}: arXiv API error: {reason[:300] or raw_id}")
        found = parse_arxiv_id(raw_id)
        if found is None:
            without_id += 1
            continue
        title = children.text(_TITLE)
        if not usable_title(title):
            untitled += 1
            continue
        if found[0] in papers:
            repeated += 1
            continue
        papers[found[0]] = _paper(children, found[0], title, source)
    if entries and without_id == entries:
        raise FeedError(f"{source}: not an arXiv API response (no entry has an arXiv id)")
    counts = (
        (without_id, "entry(ies) without an arXiv id skipped"),
        (untitled, "entry(ies) without a usable title skipped"),
        (repeated, "repeated paper(s) imported once, keeping the first"),
    )
    return list(papers.values()), [f"{source}: {n} {what}" for n, what in counts if n]


def parse(data: bytes, source: str) -> list[Paper]:
    """The papers of an arXiv API Atom response (see `parse_with_notes`)."""
    return parse_with_notes(data, source)[0]
