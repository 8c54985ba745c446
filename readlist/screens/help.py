"""The help screen: every key and what it does (`?` on the main screen)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static


class HelpScreen(ModalScreen[None]):
    """A scrollable key / description table; Esc, q or ? closes it.

    The rows are given by the app, which knows the keys as the user's keymap has bound them.
    """

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > Vertical {
        width: auto;
        min-width: 50;
        max-width: 90%;
        height: 90%;
        border: thick $primary;
        background: $panel;
        padding: 0 1;
    }
    HelpScreen #help-heading {
        text-style: bold;
        margin-bottom: 1;
    }
    HelpScreen DataTable {
        height: 1fr;
        width: auto;
    }
    HelpScreen #help-keys {
        color: $text-muted;
        height: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close help"),
        Binding("j", "move(1)", "Down", show=False),
        Binding("k", "move(-1)", "Up", show=False),
        Binding("home,g", "move_to_end(False)", "Top", show=False, priority=True),
        Binding("end,G", "move_to_end(True)", "Bottom", show=False, priority=True),
    ]

    def __init__(self, bindings: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = list(bindings)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("readlist keys", id="help-heading")
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)
            yield Static("↑↓ j k pgup pgdn home end · esc, q or ? close", id="help-keys")

    def on_mount(self) -> None:
        table = self.table
        table.add_columns("Key", "Action")
        table.add_rows(
            (Text(key, style="bold"), Text(description)) for key, description in self.rows
        )
        table.focus()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#help-table", DataTable)

    def action_move(self, rows: int) -> None:
        table = self.table
        table.move_cursor(row=max(0, min(table.cursor_row + rows, table.row_count - 1)))

    def action_move_to_end(self, bottom: bool) -> None:
        """Home/End and g/G jump to the first or last key, as in the paper list."""
        self.table.move_cursor(row=self.table.row_count - 1 if bottom else 0)

    def action_close(self) -> None:
        self.dismiss(None)
