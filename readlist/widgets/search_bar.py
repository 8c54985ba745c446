"""The search bar: an input for the query language and a line for what is wrong with it."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Input, Static

PLACEHOLDER = (
    '/ to search: words  "a phrase"  -word  is:unread  has:code  tag:name  author:name  cat:cs.CL'
)


class SearchInput(Input):
    """The query's input: tells its bar the moment the text changes, before a frame can show the
    new text alone (the `Changed` message reaches the screen only after that frame)."""

    # Textual's Input sets its virtual size (the text's width) on every keystroke, and a change
    # of it asked for a layout of the whole screen: every pane reflowed and the list's scrollbar
    # was drawn again, 10-15 ms a key at 120x40. The bar's size never depends on its text.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def _watch_value(self, value: str) -> None:
        super()._watch_value(value)
        bar = self.parent
        if isinstance(bar, SearchBar) and bar.on_edit is not None:
            bar.on_edit()


class SearchBar(Vertical):
    """Posts `Changed` on every keystroke and `Cleared` when cleared. Enter and Esc are the
    screen's priority bindings (`search_done`, `search_cancel`): they must move the focus before
    the keys typed after them are read."""

    class Changed(Message):
        """The query text changed."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Cleared(Message):
        """The query was cleared (Esc)."""

    _error: str | None = ""
    on_edit: Callable[[], None] | None = None  # called at once when the text changes

    def compose(self) -> ComposeResult:
        yield SearchInput(placeholder=PLACEHOLDER, id="search-input", select_on_focus=False)
        yield Static(id="search-error")

    @property
    def input(self) -> Input:
        return self.query_one("#search-input", Input)

    @property
    def value(self) -> str:
        return self.input.value

    def set_error(self, message: str | None) -> None:
        """Show what is wrong with the query under the bar (None hides the line)."""
        if message == self._error:
            return  # nothing to redraw: an update would cost a layout pass on every keystroke
        self._error = message
        error = self.query_one("#search-error", Static)
        error.update(Text(message or "", end=""))
        error.display = bool(message)

    def on_mount(self) -> None:
        self.set_error(None)

    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(event.value))

    def action_clear(self) -> None:
        self.input.value = ""
        self.set_error(None)
        self.post_message(self.Cleared())
