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
    one_line,
    optional_line,
    parse_xml,
    text_of,
    unique,
    usable_title,
    utc_day,
)
from readlist.core.links import extract_links, github_link
from readlist.core.models import Paper, paper_id

EXPECTED = "an arXiv API Atom response (<feed> of <entry> with arxiv.org/abs ids)"


def _categories(entry: Element) -> tuple[str, ...]:
    """The primary category first, then the others in the order given, each once."""
    primary = entry.find(f"{ARXIV}primary_category")
    terms = [one_line(primary.get("term"))] if primary is not None else []
    terms += (one_line(c.get("term")) for c in entry.iterfind(f"{ATOM}category"))
    return unique(terms)


def _paper(entry: Element, arxiv_id: str, title: str, source: str) -> Paper:
    abstract = text_of(entry, f"{ATOM}summary")
    comment = optional_line(text_of(entry, f"{ARXIV}comment"))
    links = tuple(extract_links(abstract))
    # Authors often name the repository in the comment ("Code: https://github.com/...").
    github = github_link(links) or github_link(extract_links(comment or ""))
    published = utc_day(text_of(entry, f"{ATOM}published"))
    authors = (text_of(author, f"{ATOM}name") for author in entry.iterfind(f"{ATOM}author"))
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
        categories=_categories(entry),
        comment=comment,
        doi=optional_line(text_of(entry, f"{ARXIV}doi")),
        journal_ref=optional_line(text_of(entry, f"{ARXIV}journal_ref")),
    )


def parse_with_notes(data: bytes, source: str) -> tuple[list[Paper], list[str]]:
    """The papers in response order, one per arXiv id, and notes on entries skipped.

    `date` is the first version's date (`published`). A feed with no entries (no results) gives
    no papers and no error; an arXiv error response or a feed that is not arXiv's is a FeedError.
    """
    root = parse_xml(data, source, EXPECTED)
    if root.tag != f"{ATOM}feed":
        raise FeedError(f"{source}: not an arXiv API response (expected {EXPECTED})")
    papers: dict[str, Paper] = {}
    entries = without_id = untitled = repeated = 0
    for entry in root.iterfind(f"{ATOM}entry"):
        entries += 1
        raw_id = text_of(entry, f"{ATOM}id")
        if "/api/errors" in raw_id:
            reason = text_of(entry, f"{ATOM}summary") or text_of(entry, f"{ATOM}title")
            raise FeedError(f"{source}: arXiv API error: {reason[:300] or raw_id}")
        found = parse_arxiv_id(raw_id)
        if found is None:
            without_id += 1
            continue
        title = text_of(entry, f"{ATOM}title")
        if not usable_title(title):
            untitled += 1
            continue
        if found[0] in papers:
            repeated += 1
            continue
        papers[found[0]] = _paper(entry, found[0], title, source)
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
