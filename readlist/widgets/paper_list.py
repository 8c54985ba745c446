"""The paper list: a Line-API virtual list that draws only the rows on screen.

A library may hold 100,000 papers and a search replaces the shown list on every keystroke, so the
widget never builds a widget per row: `set_entries` stores the list and refreshes, and
`render_line` draws one row on demand. Titles come from feeds and are drawn as plain text (Rich
`Text` built from strings, never markup), so `[bold]x[/]` shows literally.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from math import ceil
from operator import is_not
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from readlist.core.models import Entry
from readlist.core.text import clean_text

STAR, UNREAD, NOTE, CODE = "★", "•", "✎", "⌥"
_MARKER_CELLS = 5  # four markers and a space
MAX_ROW_TITLE = 1_000  # characters of a title a row looks at: more never fits on a screen


def format_day(date: str | None, today: datetime.date | None = None) -> str:
    """`Mar 12` for this year, `Mar 12 '23` for another, blank when the feed gave no day."""
    if not date:
        return ""
    try:
        day = datetime.date.fromisoformat(date)
    except ValueError:
        return date[:10]
    this_year = (today or datetime.date.today()).year
    text = f"{day:%b} {day.day:>2}"
    return text if day.year == this_year else f"{text} '{day:%y}"


def highlight_words(text: Text, plain: str, words: Sequence[str], style: Style) -> None:
    """Style every occurrence of each (lower-case) word in `text`, whose plain text is `plain`."""
    lowered = plain.lower()
    if not words or len(lowered) != len(plain):
        return  # lower() changed lengths (rare scripts): offsets would be wrong, so skip
    for word in words:
        if not word:
            continue
        start = lowered.find(word)
        while start != -1:
            text.stylize(style, start, start + len(word))
            start = lowered.find(word, start + len(word))


def _thumb(size: int, window: int, rows: int, position: float) -> tuple[int, int] | None:
    """Where a vertical scrollbar `size` cells high draws its thumb, in eighths of a cell, for
    `rows` rows of which `window` are in view from `position` (as Textual 8.2's
    `ScrollBarRender.render_bar` computes it); None when there is no thumb to draw."""
    if not (0 < window < rows and size and size != rows):
        return None
    thumb = max(1, window / (rows / size))
    start = int((size - thumb) * (position / (rows - window)) * 8)
    return start, start + ceil(thumb * 8)


class PaperList(ScrollView, can_focus=True):
    """Every paper shown as one row, with its own cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Next paper", show=False, id="cursor_down"),
        Binding("k,up", "cursor_up", "Previous paper", show=False, id="cursor_up"),
        Binding("g,home", "first", "First paper", show=False, id="first"),
        Binding("G,end", "last", "Last paper", show=False, id="last"),
        Binding("pagedown", "page_down", "Page down", show=False, id="page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="page_up"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "paper-list--cursor",
        "paper-list--cursor-blurred",
        "paper-list--read",
        "paper-list--star",
        "paper-list--unread",
        "paper-list--note",
        "paper-list--code",
        "paper-list--tags",
        "paper-list--day",
        "paper-list--match",
        "paper-list--empty",
    }

    class Highlighted(Message):
        """The cursor moved to another paper (None: the list is empty)."""

        def __init__(self, entry: Entry | None) -> None:
            super().__init__()
            self.entry = entry

    class Opened(Message):
        """The user asked to open the paper under the cursor (double click)."""

        def __init__(self, entry: Entry) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._entries: Sequence[Entry] = ()
        self._words: tuple[str, ...] = ()
        self.cursor = 0
        self.empty_message = "No papers match."
        # Rows already drawn, keyed by the entry object (kept in the value, so its id is not
        # reused) and everything else a row's look depends on: a repaint of the whole screen
        # (any layout change) then costs the list nothing.
        self._row_cache: LRUCache[tuple[int, bool, bool, int, tuple[str, ...]], tuple[Entry, Strip]]
        self._row_cache = LRUCache(400)
        # The row style and component styles, computed once per style change rather than a few
        # times a row (`rich_style` walks every ancestor: ~40% of drawing a row).
        self._base_style: Style | None = None
        self._styles: dict[tuple[str, bool], Style] = {}

    @property
    def entries(self) -> Sequence[Entry]:
        """The papers shown, in order (do not mutate)."""
        return self._entries

    @property
    def current(self) -> Entry | None:
        """The paper under the cursor."""
        if 0 <= self.cursor < len(self._entries):
            return self._entries[self.cursor]
        return None

    @property
    def words(self) -> tuple[str, ...]:
        """The words and phrases the shown rows highlight: those of the query they answer."""
        return self._words

    def set_entries(
        self, entries: Sequence[Entry], words: Sequence[str] = (), keep_id: str | None = None
    ) -> None:
        """Show `entries`; the cursor stays on `keep_id` if it is still shown, else goes to the top.

        Cost is one scan for `keep_id` at most: rows are drawn only when they come on screen.
        """
        self._entries = entries
        self._words = tuple(words)
        cursor = 0
        if keep_id is not None:
            current = self.current
            if (
                current is not None
                and current.id == keep_id
                and self.cursor < len(entries)
                and entries[self.cursor].id == keep_id
            ):
                cursor = self.cursor
            if cursor == 0:
                cursor = next((i for i, e in enumerate(entries) if e.id == keep_id), 0)
        self._set_row_count(len(entries))
        self.cursor = cursor
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.Highlighted(self.current))

    def _set_row_count(self, rows: int) -> None:
        """Set the scrollable height without a layout pass of the whole screen.

        Assigning `virtual_size` reflows every widget (~13 ms a search at 120x40, most of it the
        detail pane); only the scrollbar depends on it. `_scroll_update` updates the scrollbar,
        and asks for a layout itself only when the scrollbar appears or disappears.
        """
        size = Size(self.size.width, rows)
        if size == self.virtual_size:
            return
        before = self.virtual_size.height
        self.set_reactive(PaperList.virtual_size, size)
        if self.show_vertical_scrollbar:
            bar = self.vertical_scrollbar
            drawn = _thumb(bar.size.height, bar.window_size, before, bar.position)
            if drawn is not None and drawn == _thumb(
                bar.size.height, bar.window_size, rows, bar.position
            ):
                # The bar stays, drawn the same (a redraw cost ~7 ms a search at 100,000
                # papers): only its count changes, and the scroll limit.
                bar.set_reactive(ScrollBar.window_virtual_size, rows)
                self.scroll_y = self.validate_scroll_y(self.scroll_y)
                return
        self._scroll_update(size)

    def replace_entry(self, entry: Entry) -> bool:
        """Redraw one paper whose state changed; False if it is not shown."""
        index = self.index_of(entry.id)
        if index is None:
            return False
        if isinstance(self._entries, list):
            self._entries[index] = entry
        else:
            self._entries = [*self._entries[:index], entry, *self._entries[index + 1 :]]
        self._refresh_row(index)
        if index == self.cursor:
            self.post_message(self.Highlighted(entry))
        return True

    def replace_entries(self, by_id: Mapping[str, Entry]) -> bool:
        """Redraw the shown papers among `by_id` (many at once: one pass, not one scan each);
        False if none is shown. The shown list is changed in place, as `replace_entry` does."""
        entries = self._entries if isinstance(self._entries, list) else list(self._entries)
        get = by_id.get
        new = [get(entry.paper.id, entry) for entry in entries]  # 100,000 rows: ~15 ms
        replaced = any(map(is_not, new, entries))
        entries[:] = new
        self._entries = entries
        if replaced:
            self.refresh()
            current = self.current
            if current is not None and current.paper.id in by_id:
                self.post_message(self.Highlighted(current))
        return replaced

    def index_of(self, paper_id: str) -> int | None:
        """Where a paper is shown, if it is (the cursor row is checked first)."""
        current = self.current
        if current is not None and current.id == paper_id:
            return self.cursor
        return next((i for i, e in enumerate(self._entries) if e.id == paper_id), None)

    def move_to(self, index: int) -> None:
        """Put the cursor on row `index` (clamped) and scroll it into view."""
        if not self._entries:
            return
        index = max(0, min(index, len(self._entries) - 1))
        if index == self.cursor:
            return
        old, self.cursor = self.cursor, index
        self._refresh_row(old)
        self._refresh_row(index)
        self._scroll_cursor_into_view()
        self.post_message(self.Highlighted(self.current))

    def _scroll_cursor_into_view(self) -> None:
        height = max(1, self.scrollable_content_region.height)
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def _refresh_row(self, index: int) -> None:
        if 0 <= index - round(self.scroll_y) < self.size.height:
            self.refresh_lines(index)

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(len(self._entries) - 1)

    def action_page_down(self) -> None:
        self.move_to(self.cursor + max(1, self.scrollable_content_region.height - 1))

    def action_page_up(self) -> None:
        self.move_to(self.cursor - max(1, self.scrollable_content_region.height - 1))

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self._entries))
        self._scroll_cursor_into_view()

    def on_focus(self) -> None:
        self._refresh_row(self.cursor)

    def on_blur(self) -> None:
        self._refresh_row(self.cursor)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = offset.y + round(self.scroll_y)
        if index < len(self._entries):
            self.move_to(index)
            if event.chain >= 2 and self.current is not None:
                self.post_message(self.Opened(self.current))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = y + round(self.scroll_y)
        base = self._row_base_style()
        if not self._entries and y == 0:
            text = Text(f" {self.empty_message}", style=base)
            text.stylize(self.component_style("paper-list--empty"))
            return self._strip(text, width, base)
        if index >= len(self._entries):
            return Strip.blank(width, base)
        entry = self._entries[index]
        key = (id(entry), index == self.cursor, self.has_focus, width, self._words)
        cached = self._row_cache.get(key)
        if cached is not None and cached[0] is entry:
            return cached[1]
        strip = self._strip(self.render_row(entry, index, width), width, base)
        self._row_cache[key] = (entry, strip)
        return strip

    def _row_base_style(self) -> Style:
        """The widget's own style (colours blended over its ancestors'), the base of every row."""
        if self._base_style is None:
            self._base_style = self.rich_style
        return self._base_style

    def component_style(self, component: str, background: bool = False) -> Style:
        """A component's style with theme colours resolved; without `background`, its colour and
        attributes only, so a marker or the day keeps the row's background (the cursor's)."""
        key = (component, background)
        style = self._styles.get(key)
        if style is not None:
            return style
        full = self.get_component_rich_style(component)
        style = full
        if not background:
            style = Style(
                color=full.color,
                bold=full.bold,
                dim=full.dim,
                italic=full.italic,
                underline=full.underline,
                strike=full.strike,
            )
        self._styles[key] = style
        return style

    def notify_style_update(self) -> None:
        """Styles (or the theme) changed: rows and styles drawn with the old ones must be redone.

        Textual restyles a node's descendants with it, so an ancestor's change arrives here too.
        """
        self._row_cache.clear()
        self._base_style = None
        self._styles.clear()
        super().notify_style_update()

    def _strip(self, text: Text, width: int, base: Style) -> Strip:
        text.truncate(width, overflow="ellipsis", pad=False)
        strip = Strip(text.render(self.app.console), text.cell_len)
        return strip.crop_extend(0, width, text.style if isinstance(text.style, Style) else base)

    def render_row(self, entry: Entry, index: int, width: int) -> Text:
        """One row: markers, the title (cut, matches highlighted), tags, the day."""
        paper, state = entry.paper, entry.state
        style = self.component_style
        row_style = self._row_base_style()
        if state.read:
            row_style += style("paper-list--read")
        if index == self.cursor and self.has_focus:
            row_style += style("paper-list--cursor", background=True)
        elif index == self.cursor:  # only the background, so a read paper stays dimmed
            row_style += Style(bgcolor=style("paper-list--cursor-blurred", background=True).bgcolor)
        row = Text(style=row_style, no_wrap=True, end="")
        row.append(STAR if state.starred else " ", style("paper-list--star"))
        row.append(UNREAD if not state.read else " ", style("paper-list--unread"))
        row.append(NOTE if state.note.strip() else " ", style("paper-list--note"))
        row.append(CODE if paper.github else " ", style("paper-list--code"))
        row.append(" ")
        day = format_day(paper.date)
        tags = clean_text(" ".join(f"#{tag}" for tag in state.tags))
        title_room = width - _MARKER_CELLS - (len(day) + 1 if day else 0)
        if tags:
            tags_room = min(len(tags) + 1, max(0, title_room // 3))
            title_room -= tags_room
        title = clean_text(" ".join(paper.title[:MAX_ROW_TITLE].split()))
        title_text = Text(title, no_wrap=True, end="")
        match = style("paper-list--match", background=True)
        highlight_words(title_text, title_text.plain, self._words, match)
        title_text.truncate(max(1, title_room), overflow="ellipsis", pad=True)
        row.append_text(title_text)
        if tags and tags_room > 1:
            tag_text = Text(" " + tags, style=style("paper-list--tags"), no_wrap=True, end="")
            tag_text.truncate(tags_room, overflow="ellipsis", pad=True)
            row.append_text(tag_text)
        if day:
            row.append(" " + day.rjust(len(day)), style("paper-list--day"))
        return row
