"""The main screen: search bar, paper list, detail pane, status line and footer.

Every action goes through the `Library` at once (each change is durable when it returns), then
the row, the detail and the counts are redrawn from the entry the library gives back. Searching
runs in an exclusive thread worker so a newer keystroke supersedes an older search, and a query
that only narrows the previous one filters the previous result instead of the whole library.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Callable
from itertools import count
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.worker import get_current_worker

from readlist.config import SORT_ORDERS, Config
from readlist.core.errors import LibraryError
from readlist.core.library import Library
from readlist.core.models import Entry, gc_paused
from readlist.core.search.helper import Answer, SearchHelper
from readlist.core.search.order import RELEVANCE, sort_entries
from readlist.core.search.query import (
    Query,
    QueryError,
    parse_query,
    picked,
    positions_in,
    prepare,
    search,
    search_index,
    search_rows,
)
from readlist.core.search.ranking import prepare_layout, prepare_ranking, rank, rank_fields
from readlist.core.search.rows import Rows, build_postings
from readlist.gc_hold import CollectorHold
from readlist.screens.main_actions import OutsideActions
from readlist.screens.main_fetch import FetchActions
from readlist.screens.main_keys import MAIN_BINDINGS
from readlist.screens.main_moves import MoveActions
from readlist.screens.main_triage import TriageActions
from readlist.screens.main_views import SORT_NAMES, SavedView, ViewActions
from readlist.undo import UndoStack
from readlist.widgets.detail import DetailPane
from readlist.widgets.key_footer import KeyFooter
from readlist.widgets.paper_list import PaperList
from readlist.widgets.search_bar import SearchBar
from readlist.widgets.status_bar import StatusBar
from readlist.widgets.welcome import Welcome

#: Quick filters `f` cycles through: (name shown, query clause).
FILTERS: tuple[tuple[str, str], ...] = (
    ("all", ""),
    ("unread", "is:unread"),
    ("starred", "is:starred"),
    ("with code", "has:code"),
)
WARM_DELAY_S = 0.0  # the warm-up starts at once: searches wait for the index it loads
#: The longest a search waits for the index the last session saved (~0.3 s to load at 100,000
#: papers) before it scans text instead (0.85-1.2 s at 100,000 papers).
INDEX_WAIT_S = 2.0
REFRESH_INTERVAL_S = 1.0
HOLD_FRAMES_S = 0.1  # frames wait this long at most for a keystroke's result (`_hold_frames`)
HOLD_COLLECTOR_S = 2.0  # and the cyclic GC (`CollectorHold`), whatever happens to the search
SEARCH_SLICE = 4_000  # papers searched between two looks at the keyboard (~5 ms)
SMALL_SCAN = 20_000  # up to this many papers, a search runs in one go (~25 ms at most)


class MainScreen(TriageActions, OutsideActions, FetchActions, ViewActions, MoveActions):
    """The reading list. Bindings here are the one-key actions on the paper under the cursor."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012
    AUTO_FOCUS = "#list"
    """Focused as the screen is composed, not by `focus()` in `on_mount`: that runs a turn later
    and would take the focus back from the search bar if a `/` was read first."""

    BINDINGS: ClassVar[list[BindingType]] = MAIN_BINDINGS

    def __init__(self, library: Library, config: Config) -> None:
        super().__init__()
        self.library = library
        self.config = config
        self.undo_stack = UndoStack()
        self.filter_index = 0
        self.sort_index = SORT_ORDERS.index(config.sort) if config.sort in SORT_ORDERS else 0
        self.by_relevance = True  # while the query has words; `S` may pick another order
        self.query_text = ""
        self.current_query: Query = parse_query("")
        self.results: list[Entry] = []
        self._results_query: Query | None = None
        self._results_order = ""
        # What the query matched in feed order, when known: relevance ranks it again on every
        # keystroke, and ties must fall in feed order as `readlist list --sort relevance` has.
        self._matched: list[Entry] | None = None
        self.saved_views: list[SavedView] = []  # what `R` left, for Esc to go back to
        self._results_version = -1
        self._generation = 0
        self._compact_timer: Timer | None = None
        self._refresh_error: str | None = None
        self._slice_cache: tuple[list[Entry], list[list[Entry]]] | None = None
        self._frames_held: Timer | None = None  # see `_hold_frames`
        self._collector = CollectorHold()  # off from a keystroke to its result's frame
        self._hold_token: object | None = None  # the collector hold in force (`_hold_frames`)
        # The library list searched in slices, and each slice's positions matched (`_search`).
        self._slice_positions: tuple[list[Entry], list[list[int]]] | None = None
        self._detail_after_frame = False  # the next highlight comes from a new search result
        self._pending_detail: tuple[Entry | None] | None = None
        # Set by the warm-up once the saved index is loaded (or there is none): searches wait.
        self._index_loaded = threading.Event()
        self._warming = False

    def compose(self) -> ComposeResult:
        yield SearchBar(id="search")
        with Horizontal(id="panes"):
            yield PaperList(id="list")
            yield DetailPane(id="detail")
            yield Welcome(id="welcome")
        yield StatusBar(id="status")
        yield KeyFooter(compact=True)

    @property
    def paper_list(self) -> PaperList:
        return self.query_one(PaperList)

    @property
    def detail(self) -> DetailPane:
        return self.query_one(DetailPane)

    @property
    def search_bar(self) -> SearchBar:
        return self.query_one(SearchBar)

    @property
    def current(self) -> Entry | None:
        return self.paper_list.current

    def on_mount(self) -> None:
        if self.focused is None:
            # AUTO_FOCUS waits for the app to have the terminal's focus, which a browser tab
            # (`readlist serve`) reports only later; at once, and only if a `/` took nothing.
            self.set_focus(self.paper_list)
        self._show_all(keep_id=None)
        self.search_bar.on_edit = self._hold_frames
        self.set_interval(REFRESH_INTERVAL_S, self._poll_library)
        if WARM_DELAY_S > 0:
            self.set_timer(WARM_DELAY_S, self._start_warm_up)
        else:  # a timer of 0 s fails in Textual 8 (it divides by its interval)
            self._warming = True  # a search typed before the warm-up starts waits for it too
            self.call_after_refresh(self._start_warm_up)
        if self.config.fetch.fetch_on_start:
            self.call_after_refresh(self.action_fetch)  # after the first paint, never before

    def on_unmount(self) -> None:
        helper = self._search_helper()
        if helper is not None:
            helper.close()
        self._release_frames()
        self.cancel_fetch(quiet=True)
        self._stop_change_thread()

    def _start_warm_up(self) -> None:
        self._warming = True  # from now on a search waits for `_index_loaded`
        helper = self._search_helper()
        # While the helper answers, the load here steps aside for each search's own work.
        search_index().yield_while_loading = helper is not None and helper.running
        self._warm_search_cache()

    @work(thread=True, exclusive=True, group="warm", description="warm search cache")
    def _warm_search_cache(self) -> None:
        """Load or build the search index while the user is still looking at the list.

        The tokens saved by the last session load in ~0.3 s at 100,000 papers, and searches
        wait for them (`_index_ready`). Papers that are new or changed since are tokenised after
        that: until they are, searches scan their text (all of them in the first session after
        an import: ~0.1 s a search at 10,000 papers, ~0.7 s at 100,000).
        """
        try:
            gc.freeze()  # the loaded library lives as long as the app (see below)
            prepare(self.library.entries(), cache_key=self.library.path, loaded=self._index_taken)
        finally:
            self._index_loaded.set()
        # The library's entries and the index are ~300,000 GC-tracked objects at 100,000 papers:
        # a full collection rescanned them all (~90 ms, landing on a random keystroke). Frozen,
        # the collector skips them; they are freed by reference counting as before.
        gc.freeze()
        entries = self.library.entries()
        index, worker = search_index(), get_current_worker()
        # What ranking reads of each slice (of the whole list, for a small library), while
        # searches rest.
        for part in self._library_parts(entries):
            index.wait_for_quiet()
            if worker.is_cancelled or entries is not self.library.entries():
                break  # (ranking reads the rest when it needs them)
            rank_fields(search_rows(part))
        gc.freeze()
        self._postings_for_library(lambda: worker.is_cancelled)
        gc.freeze()

    def _postings_for_library(self, cancelled: Callable[[], bool]) -> None:
        """Give the rows a search of the library walks (each slice, or the whole list) their
        postings, and the ranking's sample too (~0.15 s a slice of 4,000, in steps that wait
        for searches to rest): from then on the first letters of a word are found from them.
        Each slice's rows get their ranking layout after their postings (~12 ms a slice: see
        `RankLayout`). Runs in a worker thread; stops if the library's papers change (see
        `_refresh_postings`) or `cancelled` says so. A star or a note changes only the entries:
        the next slice is taken from the library's new list (the rows of the same papers keep
        their postings and layout)."""
        index, version = search_index(), self.library.version
        for number in count():
            index.wait_for_quiet()
            entries = self.library.entries()
            if cancelled() or self.library.version != version:
                return
            parts = self._library_parts(entries)
            if number >= len(parts):
                break
            rows = search_rows(parts[number])
            build_postings(rows, index.wait_for_quiet)
            index.wait_for_quiet()
            prepare_layout(rows)
        if entries:
            prepare_ranking(entries, index.wait_for_quiet)

    @work(thread=True, exclusive=True, group="postings", description="search postings")
    def _refresh_postings(self) -> None:
        """The library's papers changed (an import, another process): tokens for its new papers
        and postings for its new slices, once searches rest (the warm-up did both for the papers
        and slices it had). A search tokenises up to 256 new papers of a slice itself; without
        this, an import of more read their text on every search until the next session."""
        worker = get_current_worker()
        index = search_index()
        if index.warm:  # (else the warm-up's own `add` is still at it)
            index.add(self.library.entries(), cache_key=self.library.path)
        self._postings_for_library(lambda: worker.is_cancelled)

    def _index_taken(self) -> None:
        """The saved index is in: before searches stop waiting for it, build the rows a search
        of the whole library walks (its slices: ~0.1 s at 100,000 papers), as loaded: the
        first search would otherwise build them itself, looking each paper up, and before the
        warm-up files each paper's record, find none and read every text."""
        try:
            if self._warming:
                entries = self.library.entries()
                with gc_paused():
                    if len(entries) > SMALL_SCAN:  # searched in slices
                        for number, part in enumerate(self._slices(entries)):
                            search_rows(part, start=number * SEARCH_SLICE)
                    else:
                        search_rows(entries, start=0)
        finally:
            self._index_loaded.set()
            helper = self._search_helper()
            if helper is not None:
                helper.close()  # searches are answered here from now on

    # ---- showing papers ------------------------------------------------------------------

    def _effective_text(self) -> str:
        clause = FILTERS[self.filter_index][1]
        return f"{clause} {self.query_text}".strip()

    def _show_all(self, keep_id: str | None) -> None:
        """Show the whole library (no query, no filter): a copy, so rows can be replaced."""
        self._generation += 1
        self.workers.cancel_group(self, "search")
        self.current_query = parse_query("")
        self.by_relevance = True  # the next query with words is ranked again
        self._set_results(self._sorted(self.library.entries()), self.current_query, keep_id)

    def _hold_frames(self) -> None:
        """The query text just changed: paint nothing until its result is ready, or for
        `HOLD_FRAMES_S` at most. A frame with only the new text (8-13 ms at 120x40, ~4 of them
        while a search of 100,000 papers yields between slices) delayed the result's frame."""
        if self._collector.hold():  # until the result's frame, or `HOLD_COLLECTOR_S` at most
            # Its own backstop ends only this hold: a timer of an earlier key, whose frame ended
            # its hold, fired inside a later key and let a collection in (7 ms, traced).
            token = self._hold_token = object()
            self.set_timer(HOLD_COLLECTOR_S, lambda: self._end_hold(token))
        if self._frames_held is None:
            self.app._begin_batch()
            self._frames_held = self.set_timer(HOLD_FRAMES_S, self._frames_timed_out)

    def _end_hold(self, token: object) -> None:
        """The backstop of the hold `token` names: release the GC if that hold still runs."""
        if token is self._hold_token:
            self._collector.release()

    def _frames_timed_out(self) -> None:
        """No result within `HOLD_FRAMES_S`: paint the new text, and go on holding the GC off
        for the result (a collection walked its lists: 5-8 ms inside a 200 ms search)."""
        self._release_frames(keep_collector=True)

    def _release_frames(self, keep_collector: bool = False) -> None:
        """Let frames paint again; the GC runs again too, unless a result is about to be
        painted (`_paint_now` lets it run after that frame)."""
        if not keep_collector:
            self._collector.release()
        held, self._frames_held = self._frames_held, None
        if held is not None:
            held.stop()
            self.app._end_batch()
            if self._pending_detail is not None:  # put off while frames were held
                self.call_after_refresh(self._show_pending_detail)

    def _set_results(
        self,
        results: list[Entry],
        query: Query,
        keep_id: str | None,
        matched: list[Entry] | None = None,
    ) -> None:
        self._release_frames(keep_collector=True)
        self._slice_positions = None  # `_search` sets them again for a search in slices
        self.results = results
        self._results_query = query
        self._results_order = self.order_for(query)
        self._matched = matched
        self._results_version = self.library.version
        self.set_class(len(self.library) == 0, "-empty")
        self._detail_after_frame = True
        self.paper_list.set_entries(results, query.words, keep_id)
        self._update_status()
        self._take_refreshes()
        self.call_later(self._paint_now)

    def _take_refreshes(self) -> None:
        """Put the list and status line among the widgets the next frame draws.

        A widget's refresh reaches the screen at that widget's next idle, a turn later: a frame
        painted meanwhile (this screen's tick, or `_paint_now`) showed the new count above the
        old rows, drawn a frame later (15-30 ms at 100,000 papers)."""
        for widget in (self.paper_list, self.query_one(StatusBar)):
            if widget._repaint_required and widget.display:
                widget._repaint_required = False
                self._dirty_widgets.add(widget)
                self.check_idle()  # as the screen does for a refresh that reaches it

    def _paint_now(self) -> None:
        """Paint the new list at once (after the updates it queued for this screen).

        Waiting for the screen's next 60 fps tick cost 10-30 ms a search. This is what the tick
        does (`Screen._on_timer_update`, Textual 8), called early.
        """
        if self.is_current and not self.app._batch_count:
            self._on_timer_update()
        self._collector.release()  # the result is on screen: collect after it, not before

    def _update_status(self) -> None:
        related = self.related_to
        active = self._effective_text() != "" or related is not None
        self.query_one(StatusBar).show(
            self.library.counts(),
            len(self.results) if active else None,
            FILTERS[self.filter_index][0],
            self.library.read_only,
            sort=SORT_NAMES.get(self.order_for(self.current_query), "feed order"),
            activity=self.activity,
            related_to=related.paper.title if related is not None else None,
            saved_search=self.saved_search_in_use(),
        )

    def request_search(self) -> None:
        """Parse the query; show its error and keep the last good results, or start a search."""
        text = self._effective_text()
        keep = self.current.id if self.current else None
        try:
            query = parse_query(text)
        except QueryError as error:
            self._release_frames()
            self.search_bar.set_error(str(error))
            return
        self.search_bar.set_error(None)
        if query.is_empty:
            self._show_all(keep)
            return
        if not query.words:
            self.by_relevance = True  # the next query with words is ranked again
        order = self.order_for(query)
        if order == RELEVANCE and query != self.current_query:
            keep = None  # a new ranking: the best match first, under the cursor
        self._generation += 1
        self.current_query = query
        previous = self._results_query
        base: list[Entry] | None = None
        within: tuple[list[Entry], list[list[int]]] | None = None
        if (
            previous is not None
            and not previous.is_empty  # the whole library: search its own list, whose rows
            # the query module keeps (narrowing our copy of it rebuilt them: ~15 ms at 10,000)
            and self._results_version == self.library.version
            and query.narrows(previous)
        ):
            held = self._slice_positions
            if held is not None and held[0] is self.library.entries():
                within = held  # the library's slices, testing only what matched before
            elif order == RELEVANCE:
                base = self._matched  # ranked again below, from feed order
            elif order == self._results_order:
                base = self.results  # already in this order
        self._search(self._generation, query, base, keep, within, text)

    @work(exclusive=True, group="search", description="search")
    async def _search(
        self,
        generation: int,
        query: Query,
        base: list[Entry] | None,
        keep_id: str | None,
        within: tuple[list[Entry], list[list[int]]] | None = None,
        text: str = "",
    ) -> None:
        """Search in slices on the UI thread, yielding between them.

        A newer keystroke cancels this worker at the next slice, and the event loop stays free
        for keys; unlike a thread, this never fights the UI for the GIL (a 12 ms search at 10,000
        papers took 80 ms in a thread while the screen repainted).
        """
        helped = None
        if query.has_text and base is None:  # the whole library
            helped = await self._helped(query, within, text)
        if query.has_text and helped is None:
            await self._index_ready()
        version = self.library.version
        entries = self.library.entries() if base is None else base
        found: list[Entry] = []
        positions: list[list[int]] | None = None
        located: list[tuple[Rows, list[int]]] = []  # each slice's rows and positions matched
        if helped is not None:
            positions = helped[0]
            for part, kept in zip(self._slices(entries), positions, strict=True):
                found += picked(part, kept)
        elif base is None and query.has_text:
            # The library in slices (a small one in one piece: `_library_parts`); each slice's
            # matches are kept as positions, so that the next, narrower query tests only those,
            # on the rows (and postings) the slice already has.
            positions = []
            earlier = within[1] if within is not None and within[0] is entries else None
            for index, part in enumerate(self._library_parts(entries)):
                if index:
                    await asyncio.sleep(0)
                rows = search_rows(part)
                kept = positions_in(rows, query, None if earlier is None else earlier[index])
                located.append((rows, kept))  # (ranking reads the same rows)
                positions.append(kept)
                found += picked(part, kept)
        elif len(entries) <= SMALL_SCAN:
            # Yielding would let a frame with only the input's new text paint (a reflow, ~15 ms)
            # before the result's frame: one scan and one frame is sooner.
            found = search(entries, query)
        else:
            for index, part in enumerate(self._slices(entries)):
                if index:
                    await asyncio.sleep(0)
                found += search(part, query)
        order = self.order_for(query)
        matched: list[Entry] | None = None
        if order == RELEVANCE:
            matched = found
            if helped is None:  # (`located` is known for the library's slices)
                found = rank(found, query, self.library.entries(), located or None)
            elif helped[1] is not None:  # (None: `rank` keeps feed order)
                found = list(map(matched.__getitem__, helped[1]))
        elif base is None:
            matched = found
            found = sort_entries(found, order)  # a narrowed result keeps the order it had
        elif order == "feed":
            matched = found
        self._search_done(generation, query, found, version, keep_id, matched)
        if helped is not None:
            search_index().busy()  # the warm-up's load waits for this result's frame too
        if generation == self._generation and positions is not None:
            self._slice_positions = (entries, positions)

    @staticmethod
    def helper_for(library: Library) -> SearchHelper | None:
        """A search helper for `library` if it is searched in slices (see `_helped`)."""
        return SearchHelper.start(library, SEARCH_SLICE) if len(library) > SMALL_SCAN else None

    def _search_helper(self) -> SearchHelper | None:
        helper = getattr(self.app, "search_helper", None)
        return helper if isinstance(helper, SearchHelper) else None

    async def _helped(
        self, query: Query, within: tuple[list[Entry], list[list[int]]] | None, text: str
    ) -> Answer | None:
        """The library's matches from the app's search helper while the saved index is still
        loading here (see `core.search.helper`); None where it cannot answer."""
        helper = self._search_helper()
        version = self.library.version
        if (
            helper is None
            or not helper.running
            or self._index_loaded.is_set()
            or helper.version != version
        ):
            return None
        entries = self.library.entries()
        if len(entries) <= SMALL_SCAN:
            return None
        ranked = self.order_for(query) == RELEVANCE
        earlier = within[1] if within is not None and within[0] is entries else None
        search_index().busy()  # the warm-up's load waits for this search
        answer = await asyncio.to_thread(helper.ask, text, ranked, earlier)
        search_index().busy()
        if answer is None or self.library.version != version:
            return None
        if len(answer[0]) != len(self._slices(entries)):  # sliced otherwise when it was forked
            return None
        return answer

    async def _index_ready(self) -> None:
        """Wait (without blocking keys) while the warm-up loads the index the last session
        saved: at 100,000 papers that takes ~0.3 s, a scan of the text 0.85-1.2 s. A small
        library waits too: its scan, which lower-cases every text while the load holds the
        GIL, was the slower of the two at every size measured (a search typed at the first
        paint: 82-127 -> 62-96 ms at 1,000 papers, 224-255 -> 86-97 ms at 10,000)."""
        if not self._warming:
            return
        deadline = time.monotonic() + INDEX_WAIT_S
        index = search_index()
        while not self._index_loaded.is_set() and time.monotonic() < deadline:
            if not index.yield_while_loading:  # (else the load would wait for this wait)
                index.busy()  # once loaded, the warm-up's next steps wait for this search
            await asyncio.sleep(0.005)

    def _library_parts(self, entries: list[Entry]) -> list[list[Entry]]:
        """The lists a search of the library `entries` walks, each with its own rows (and, once
        the warm-up built them, postings and ranking layout): its slices, or the whole list of
        a library searched in one piece."""
        return self._slices(entries) if len(entries) > SMALL_SCAN else [entries]

    def _slices(self, entries: list[Entry]) -> list[list[Entry]]:
        """`entries` in slices, the same slice objects each time for the same list.

        The query module caches lower-cased texts per list object, so reusing slices keeps a
        search of the whole library as fast as one call (new slices each time cost ~60% more).
        """
        if len(entries) <= SEARCH_SLICE:
            return [entries]
        cached = self._slice_cache
        if cached is not None and cached[0] is entries:
            return cached[1]
        slices = [entries[i : i + SEARCH_SLICE] for i in range(0, len(entries), SEARCH_SLICE)]
        self._slice_cache = (entries, slices)
        return slices

    async def search_settled(self, timeout: float = 2.0) -> None:
        """Return once the search of the bar's text is shown (at most `timeout` seconds)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while any(w.group == "search" and w.is_running for w in self.workers):
            if asyncio.get_running_loop().time() > deadline:
                return
            await asyncio.sleep(0.005)

    def _search_done(
        self,
        generation: int,
        query: Query,
        found: list[Entry],
        version: int,
        keep_id: str | None,
        matched: list[Entry] | None,
    ) -> None:
        if generation != self._generation:
            return  # a newer search has started; its result will be shown instead
        if version != self.library.version:
            self.request_search()  # the library changed while searching: search again
            return
        self._set_results(found, query, keep_id, matched)

    def _papers_changed(self) -> None:
        """The library's papers changed (an import, a fetch, another process): index what is
        new in the background (see `_refresh_postings`) and show the library again."""
        if self._index_loaded.is_set():
            self._refresh_postings()
        self._reload()

    def _reload(self) -> None:
        """Show the library again after it changed (or its order did: `S`)."""
        if self.related_to is not None:
            self.refresh_related()
            return
        keep = self.current.id if self.current else None
        if self._effective_text():
            self.request_search()
        else:
            self._show_all(keep)

    @on(PaperList.Highlighted)
    def _highlighted(self, event: PaperList.Highlighted) -> None:
        if self._detail_after_frame:
            # A new search result: paint the list first, then the detail (a new abstract there
            # can change heights and cost a reflow, which then delayed the list's frame).
            self._detail_after_frame = False
            self._pending_detail = (event.entry,)
            self.call_after_refresh(self._show_pending_detail)
            return
        self._pending_detail = None
        self.detail.show(event.entry, self.current_query.words)

    def _show_pending_detail(self) -> None:
        if self._frames_held is not None:
            # Another key was typed: its result comes first, then the detail of that (drawing
            # this one, 10-40 ms at 100,000 papers, landed in the next result's frame).
            return
        pending, self._pending_detail = self._pending_detail, None
        if pending is not None:  # else the cursor moved since, and the detail shows that
            self.detail.show(pending[0], self.current_query.words)

    @on(PaperList.Opened)
    def _opened(self) -> None:
        self.action_open()

    @on(SearchBar.Changed)
    def _query_changed(self, event: SearchBar.Changed) -> None:
        self.leave_related_views()
        self.query_text = event.text
        self.request_search()

    @on(SearchBar.Cleared)
    def _query_cleared(self) -> None:
        self.leave_related_views()
        self.query_text = ""
        self.request_search()
        self.paper_list.focus()

    @on(DetailPane.LinkClicked)
    def _note_link_clicked(self, event: DetailPane.LinkClicked) -> None:
        self._open_url(event.url)

    def after_change(self, entry: Entry) -> None:
        """Redraw what shows `entry` and schedule folding the journal into the library file."""
        shown = self.paper_list.replace_entry(entry)
        if self.detail.entry is not None and self.detail.entry.id == entry.id:
            self.detail.show(entry, self.current_query.words)
        if shown and self._results_version == self.library.version - 1:
            # The only change is to a shown row, now current: the next keystroke may still narrow
            # this list (a paper not shown may now match, so otherwise it searches everything).
            self._results_version = self.library.version
        self._update_status()
        self._schedule_compact()

    @work(thread=True, exclusive=True, group="refresh", description="refresh")
    def _poll_library(self) -> None:
        """Pick up other processes' changes off the UI thread (a re-read can take a while)."""
        try:
            changed = self.library.refresh()
        except LibraryError as error:
            if str(error) != self._refresh_error:  # once, not every second
                self._refresh_error = str(error)
                self.app.call_from_thread(self.notify, str(error), severity="error", markup=False)
            return
        self._refresh_error = None
        if changed:
            self.app.call_from_thread(self._papers_changed)

    # ---- opening, sorting, filtering ---------------------------------------------------

    def action_open(self) -> None:
        entry = self.current
        if entry is None:
            return
        if self.config.mark_read_on_open and not entry.state.read:
            self._change("mark read", ("read",), lambda e: self.library.set_read(e.id, True))
        self.detail.focus()
        if self.has_class("-narrow"):
            self.add_class("-show-detail")
            self.detail.border_subtitle = "esc: back to the list"

    def action_cycle_filter(self) -> None:
        self.leave_related_views()
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        self.notify(f"Showing: {FILTERS[self.filter_index][0]}", timeout=1.5)
        self.request_search()
