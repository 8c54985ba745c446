"""What the import and export dialogs share: a path field with shell-like Tab completion.

`PathDialog` is a small modal with a heading, a path field and three lines under it (where
relative paths start, completion candidates, an error); each dialog adds what it asks and what
Enter does. Its widgets carry the dialog's own ids (`import-path`, `export-error`, ...).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
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


_R = TypeVar("_R")


class PathDialog(ModalScreen[_R]):
    """The frame both dialogs share; `NAME` prefixes the ids of its widgets."""

    NAME: ClassVar[str] = "path"

    DEFAULT_CSS = """
    PathDialog {
        align: center middle;
    }
    PathDialog > Vertical {
        width: 80%;
        max-width: 110;
        height: auto;
        border: thick $primary;
        background: $panel;
        padding: 0 1;
    }
    PathDialog .dialog-heading {
        text-style: bold;
        margin-bottom: 1;
    }
    PathDialog .dialog-hint {
        color: $text-muted;
        height: auto;
    }
    PathDialog .dialog-error {
        color: $error;
        height: auto;
    }
    """

    # Not priority bindings: a key typed just before Tab or Enter must reach the path first.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "complete", "Complete path"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, start_dir: Path) -> None:
        super().__init__()
        self.start_dir = start_dir

    def heading(self, text: str) -> Static:
        return Static(text, id=f"{self.NAME}-heading", classes="dialog-heading")

    def path_lines(self, keys: str, where: str | None = None) -> ComposeResult:
        """The lines under the path field: where relative paths start, candidates, error, keys."""
        name = self.NAME
        where = where or f"Relative paths start in {self.start_dir}"
        yield Static(where, id=f"{name}-where", classes="dialog-hint", markup=False)
        yield Static("", id=f"{name}-candidates", classes="dialog-hint", markup=False)
        yield Static("", id=f"{name}-error", classes="dialog-error", markup=False)
        yield Static(keys, id=f"{name}-keys", classes="dialog-hint")

    @property
    def path_input(self) -> Input:
        return self.query_one(f"#{self.NAME}-path", Input)

    def show(self, *, candidates: str = "", error: str = "") -> None:
        self.query_one(f"#{self.NAME}-candidates", Static).update(candidates)
        self.query_one(f"#{self.NAME}-error", Static).update(error)

    def action_complete(self) -> None:
        """Tab completes the path in the path field; elsewhere it moves the focus."""
        if self.focused is not self.path_input:
            self.focus_next()
            return
        candidates, error = complete_path_input(self.path_input, self.start_dir)
        self.show(candidates=candidates, error=error)

    def action_cancel(self) -> None:
        self.dismiss(None)
