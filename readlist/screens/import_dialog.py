"""Type the path of a feed file to import (`i` on the main screen), with Tab completion."""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

MAX_CANDIDATES_SHOWN = 8


def resolve_path(text: str, start_dir: Path) -> Path:
    """The path the user means: `~` expanded, relative paths taken from `start_dir`."""
    path = Path(os.path.expanduser(text))
    return path if path.is_absolute() else start_dir / path


def complete_path(text: str, start_dir: Path) -> tuple[str, list[str]]:
    """Complete the last part of `text` as a shell does: (new text, the matching names).

    One match completes fully (folders get a trailing `/`); several complete to their common
    prefix; hidden files match only when the typed part starts with a dot.
    The typed text keeps its form (`~`, relative) so the user sees what they wrote.
    """
    folder_text, slash, prefix = text.rpartition("/")
    folder_text += slash
    folder = resolve_path(folder_text or ".", start_dir)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return text, []
    names = sorted(
        entry.name + ("/" if _is_dir(entry) else "")
        for entry in entries
        if entry.name.startswith(prefix)
        and (prefix.startswith(".") or not entry.name.startswith("."))
    )
    if not names:
        return text, []
    return folder_text + common_prefix(names), names


def common_prefix(names: list[str]) -> str:
    """The longest string every name starts with (characters, not path components)."""
    first, last = min(names), max(names)
    for index, char in enumerate(first):
        if char != last[index]:
            return first[:index]
    return first


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def complete_path_input(path_input: Input, start_dir: Path) -> tuple[str, str]:
    """Tab in a path field: complete it in place; the (candidates, error) lines to show."""
    completed, names = complete_path(path_input.value, start_dir)
    if completed != path_input.value:
        path_input.value = completed
        path_input.cursor_position = len(completed)
    if not names:
        return "", f"Nothing matches {resolve_path(completed, start_dir)}"
    if len(names) == 1:
        return "", ""
    shown = "  ".join(names[:MAX_CANDIDATES_SHOWN])
    more = len(names) - MAX_CANDIDATES_SHOWN
    return shown + (f"  … {more} more" if more > 0 else ""), ""


class ImportDialog(ModalScreen[Path | None]):
    """Dismisses with the chosen feed file, or None on Esc; a bad path is explained in place."""

    DEFAULT_CSS = """
    ImportDialog {
        align: center middle;
    }
    ImportDialog > Vertical {
        width: 80%;
        max-width: 110;
        height: auto;
        border: thick $primary;
        background: $panel;
        padding: 0 1;
    }
    ImportDialog #import-heading {
        text-style: bold;
        margin-bottom: 1;
    }
    ImportDialog #import-where, ImportDialog #import-candidates, ImportDialog #import-keys {
        color: $text-muted;
        height: auto;
    }
    ImportDialog #import-error {
        color: $error;
        height: auto;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "complete", "Complete path"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, start_dir: Path) -> None:
        super().__init__()
        self.start_dir = start_dir

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Import a feed file", id="import-heading")
            yield Input(placeholder="path to a feed file", id="import-path")
            yield Static(
                f"Relative paths start in {self.start_dir}", id="import-where", markup=False
            )
            yield Static("", id="import-candidates", markup=False)
            yield Static("", id="import-error", markup=False)
            yield Static("enter import · tab complete · esc cancel", id="import-keys")

    def on_mount(self) -> None:
        self.path_input.focus()

    @property
    def path_input(self) -> Input:
        return self.query_one("#import-path", Input)

    def show(self, *, candidates: str = "", error: str = "") -> None:
        self.query_one("#import-candidates", Static).update(candidates)
        self.query_one("#import-error", Static).update(error)

    def action_complete(self) -> None:
        candidates, error = complete_path_input(self.path_input, self.start_dir)
        self.show(candidates=candidates, error=error)

    @on(Input.Submitted)
    def choose(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self.show(error="Type the path of a feed file (Tab completes)")
            return
        path = resolve_path(text, self.start_dir)
        if not path.exists():
            self.show(error=f"No such file: {path}")
        elif path.is_dir():
            self.show(error=f"{path} is a folder: choose a feed file inside it (Tab lists them)")
        else:
            self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)
