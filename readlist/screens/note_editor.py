"""The note editor: a modal TextArea over one paper's note (`a` on the main screen)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from readlist.screens.confirm import ConfirmDialog


class NoteEditor(ModalScreen[str | None]):
    """Edit a note; dismisses with the text on ctrl+s, or None when cancelled with Esc.

    Esc with unsaved changes asks first: a note can be minutes of thought, lost to one key.

    The TextArea has the focus from compose on (`AUTO_FOCUS`), so no key finds the editor
    without it. ctrl+s is not a priority binding: it reaches the editor through the TextArea's
    queue, after the keys typed before it, so a note typed and saved at once is saved whole (as
    a priority binding it ran while those keys still waited, and saved the note cut short).
    """

    DEFAULT_CSS = """
    NoteEditor {
        align: center middle;
    }
    NoteEditor > Vertical {
        width: 90%;
        max-width: 120;
        height: 80%;
        border: thick $primary;
        background: $panel;
        padding: 0 1;
    }
    NoteEditor #note-heading {
        color: $text-muted;
        height: 1;
    }
    NoteEditor #note-title {
        text-style: bold;
        height: auto;
        max-height: 3;
        margin-bottom: 1;
    }
    NoteEditor TextArea {
        height: 1fr;
    }
    NoteEditor #note-keys {
        color: $text-muted;
        height: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save note"),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    AUTO_FOCUS = "#note-text"

    def __init__(self, title: str, note: str) -> None:
        super().__init__()
        self.paper_title = title
        self.original = note

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Note on", id="note-heading")
            yield Static(self.paper_title, id="note-title", markup=False)
            yield TextArea(self.original, id="note-text", soft_wrap=True, tab_behavior="indent")
            yield Static("ctrl+s save · esc cancel", id="note-keys")

    def on_mount(self) -> None:
        text_area = self.text_area
        text_area.move_cursor(text_area.document.end)
        text_area.focus()

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#note-text", TextArea)

    @property
    def modified(self) -> bool:
        """True when the text differs from the note the editor opened with."""
        return self.text_area.text != self.original

    def action_save(self) -> None:
        self.dismiss(self.text_area.text)

    def action_cancel(self) -> None:
        if not self.modified:
            self.dismiss(None)
            return

        def discard(confirmed: bool | None) -> None:
            if confirmed:
                self.dismiss(None)
            else:
                self.text_area.focus()

        self.app.push_screen(ConfirmDialog("Discard unsaved changes?"), discard)
