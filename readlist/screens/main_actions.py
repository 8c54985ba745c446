"""The main screen's actions that reach outside the app: links, clipboard, browser, import, export.

A mixin of `MainScreen`, kept apart so each file stays small; it reads the screen's list and
library through the names `MainScreen` defines (declared below for the type checker).
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.actions import SkipAction
from textual.screen import Screen

from readlist.core.errors import LibraryError
from readlist.core.library import Library
from readlist.core.models import Entry
from readlist.widgets.detail import DetailPane, labelled_links
from readlist.widgets.paper_list import PaperList

DOWNLOAD_NAME = "readlist-export"
"""The `name` of an export's delivery, so the app can tell its Delivery events from others."""

if TYPE_CHECKING:  # the dialogs are imported when first opened, not at start-up
    from readlist.screens.export_dialog import ExportRequest


def write_export(path: Path, text: str) -> None:
    """Write `text` to `path` (mode 0600) all at once: a failed write leaves nothing behind.

    The text goes to a temporary file in the same folder, then replaces `path`.
    """
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class OutsideActions(Screen[None]):
    """Copy and open links, import a feed, export the shown list."""

    library: Library

    @property
    def current(self) -> Entry | None:
        return self.query_one(PaperList).current

    def _papers_changed(self) -> None:
        raise NotImplementedError  # MainScreen's

    # ---- links -----------------------------------------------------------------------

    def action_copy_github(self) -> None:
        entry = self.current
        if entry is None:
            return
        if not entry.paper.github:
            self.notify("No GitHub link for this paper", severity="warning")
            return
        self._copy(entry.paper.github)

    def action_copy_first_link(self) -> None:
        entry = self.current
        if entry is None:
            return
        detail = self.query_one(DetailPane)
        links = (
            detail.links if detail.entry is entry else [u for _, u in labelled_links(entry.paper)]
        )
        if not links:
            self.notify("No links in this paper", severity="warning")
            return
        self._copy(links[0])

    def _copy(self, url: str) -> None:
        from readlist.clipboard import copy_link

        result = copy_link(self.app, url)
        self.notify(
            result.message, severity="information" if result.system else "warning", markup=False
        )

    def action_open_in_browser(self) -> None:
        entry = self.current
        if entry is None:
            return
        links = labelled_links(entry.paper)  # GitHub first, then the arXiv page, ...
        if not links:
            self.notify("No links in this paper", severity="warning")
            return
        self._open_url(links[0][1])

    def action_open_link(self, index: int) -> None:
        """A link in the detail pane was clicked; it is named by index, never by its text."""
        links = self.query_one(DetailPane).links
        if 0 <= index < len(links):
            self._open_url(links[index])

    def _open_url(self, url: str) -> None:
        from readlist.browser import open_url, open_url_in_tab

        if self.app.is_web:  # the browser the app runs in opens it: a new tab, not a window here
            self.notify(open_url_in_tab(url, self.app.open_url), markup=False)
            return
        self.notify(open_url(url), markup=False)

    # ---- importing -------------------------------------------------------------------

    async def action_import_feed(self) -> None:
        """Keys typed after `i` wait for the dialog's path field (a priority binding)."""
        from readlist.screens.import_dialog import ImportDialog

        if not isinstance(self.focused, (PaperList, DetailPane)):
            raise SkipAction()

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.import_feed(path)

        await self.app.push_screen(ImportDialog(Path.cwd()), chosen)

    def action_load_sample(self) -> None:
        from readlist.paths import sample_feed_path

        self.import_feed(sample_feed_path())

    @work(thread=True, exclusive=True, group="import", description="import")
    def import_feed(self, path: Path) -> None:
        """Read and import a feed off the UI thread, then say what happened."""
        from readlist.core.errors import FeedError
        from readlist.core.formats import read_feed

        try:
            parsed = read_feed(str(path))
            result = self.library.import_papers(parsed.papers, parsed.source)
        except (FeedError, LibraryError, OSError) as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", markup=False)
            return
        message = result.summary()
        for note in parsed.notes:
            message += f"\n{note}"

        def done() -> None:
            self.notify(message, markup=False)
            self._papers_changed()
            self.query_one(PaperList).focus()

        self.app.call_from_thread(done)

    # ---- exporting -------------------------------------------------------------------

    def action_export(self) -> None:
        """Export the papers the list shows, in the order shown, to a file the user names."""
        from readlist.screens.confirm import ConfirmDialog
        from readlist.screens.export_dialog import ExportDialog

        entries = list(self.query_one(PaperList).entries)
        if not entries:
            self.notify("Nothing to export: the list is empty", severity="warning")
            return

        def chosen(request: ExportRequest | None) -> None:
            if request is None:
                return
            if request.download:
                self.export_download(entries, request)
                return
            if not request.path.exists():
                self.export_to(entries, request)
                return

            def overwrite(yes: bool | None) -> None:
                if yes:
                    self.export_to(entries, request)
                else:
                    self.notify("Not exported: the file was left as it was")

            question = f"{request.path} exists. Replace it?"
            self.app.push_screen(ConfirmDialog(question), overwrite)

        dialog = ExportDialog(len(entries), Path.cwd(), download=self.app.is_web)
        self.app.push_screen(dialog, chosen)

    @work(thread=True, exclusive=True, group="export", description="export")
    def export_to(self, entries: list[Entry], request: ExportRequest) -> None:
        """Write the export off the UI thread (100,000 papers take seconds), then say so."""
        from readlist.core.formats.export import export_entries

        try:
            write_export(request.path, export_entries(entries, request.format))
        except OSError as error:
            reason = error.strerror or str(error)
            message = f"Not exported: cannot write {request.path}: {reason}"
            self.app.call_from_thread(self.notify, message, severity="error", markup=False)
            return
        count = "1 paper" if len(entries) == 1 else f"{len(entries):,} papers"
        message = f"Exported {count} to {request.path}"
        self.app.call_from_thread(self.notify, message, markup=False)

    @work(thread=True, exclusive=True, group="export", description="download")
    def export_download(self, entries: list[Entry], request: ExportRequest) -> None:
        """In a browser tab: hand the export to the browser as a download (`App.deliver_text`)."""
        from readlist.core.formats.export import export_entries

        text = export_entries(entries, request.format)
        name = request.path.name

        def deliver() -> None:
            self.app.deliver_text(io.StringIO(text), save_filename=name, name=DOWNLOAD_NAME)
            count = "1 paper" if len(entries) == 1 else f"{len(entries):,} papers"
            self.notify(f"Downloading {count} as {name}: your browser saves it", markup=False)

        self.app.call_from_thread(deliver)
