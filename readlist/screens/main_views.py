"""The main screen's views besides a plain search: the order the list is in, and related papers.

While the query has words the list is in relevance order unless the user picked another with
`S`; without words it is in the user's order. `R` narrows the list to the papers most like the
one under the cursor, best first, and Esc goes back to where the user was: the same list, the
same cursor (`R` again inside goes one level deeper, Esc one back).

A mixin of `MainScreen`, kept apart so each file stays small; it uses the names `MainScreen`
defines (declared below for the type checker).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.screen import Screen

from readlist.config import SORT_ORDERS
from readlist.core.library import Library
from readlist.core.models import Entry
from readlist.core.search.order import RELEVANCE, sort_entries
from readlist.core.search.query import MATCH_ALL, Query
from readlist.core.search.related import IndexNotReady, Related, related
from readlist.widgets.paper_list import PaperList

#: How many related papers the view shows.
RELATED_SHOWN = 50
SORT_NAMES = {
    "feed": "feed order",
    "title": "title",
    "starred": "starred first",
    "unread": "unread first",
    "upvotes": "most upvoted",
    RELEVANCE: "relevance",
}


@dataclass(frozen=True)
class SavedView:
    """What the list showed before `R`, to go back to it."""

    query: Query
    results: list[Entry]
    matched: list[Entry] | None
    version: int
    cursor_id: str | None
    related_to: Entry | None


class ViewActions(Screen[None]):
    """Sort orders (`S`) and the related papers view (`R`, Esc)."""

    library: Library
    sort_index: int
    by_relevance: bool
    current_query: Query
    results: list[Entry]
    _matched: list[Entry] | None
    _results_query: Query | None
    _results_version: int
    related_to: Entry | None = None  # the paper whose related papers are shown
    saved_views: list[SavedView]

    def _reload(self) -> None:
        raise NotImplementedError  # MainScreen's

    def _set_results(
        self,
        results: list[Entry],
        query: Query,
        keep_id: str | None,
        matched: list[Entry] | None = None,
    ) -> None:
        raise NotImplementedError  # MainScreen's

    # ---- orders --------------------------------------------------------------------------

    def order_for(self, query: Query) -> str:
        """The order a result of `query` is shown in: relevance while it has words, unless the
        user picked another with `S`."""
        if query.words and self.by_relevance:
            return RELEVANCE
        return SORT_ORDERS[self.sort_index]

    def _sorted(self, entries: list[Entry]) -> list[Entry]:
        """A new list in the user's order (the library's order is newest day first, feed order)."""
        return sort_entries(entries, SORT_ORDERS[self.sort_index])

    def action_cycle_sort(self) -> None:
        """The next order; while the query has words, relevance is one of them (the first)."""
        self.leave_related_views()
        if self.current_query.words:
            cycle = (RELEVANCE, *SORT_ORDERS)
            now = 0 if self.by_relevance else self.sort_index + 1
            step = (now + 1) % len(cycle)
            self.by_relevance = step == 0
            if step:
                self.sort_index = step - 1
        else:
            self.sort_index = (self.sort_index + 1) % len(SORT_ORDERS)
        self.notify(f"Sorted by: {SORT_NAMES[self.order_for(self.current_query)]}", timeout=1.5)
        self._results_query = None  # the order changed: the next search must not narrow
        self._reload()

    # ---- related papers ------------------------------------------------------------------

    def action_related(self) -> None:
        """Show the papers most like the one under the cursor, best first."""
        entry = self.query_one(PaperList).current
        if entry is None:
            return
        found = self._related(entry)
        if found is None:
            return
        current = self.query_one(PaperList).current
        self.saved_views.append(
            SavedView(
                self.current_query,
                self.results,
                self._matched,
                self._results_version,
                current.id if current else None,
                self.related_to,
            )
        )
        self._show_related(entry, found, keep_id=None)
        if not found:
            self.notify("No paper shares a rare word with this one", timeout=3)

    def _related(self, entry: Entry) -> list[Related] | None:
        try:
            return related(entry, self.library.entries(), limit=RELATED_SHOWN)
        except IndexNotReady:
            self.notify("Still indexing the library: related papers in a moment", timeout=3)
            return None

    def _show_related(self, anchor: Entry, found: list[Related], keep_id: str | None) -> None:
        self.related_to = anchor
        self.current_query = MATCH_ALL  # nothing to highlight
        self._set_results([r.entry for r in found], MATCH_ALL, keep_id)

    def refresh_related(self) -> None:
        """The library changed under the related view: find the related papers again."""
        anchor = self.related_to
        if anchor is None:
            return
        anchor = next((e for e in self.library.entries() if e.id == anchor.id), anchor)
        found = self._related(anchor)
        if found is not None:
            current = self.query_one(PaperList).current
            self._show_related(anchor, found, keep_id=current.id if current else None)

    def leave_related_view(self) -> bool:
        """Esc: back to the list shown before the last `R`; False if there is none."""
        if not self.saved_views:
            return False
        view = self.saved_views.pop()
        self.related_to = view.related_to
        self.current_query = view.query
        self._set_results(view.results, view.query, view.cursor_id, view.matched)
        self._results_version = view.version
        if view.version != self.library.version:
            self._reload()  # a paper changed meanwhile: search again, the cursor where it was
        return True

    def leave_related_views(self) -> None:
        """A new search, filter or order: the related views are left for good (not shown)."""
        if self.saved_views:
            view = self.saved_views[0]
            self.saved_views.clear()
            self.related_to = None
            self.current_query = view.query
            self._results_query = None
