"""Add papers by arXiv id or URL (`A` on the main screen): one line, any number of ids."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from readlist.core.sources.names import SourceSpecError, arxiv_ids_asked


def ids_from(text: str) -> list[str]:
    """The arXiv ids in what the user typed or pasted (separated by spaces or commas);
    SourceSpecError naming the first word that is not an arXiv id or URL."""
    return arxiv_ids_asked(text.replace(",", " ").split())


class AddDialog(ModalScreen[list[str] | None]):
    """Dismisses with the arXiv ids (without versions) on Enter, or None on Esc. A word that is
    not an id is named under the line and nothing is fetched until it is mended."""

    DEFAULT_CSS = """
    AddDialog {
        align: center middle;
    }
    AddDialog > Vertical {
        width: 80%;
        max-width: 100;
        height: auto;
        border: thick $primary;
        background: $panel;
        padding: 0 1;
    }
    AddDialog #add-title {
        text-style: bold;
        margin-bottom: 1;
    }
    AddDialog #add-error {
        color: $error;
        height: auto;
    }
    AddDialog #add-keys {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
    ]

    AUTO_FOCUS = "#add-input"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Add papers from arXiv", id="add-title")
            yield Input(
                placeholder="2403.01234 arXiv:2310.06825v2 https://arxiv.org/abs/…",
                id="add-input",
            )
            yield Static("", id="add-error", markup=False)
            yield Static("enter add · esc cancel · ids, arXiv or HF paper URLs", id="add-keys")

    @on(Input.Submitted)
    def add(self, event: Input.Submitted) -> None:
        event.stop()
        error = self.query_one("#add-error", Static)
        try:
            ids = ids_from(event.value)
        except SourceSpecError as problem:
            error.update(str(problem))
            return
        if not ids:
            error.update("Type an arXiv id or URL, or press esc")
            return
        self.dismiss(ids)

    def action_cancel(self) -> None:
        self.dismiss(None)
