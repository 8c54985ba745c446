"""The main screen's triage: every shown paper marked read or unread at once (`M`, `U`), undone
as one step, and the saved searches of the config's `[searches]` on the keys 1-9.

A mixin of `MainScreen`. Its keys are priority bindings that wait for what they start (the
dialog mounted, the saved search's results shown) before the app reads the next key, so keys
typed in a burst (`1`, `M`, `y`) act on what the keys before them showed, not on what the screen
showed a moment earlier. In the search bar they are letters and digits.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from textual.actions import SkipAction
from textual.binding import Binding
from textual.widgets import Input
from textual.worker import WorkerCancelled, WorkerFailed

from readlist.config import Config, SavedSearch
from readlist.core.library import Library
from readlist.core.models import Entry
from readlist.core.search.query import Query
from readlist.core.text import plural
from readlist.screens.confirm import ConfirmDialog
from readlist.screens.main_changes import ChangeActions
from readlist.screens.main_keys import SEARCH_BINDINGS
from readlist.undo import GroupUndoStep, group_step
from readlist.widgets.detail import DetailPane
from readlist.widgets.paper_list import PaperList
from readlist.widgets.search_bar import SearchBar

Row = tuple[str, str, str, str]
"""A key table row (keys shown, description, where the action runs, action), as app.py's."""

Batch = tuple[GroupUndoStep | None, list[Entry]]
"""(the step that undoes a change to many papers, if any changed; the entries after it)."""


def search_title(search: SavedSearch) -> str:
    """How the palette and the help screen name a saved search."""
    return f"Search: {search.name} ({search.query})"


def saved_search_rows(config: Config, keys_for: Callable[[Binding], str]) -> list[Row]:
    """Key table rows for the saved searches, one each (keys 1-9 for the first nine, then none),
    or one row saying where to add them when there are none."""
    if not config.searches:
        hint = "Saved searches: add them under [searches] in the config file"
        return [("1-9", hint, "screen", "saved_search(1)")]
    rows: list[Row] = []
    for number, search in enumerate(config.searches, start=1):
        keys = keys_for(SEARCH_BINDINGS[number - 1]) if number <= len(SEARCH_BINDINGS) else ""
        rows.append((keys, search_title(search), "screen", f"saved_search({number})"))
    return rows


class TriageActions(ChangeActions):
    """Mark every shown paper, and the saved searches."""

    library: Library
    config: Config
    query_text: str
    current_query: Query
    _results_version: int
    _saved_search: SavedSearch | None = None

    def _update_status(self) -> None:
        raise NotImplementedError  # MainScreen's

    def request_search(self) -> None:
        raise NotImplementedError  # MainScreen's

    if TYPE_CHECKING:  # MoveActions' (a stub here would hide it: this class comes first)

        def action_back_to_list(self) -> None: ...

    def _only_in_list_or_detail(self) -> None:
        """In the search bar (or with nothing focused) the key is a letter or digit, not ours."""
        if not (self.query_one(PaperList).has_focus or self.query_one(DetailPane).has_focus):
            raise SkipAction()

    # ---- marking every shown paper -----------------------------------------------------

    async def action_mark_all_read(self) -> None:
        """Mark every shown paper read; when all of them are, offer to mark them unread."""
        await self._mark_all(read=True)

    async def action_mark_all_unread(self) -> None:
        await self._mark_all(read=False)

    async def _mark_all(self, read: bool) -> None:
        self._only_in_list_or_detail()
        await self._search_finished()
        shown = list(self.query_one(PaperList).entries)
        if not shown:
            self.notify("No papers shown: nothing to mark", severity="warning")
            return
        one = len(shown) == 1
        papers = "the shown paper" if one else f"all {len(shown):,} shown papers"
        already = sum(1 for entry in shown if entry.state.read == read)
        if already == len(shown) and read:
            read, already = False, 0
            question = f"{papers.capitalize()} {'is' if one else 'are'} read. Mark "
            question += "it unread?" if one else "them unread?"
        elif already == len(shown):
            self.notify(f"Nothing to mark: {papers} {'is' if one else 'are'} unread already")
            return
        else:
            question = f"Mark {papers} {'read' if read else 'unread'}?"
            if already:
                question += f" ({already:,} already {'is' if already == 1 else 'are'})"
        ids = [entry.id for entry in shown]

        def answered(yes: bool | None) -> None:
            if yes:
                self._mark(ids, read)

        await self.app.push_screen(ConfirmDialog(question), answered)

    def _mark(self, ids: list[str], read: bool) -> None:
        """Mark the papers through the library in one write, then record one undo step."""
        fields = {"read": read}  # one dict for all: the library checks and encodes it once
        word = "read" if read else "unread"

        def work() -> Batch:
            """Off the UI thread, the undo step too: 100,000 papers are a lot of Python."""
            library = self.library
            befores = [library.get(i) for i in ids if i in library]  # none gone, but if one is
            befores = [entry for entry in befores if entry.state.read != read]
            description = f"marking {plural(len(befores), 'paper')} {word}"
            step = group_step(befores, description, ("read",))
            return step, library.update_states({entry.paper.id: fields for entry in befores})

        def done(batch: Batch) -> None:
            step, after = batch
            if step is not None:
                self.undo_stack.push(step)
            self.after_changes(after)
            skipped = len(ids) - len(after)
            note = f" ({skipped:,} already {'was' if skipped == 1 else 'were'})" if skipped else ""
            self.notify(f"Marked {plural(len(after), 'paper')} {word}{note}; u undoes it")

        def failed(error: Exception) -> None:
            self.notify(f"Not saved: {error}", severity="error", markup=False)

        busy = f"Marking {plural(len(ids), 'paper')} {word}: shown when saved"
        self._run_change(work, done, failed, busy_message=busy)

    def _undo_group(self, step: GroupUndoStep) -> None:
        """Put back every paper of a grouped step in one write (one undo step, one fsync)."""

        def work() -> list[Entry]:
            return self.library.update_states(step.previous)

        def done(after: list[Entry]) -> None:
            self.after_changes(after)
            self.notify(f"Undid {step.description}", markup=False)

        def failed(error: Exception) -> None:
            self._undo_failed(step, error)

        busy = f"Undoing {step.description}: shown when saved"
        self._run_change(work, done, failed, busy_message=busy)

    def after_changes(self, entries: list[Entry]) -> None:
        """Redraw what shows these entries (as `after_change` does for one) in one pass."""
        by_id: Mapping[str, Entry] = {entry.paper.id: entry for entry in entries}
        shown = self.query_one(PaperList).replace_entries(by_id)
        detail = self.query_one(DetailPane)
        if detail.entry is not None and detail.entry.id in by_id:
            detail.show(by_id[detail.entry.id], self.current_query.words)
        if shown and self._results_version == self.library.version - 1:
            self._results_version = self.library.version  # only shown rows changed
        self._update_status()
        self._schedule_compact()

    async def _search_finished(self) -> None:
        """Wait for a search started by an earlier key (a saved search typed just before)."""
        for _ in range(3):  # a search that met a library change starts once more
            running = [
                w
                for w in self.workers
                if w.node is self and w.group == "search" and not w.is_finished
            ]
            if not running:
                return
            for worker in running:
                with contextlib.suppress(WorkerCancelled, WorkerFailed):
                    await worker.wait()

    # ---- saved searches ------------------------------------------------------------------

    def action_saved_search(self, number: int) -> None:
        """Search the `number`th saved search (1-based, file order)."""
        self._only_in_list_or_detail()
        searches = self.config.searches
        if not 1 <= number <= len(searches):
            self.notify(
                f"No saved search on {number}: add one under [searches] in the config file",
                severity="warning",
                markup=False,
            )
            return
        search = searches[number - 1]
        if search.error is not None:
            self.notify(
                f"Saved search {search.name!r} does not parse: {search.error}",
                severity="error",
                markup=False,
            )
            return
        search_input = self.query_one(SearchBar).input
        with search_input.prevent(Input.Changed):  # searched here and now, not once more later
            search_input.value = search.query
        search_input.cursor_position = len(search.query)
        self.query_text = search.query
        self._saved_search = search
        self.action_back_to_list()
        self.request_search()

    def saved_search_in_use(self) -> str:
        """The name of the saved search shown, until the query changes."""
        search = self._saved_search
        if search is not None and search.query != self.query_text:
            self._saved_search = search = None
        return "" if search is None else search.name
