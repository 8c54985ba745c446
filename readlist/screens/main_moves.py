"""The main screen's moves between panes and papers: search bar, detail, back, next unread.

A mixin of `MainScreen`, kept apart so each file stays small.
"""

from __future__ import annotations

from textual.screen import Screen

from readlist.widgets.detail import DetailPane
from readlist.widgets.paper_list import PaperList
from readlist.widgets.search_bar import SearchBar


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
        self.action_back_to_list()
        self.query_one(SearchBar).input.focus()

    def action_switch_pane(self) -> None:
        if self.query_one(PaperList).has_focus:
            self.action_open()
        else:
            self.action_back_to_list()

    def action_back_to_list(self) -> None:
        self.remove_class("-show-detail")
        self.query_one(DetailPane).border_subtitle = ""
        self.query_one(PaperList).focus()

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
