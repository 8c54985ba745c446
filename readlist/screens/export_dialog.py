"""Choose a format and a file to export the shown papers to (`x` on the main screen).

The dialog only asks; the main screen writes the file (and asks before overwriting), so the
dialog can be tested on its own and a failed write never leaves it half-closed. In a browser tab
(`readlist serve`) the file is downloaded instead: the dialog asks for a file name only (the
browser picks the folder), since a path would name a place on the server, not on the user's
machine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, RadioButton, RadioSet

from readlist.core.formats.export import EXTENSIONS
from readlist.screens.path_dialog import PathDialog, resolve_path

FORMAT_LABELS = {
    "md": "Markdown",
    "bibtex": "BibTeX",
    "csv": "CSV",
    "json": "JSON",
}
DEFAULT_STEM = "~/readlist-export"
DOWNLOAD_STEM = "readlist-export"
#: A download's name: plain characters only, since it travels in a Content-Disposition header.
DOWNLOAD_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


@dataclass(frozen=True)
class ExportRequest:
    """What the user chose: a format name (a key of `EXTENSIONS`) and the file to write."""

    format: str
    path: Path
    download: bool = False
    """True in a browser tab: `path` is only the name the browser saves the file under."""


def with_extension(text: str, fmt: str) -> str:
    """`text` with its export extension replaced by `fmt`'s (other names are left alone)."""
    for ext in EXTENSIONS.values():
        if text.endswith(ext):
            return text[: -len(ext)] + EXTENSIONS[fmt]
    return text


class FormatChoice(RadioSet):
    """The formats; Enter takes the highlighted one and moves on to the path."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "take", "Choose this format", show=False),
    ]

    def action_take(self) -> None:
        self.action_toggle_button()
        self.screen.focus_next()


class ExportDialog(PathDialog[ExportRequest | None]):
    """Dismisses with an `ExportRequest`, or None on Esc; a bad path is explained in place.

    Keys: arrows choose the format, Enter takes it and goes to the path (Tab completes it), Enter
    again exports; so `x enter enter` exports Markdown to the default file.
    Choosing a format changes the path's extension to match.
    """

    NAME = "export"

    DEFAULT_CSS = """
    ExportDialog RadioSet {
        layout: horizontal;
        width: 100%;
        height: auto;
        margin-bottom: 1;
    }
    ExportDialog #export-format > RadioButton {
        width: auto;
        margin-right: 1;
    }
    """

    def __init__(
        self, count: int, start_dir: Path, fmt: str = "md", *, download: bool = False
    ) -> None:
        super().__init__(start_dir)
        self.count = count
        self.format = fmt if fmt in EXTENSIONS else "md"
        self.download = download

    def compose(self) -> ComposeResult:
        papers = "1 paper" if self.count == 1 else f"{self.count:,} papers"
        with Vertical():
            if self.download:
                yield self.heading(f"Download {papers} (the list as shown)")
            else:
                yield self.heading(f"Export {papers} (the list as shown)")
            with FormatChoice(id="export-format"):
                for name, label in FORMAT_LABELS.items():
                    yield RadioButton(label, value=name == self.format, name=name)
            stem = DOWNLOAD_STEM if self.download else DEFAULT_STEM
            yield Input(stem + EXTENSIONS[self.format], id="export-path")
            if self.download:
                yield from self.path_lines(
                    "←/→ format · enter: to the name, then download · esc cancel",
                    where="Your browser saves the file (usually in its Downloads folder)",
                )
            else:
                yield from self.path_lines(
                    "←/→ format · enter: to the path, then export · tab complete · esc cancel"
                )

    def on_mount(self) -> None:
        self.format_set.focus()

    @property
    def format_set(self) -> RadioSet:
        return self.query_one("#export-format", RadioSet)

    @on(RadioSet.Changed)
    def _format_chosen(self, event: RadioSet.Changed) -> None:
        name = event.pressed.name
        if name is None or name not in EXTENSIONS:
            return
        self.format = name
        path_input = self.path_input
        path_input.value = with_extension(path_input.value, name)
        path_input.cursor_position = len(path_input.value)

    @on(Input.Submitted, "#export-path")
    def choose(self, event: Input.Submitted | None = None) -> None:
        """Enter on the path: export there, or explain in place what is wrong with it."""
        if event is not None:
            event.stop()
        text = self.path_input.value.strip()
        if self.download:
            self._choose_download(text)
            return
        if not text:
            self.show(error="Type the path of the file to write (Tab completes)")
            return
        path = resolve_path(text, self.start_dir)
        if path.is_dir():
            self.show(error=f"{path} is a folder: type a file name inside it")
        elif not path.parent.is_dir():
            self.show(error=f"No such folder: {path.parent}")
        else:
            self.dismiss(ExportRequest(self.format, path))

    def _choose_download(self, name: str) -> None:
        if DOWNLOAD_NAME.fullmatch(name) is None:
            self.show(
                error="A file name of letters, digits, '.', '_' and '-' (the browser picks the "
                "folder)"
            )
            return
        self.dismiss(ExportRequest(self.format, Path(name), download=True))

    def action_complete(self) -> None:
        """A download names no folder on the server, so Tab only moves the focus there."""
        if self.download:
            self.focus_next()
            return
        super().action_complete()
