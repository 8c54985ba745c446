"""The main screen's moves between panes and papers: search bar, detail, back, next unread.

A mixin of `MainScreen`, kept apart so each file stays small.
"""

from __future__ import annotations

import asyncio

from textual.actions import SkipAction
from textual.screen import Screen
from textual.widget import Widget

from readlist.widgets.detail import DetailPane
from readlist.widgets.paper_list import PaperList
from readlist.widgets.search_bar import SearchBar


async def _drained(node: Widget) -> None:
    """Return once `node` has handled the messages queued at it now."""
    done = asyncio.Event()
    node.call_later(done.set)
    await done.wait()


class MoveActions(Screen[None]):
    """Focus and pane changes; none of them changes the library."""

    query_text: str

    def action_open(self) -> None:
        raise NotImplementedError  # MainScreen's (it may mark the paper read)

    def cancel_fetch(self) -> bool:
        raise NotImplementedError  # FetchActions'

    def leave_related_view(self) -> bool:
        raise NotImplementedError  # ViewActions'

    def action_focus_search(self) -> None:
        """Give the search bar the focus before the app reads the key after `/`.

        The app hands each key to the widget focused when it reads the key, and reads all the
        keys of one burst (a paste, a fast typist, tmux send-keys) before a widget handles the
        first. So `/` is a priority binding (it runs as the app reads it) and the focus moves
        now, not at the loop's next turn as `Widget.focus()` would move it; else the query
        went to the list as commands. In the search bar `/` is just a character.
        """
        search = self.query_one(SearchBar).input
        if self.focused is search:
            raise SkipAction()
        self._leave_detail()
        self.set_focus(search)

    async def action_search_done(self) -> None:
        """Enter in the search bar: back to the list keeping the search, before the keys after
        it are read (a priority binding, as `/`); elsewhere Enter does what it does there.

        The keys typed before Enter may still be queued at the bar: the app reads no further
        key until the bar has taken them and their search is shown, so `j` after Enter moves
        in the results, not in the list as it was.
        """
        bar = self.query_one(SearchBar)
        if self.focused is not bar.input:
            raise SkipAction()
        for _ in range(2):  # a key's text travels input -> bar -> screen, one queue at a time
            for node in (bar.input, bar, self):
                await _drained(node)
        await self.search_settled()
        self.set_focus(self.query_one(PaperList))

    async def search_settled(self) -> None:
        raise NotImplementedError  # MainScreen's

    def action_search_cancel(self) -> None:
        """Esc in the search bar: back to the list at once, and clear the search once the bar
        has taken the keys typed before Esc (they are queued at the bar, not yet in it)."""
        search = self.query_one(SearchBar)
        if self.focused is not search.input:
            raise SkipAction()
        search.input.call_later(search.action_clear)
        self.set_focus(self.query_one(PaperList))

    def action_switch_pane(self) -> None:
        if self.query_one(PaperList).has_focus:
            self.action_open()
        else:
            self.action_back_to_list()

    def action_back_to_list(self) -> None:
        self._leave_detail()
        self.query_one(PaperList).focus()

    def _leave_detail(self) -> None:
        """Show the list again on a narrow screen (the detail covered it)."""
        self.remove_class("-show-detail")
        self.query_one(DetailPane).border_subtitle = ""

    def action_back(self) -> None:
        if self.cancel_fetch():  # Esc stops a running fetch first
            return
        if self.has_class("-show-detail") or not self.query_one(PaperList).has_focus:
            self.action_back_to_list()
        elif self.leave_related_view():
            pass  # back from the related papers to the list shown before
        elif self.query_text:
            self.query_one(SearchBar).action_clear()

    def action_next_unread(self) -> None:
        entries = self.query_one(PaperList).entries
        start = self.query_one(PaperList).cursor
        count = len(entries)
        for step in range(1, count + 1):
            index = (start + step) % count
            if not entries[index].state.read:
                self.query_one(PaperList).move_to(index)
                return
        self.notify("No unread papers in this list")
