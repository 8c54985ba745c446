"""The orders a list of papers can be shown in, shared by the app (`S`) and `readlist list --sort`.

`feed` is the library's own order (newest day first, then as the feed listed them); every other
order is a stable sort of it, so papers that tie stay in feed order. `relevance` ranks the papers
a query matched (ranking.py) and is only meaningful while the query has words.
"""

from __future__ import annotations

from collections.abc import Sequence

from readlist.core.models import Entry
from readlist.core.search.query import Query
from readlist.core.search.ranking import rank

#: The orders `S` cycles through without a query, in that order (the config's `sort` is one).
ORDERS: tuple[str, ...] = ("feed", "title", "starred", "unread", "upvotes")
RELEVANCE = "relevance"
#: Every order `readlist list --sort` takes.
ALL_ORDERS: tuple[str, ...] = (*ORDERS, RELEVANCE)


def _upvotes(entry: Entry) -> int:
    upvotes = entry.paper.upvotes
    return -1 if upvotes is None else upvotes


def sort_entries(entries: Sequence[Entry], order: str) -> list[Entry]:
    """A new list of `entries` (given in feed order) in `order` (one of ORDERS)."""
    if order == "title":
        return sorted(entries, key=lambda e: e.paper.title.casefold())
    if order == "starred":
        return sorted(entries, key=lambda e: not e.state.starred)
    if order == "unread":
        return sorted(entries, key=lambda e: e.state.read)
    if order == "upvotes":  # papers without a count (pasted text) last, feed order kept
        return sorted(entries, key=_upvotes, reverse=True)
    return list(entries)


def order_entries(
    found: Sequence[Entry], order: str, query: Query, collection: Sequence[Entry]
) -> list[Entry]:
    """`found` (what `query` matched in `collection`, in feed order) in `order` (ALL_ORDERS)."""
    if order == RELEVANCE:
        return rank(found, query, collection)
    return sort_entries(found, order)
