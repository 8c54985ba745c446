"""arXiv: a category listing from its RSS feed, and papers by id from the API (Atom).

arXiv asks for at most one request every 3 seconds on one connection: every request here goes
through the client's politeness gate with `interval` (3 s unless a caller, such as a test, passes
less). Readers are injected like in `hf`; by default they are the library's.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Sequence
from urllib.parse import quote

from readlist.core.errors import FeedError
from readlist.core.models import Paper
from readlist.core.sources.failures import SourceError, html_instead
from readlist.core.sources.http import HttpClient

#: arXiv's terms of use: no more than one request every three seconds.
INTERVAL_S = 3.0
#: Ids per API request; arXiv serves a few hundred per page comfortably.
IDS_PER_REQUEST = 100
API_LABEL = "arxiv"

RssReader = Callable[[bytes, str, bool], list[Paper]]
AtomReader = Callable[[bytes, str], list[Paper]]


def listing_url(base_url: str, categories: Sequence[str]) -> str:
    return base_url.rstrip("/") + "/" + "+".join(categories)


def listing_label(categories: Sequence[str]) -> str:
    """How messages name a listing: `arxiv:cs.CL+cs.LG`."""
    return "arxiv:" + "+".join(categories)


def announcement_day(papers: Sequence[Paper]) -> datetime.date | None:
    """The listing's announcement day: the day most of its papers carry."""
    days = Counter(p.date for p in papers if p.date)
    if not days:
        return None
    try:
        return datetime.date.fromisoformat(days.most_common(1)[0][0])
    except ValueError:
        return None


def _default_rss(data: bytes, source: str, replacements: bool) -> list[Paper]:
    from readlist.core.formats import arxiv_rss

    return arxiv_rss.parse(data, source, replacements=replacements)


def _default_atom(data: bytes, source: str) -> list[Paper]:
    from readlist.core.formats import arxiv_atom

    return arxiv_atom.parse(data, source)


def _check_xml(body: bytes, label: str) -> None:
    wrong = html_instead(body, "an arXiv feed (XML)")
    if wrong:
        raise SourceError(label, wrong, "response")


def fetch_listing(
    client: HttpClient,
    base_url: str,
    categories: Sequence[str],
    *,
    replacements: bool = False,
    interval: float = INTERVAL_S,
    reader: RssReader | None = None,
) -> list[Paper]:
    """The latest announcement of `categories` (new and cross-listed papers; replaced ones too
    with `replacements`). The RSS feed holds only the latest announcement, whatever the day."""
    label = listing_label(categories)
    fetched = client.get(
        listing_url(base_url, categories),
        label,
        accept="application/rss+xml, application/xml;q=0.9, */*;q=0.1",
        interval=interval,
    )
    _check_xml(fetched.body, label)
    try:
        return (reader or _default_rss)(fetched.body, label, replacements)
    except FeedError as error:
        raise SourceError.from_feed_error(label, error) from None


def fetch_ids(
    client: HttpClient,
    base_url: str,
    ids: Sequence[str],
    *,
    per_request: int = IDS_PER_REQUEST,
    interval: float = INTERVAL_S,
    reader: AtomReader | None = None,
) -> list[Paper]:
    """The papers with these arXiv ids (without versions), one request per `per_request` ids.

    Only papers whose `arxiv_id` was asked for are returned; the caller tells the missing ones
    from the result. Every request must succeed, or SourceError is raised and nothing returned.
    """
    papers: list[Paper] = []
    chunks = [ids[i : i + per_request] for i in range(0, len(ids), per_request)]
    wanted = set(ids)
    for number, chunk in enumerate(chunks, start=1):
        query = f"id_list={quote(','.join(chunk), safe=',/')}&max_results={len(chunk)}"
        label = (
            API_LABEL if len(chunks) == 1 else f"{API_LABEL} (request {number} of {len(chunks)})"
        )
        fetched = client.get(
            f"{base_url}?{query}",
            label,
            accept="application/atom+xml, application/xml;q=0.9, */*;q=0.1",
            interval=interval,
        )
        _check_xml(fetched.body, label)
        try:
            found = (reader or _default_atom)(fetched.body, label)
        except FeedError as error:
            raise SourceError.from_feed_error(label, error) from None
        papers.extend(p for p in found if p.arxiv_id in wanted)
    return papers
