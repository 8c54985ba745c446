"""The Hugging Face Daily Papers API response (`GET /api/daily_papers?date=YYYY-MM-DD`).

A bare JSON array of items, each with a `paper` object: `id` (the arXiv id), `title`, `summary`,
`authors[].name`, `upvotes`, `publishedAt`, and, since 2025, `submittedOnDailyAt`, `githubRepo`
and `projectPage`. Optional fields are left out, not null, and older days lack most of them (the
2024 schema has no `submittedOnDailyAt`); the reader takes null or a wrong type as absent too,
since a response is untrusted. Titles and abstracts were hard-wrapped (`\\n  `) until late 2025.
"""

from __future__ import annotations

import datetime
from typing import Any

import orjson

from readlist.core.arxiv_ids import parse_arxiv_id
from readlist.core.errors import FeedError
from readlist.core.formats.fields import one_line, usable_title, utc_day, web_url
from readlist.core.links import extract_links, github_link, github_repo_url
from readlist.core.models import Paper, paper_id
from readlist.core.text import decode_text

EXPECTED = 'expected a JSON array of items with "paper"'


def _not_hf(source: str, found: str) -> FeedError:
    return FeedError(f"{source}: not a Hugging Face daily papers response ({EXPECTED}; {found})")


def _load(data: bytes, source: str) -> list[Any]:
    """The JSON array, or FeedError saying what came instead."""
    text, _ = decode_text(data, source)
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise _not_hf(source, f"not valid JSON: {one_line(str(error))[:120]}") from None
    if isinstance(value, dict):
        said = one_line(value.get("error"))[:200]
        raise _not_hf(source, f"the server said: {said}" if said else "found a JSON object")
    if not isinstance(value, list):
        raise _not_hf(source, f"found a JSON {type(value).__name__}")
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("paper"), dict):
            raise _not_hf(source, f'item {number} has no "paper" object')
    return value


def _authors(value: object) -> tuple[str, ...]:
    """Every author's name, in order (hidden ones too: they are still the paper's authors)."""
    if not isinstance(value, list):
        return ()
    names = (one_line(a.get("name")) for a in value if isinstance(a, dict))
    return tuple(name for name in names if name)


def _upvotes(value: object) -> int | None:
    # bool is an int subclass: `true` is not a count.
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _paper(item: dict[str, Any], source: str, day: str | None) -> Paper | None:
    """One item as a Paper, or None when it has no usable title."""
    paper: dict[str, Any] = item["paper"]
    title = one_line(paper.get("title")) or one_line(item.get("title"))
    if not usable_title(title):
        return None
    abstract = one_line(paper.get("summary")) or one_line(item.get("summary"))
    links = tuple(extract_links(abstract))
    repo = web_url(paper.get("githubRepo"))
    github = (github_repo_url(repo) if repo else None) or github_link(links)
    found = parse_arxiv_id(one_line(paper.get("id")))
    listed = utc_day(paper.get("submittedOnDailyAt")) or day or utc_day(item.get("publishedAt"))
    return Paper(
        id=paper_id(title),
        title=title,
        abstract=abstract,
        date=listed,
        github=github,
        links=links,
        source=source,
        authors=_authors(paper.get("authors")),
        arxiv_id=found[0] if found else None,
        published=utc_day(paper.get("publishedAt")),
        upvotes=_upvotes(paper.get("upvotes")),
        project_page=web_url(paper.get("projectPage")),
    )


def parse_with_notes(
    data: bytes, source: str, day: datetime.date | None = None
) -> tuple[list[Paper], list[str]]:
    """The papers in response order, one per arXiv id (else per title), and notes on what was
    skipped. `date` is the day of `paper.submittedOnDailyAt` in UTC, else `day`, else the date
    of the item's `publishedAt`. An empty array (a weekend) gives no papers and no error."""
    items = _load(data, source)
    wanted = day.isoformat() if day is not None else None
    papers: dict[str, Paper] = {}
    untitled = repeated = 0
    for item in items:
        paper = _paper(item, source, wanted)
        if paper is None:
            untitled += 1
            continue
        key = paper.arxiv_id or paper.id
        if key in papers:
            repeated += 1
        else:
            papers[key] = paper
    notes = []
    if repeated:
        notes.append(f"{source}: {repeated} repeated paper(s) imported once, keeping the first")
    if untitled:
        notes.append(f"{source}: {untitled} item(s) without a usable title skipped")
    return list(papers.values()), notes


def parse(data: bytes, source: str, day: datetime.date | None = None) -> list[Paper]:
    """The papers of a Hugging Face daily papers response (see `parse_with_notes`)."""
    return parse_with_notes(data, source, day)[0]
