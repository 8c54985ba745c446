"""A yes/no question in a small modal, answered with a key or a click."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmDialog(ModalScreen[bool]):
    """Ask `question`; dismisses with True for yes, False for no (Esc also means no).

    "No" has the focus, so a stray Enter never throws anything away.
    """

    DEFAULT_CSS = """
    ConfirmDialog {
        align: center middle;
    }
    ConfirmDialog > Vertical {
        width: auto;
        min-width: 40;
        max-width: 80%;
        height: auto;
        border: thick $warning;
        background: $panel;
        padding: 1 2;
    }
    ConfirmDialog #confirm-question {
        width: auto;
        margin-bottom: 1;
    }
    ConfirmDialog Horizontal {
        width: auto;
        height: auto;
    }
    ConfirmDialog Button {
        margin-right: 2;
    }
    """

    # Priority: the answer is taken as the app reads the key, so a key typed right after it
    # (`M`, `y`, `u` at once) reaches the screen below rather than this dialog as it closes.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", priority=True),
        Binding("n", "answer(False)", "No", priority=True),
        Binding("escape", "answer(False)", "No", priority=True),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, id="confirm-question", markup=False)
            with Horizontal():
                yield Button("Yes (y)", id="yes", variant="warning")
                yield Button("No (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def answered(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")
