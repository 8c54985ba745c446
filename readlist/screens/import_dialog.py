"""Type the path of a feed file to import (`i` on the main screen), with Tab completion."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input

from readlist.screens.path_dialog import PathDialog, complete_path, resolve_path

__all__ = ["ImportDialog", "complete_path"]


class ImportDialog(PathDialog[Path | None]):
    """Dismisses with the chosen feed file, or None on Esc; a bad path is explained in place."""

    NAME = "import"
    AUTO_FOCUS = "#import-path"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield self.heading("Import a feed file")
            yield Input(placeholder="path to a feed file", id="import-path")
            yield from self.path_lines("enter import · tab complete · esc cancel")

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
