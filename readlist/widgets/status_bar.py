"""The status line: how many papers, how many unread and starred, and what is shown."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from readlist.core.library import Counts
from readlist.core.text import plural

RELATED_TITLE = 50  # characters of the title the related papers view names


def status_text(
    counts: Counts,
    shown: int | None,
    filter_name: str,
    read_only: bool,
    sort: str = "feed order",
    activity: str = "",
    related_to: str | None = None,
    saved_search: str = "",
) -> str:
    """`86 papers · 80 unread · 3 starred`, then `12 of 86` while a search or filter is active
    (`20 related to "Title"` in the related papers view, and `search: NAME` while a saved search
    is), then what a running fetch is doing
    (counts grouped by thousands: `12,480 papers`; `1 paper`)."""
    parts = [
        plural(counts.total, "paper"),
        f"{counts.unread:,} unread",
        f"{counts.starred:,} starred",
    ]
    if related_to is not None:
        title = " ".join(related_to.split())
        title = title if len(title) <= RELATED_TITLE else title[: RELATED_TITLE - 1] + "…"
        parts.append(f'{shown or 0:,} related to "{title}"')
    elif shown is not None:
        parts.append(f"{shown:,} of {counts.total:,}")
    if saved_search:
        parts.append(f"search: {saved_search}")
    if read_only:
        parts.append("READ-ONLY")  # before filter and sort, so a narrow terminal never cuts it
    if related_to is None and filter_name != "all":
        parts.append(f"filter: {filter_name}")
    if related_to is None and sort != "feed order":
        parts.append(f"sorted: {sort}")
    if activity:
        parts.append(activity)
    return " · ".join(parts)


class StatusBar(Static):
    """One line under the panes; updated by the main screen after every change or search."""

    _shown = ""

    def show(
        self,
        counts: Counts,
        shown: int | None,
        filter_name: str = "all",
        read_only: bool = False,
        sort: str = "feed order",
        activity: str = "",
        related_to: str | None = None,
        saved_search: str = "",
    ) -> None:
        text = status_text(
            counts, shown, filter_name, read_only, sort, activity, related_to, saved_search
        )
        if text != self._shown:
            self._shown = text
            self.update(Text(text, end=""), layout=False)  # one fixed line: no layout pass
