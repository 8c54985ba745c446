"""The main screen's fetching: today's papers from the configured sources (`F`), papers added by
arXiv id or URL (`A`), and a paper's citation copied as BibTeX (`b`).

A mixin of `MainScreen`. A fetch runs in one background thread, so the list stays usable; the
status line shows each request, each day's papers appear as they are imported, and `F` again or
Esc cancels it at once (its thread stops at its next request or chunk and imports nothing more).
Nothing here imports httpx until a fetch starts, so the app's start never pays for it.
"""

from __future__ import annotations

import datetime
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work
from textual.actions import SkipAction
from textual.screen import Screen

from readlist.config import Config
from readlist.core.errors import LibraryError
from readlist.core.library import Library
from readlist.core.sources.names import (
    SourceSpec,
    SourceSpecError,
    SourceUrls,
    parse_source,
)

if TYPE_CHECKING:
    from readlist.core.sources.http import HttpClient


class Report:
    """What a fetch has to say, line by line, and whether any of it is a failure."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.failed = False

    def __call__(self, line: str, failure: bool = False) -> None:
        self.lines.append(line)
        self.failed = self.failed or failure


Job = Callable[["HttpClient", SourceUrls, Report], None]
"""What a fetch does with its client and URLs, reporting each line it has to say."""


class FetchActions(Screen[None]):
    """Fetch the configured sources, add papers by arXiv id, copy a paper's BibTeX."""

    library: Library
    config: Config
    activity = ""
    """What a running fetch is doing, shown at the end of the status line ("" when idle)."""
    _cancel_fetch: threading.Event | None = None

    def _papers_changed(self) -> None:
        raise NotImplementedError  # MainScreen's

    def _update_status(self) -> None:
        raise NotImplementedError  # MainScreen's

    # ---- the keys ------------------------------------------------------------------------

    def action_fetch(self) -> None:
        """Fetch today's papers from the config's `[fetch] sources`; while one runs: cancel it."""
        if self.cancel_fetch():
            return
        try:
            specs = list(dict.fromkeys(parse_source(name) for name in self.config.fetch.sources))
        except SourceSpecError as error:
            self.notify(f"Not fetched: [fetch] sources: {error}", severity="error", markup=False)
            return
        if not specs:
            self.notify("Nothing to fetch: set [fetch] sources in the config", severity="warning")
            return
        today = datetime.datetime.now(datetime.timezone.utc).date()  # Daily Papers days are UTC
        self._start(lambda client, urls, say: self._fetch_sources(client, urls, specs, today, say))

    async def action_add_papers(self) -> None:
        """Ask for arXiv ids or URLs, then add those papers (one request for all of them).
        Keys typed after `A` wait for the dialog's field (a priority binding, as `a`)."""
        from readlist.screens.add_dialog import AddDialog
        from readlist.widgets.detail import DetailPane
        from readlist.widgets.paper_list import PaperList

        if not isinstance(self.focused, (PaperList, DetailPane)):
            raise SkipAction()

        def chosen(ids: list[str] | None) -> None:
            if ids:
                self._start(lambda client, urls, say: self._add_ids(client, urls, ids, say))

        await self.app.push_screen(AddDialog(), chosen)

    def action_copy_bibtex(self) -> None:
        """Copy the paper's BibTeX entry (authors, arXiv eprint, DOI where known)."""
        from readlist.clipboard import copy_text
        from readlist.core.formats.bibtex import bibtex_entry
        from readlist.widgets.detail import shown_text
        from readlist.widgets.paper_list import PaperList

        entry = self.query_one(PaperList).current
        if entry is None:
            self.notify("No paper selected", severity="warning")
            return
        label = f'the BibTeX entry of "{shown_text(entry.paper.title, 60)}"'
        result = copy_text(self.app, bibtex_entry(entry), label=label)
        self.notify(
            result.message, severity="information" if result.system else "warning", markup=False
        )

    def cancel_fetch(self, quiet: bool = False) -> bool:
        """Cancel a running fetch (True), or say there is none to cancel (False).

        The fetch is over for the user at once: a request blocked on a silent server would
        otherwise hold "cancelling" for its whole read timeout (30 s). Its thread stops at its
        next check of the event, imports nothing after it, and its report is dropped.
        """
        if self._cancel_fetch is None:
            return False
        self._cancel_fetch.set()
        self._cancel_fetch = None
        if not quiet:
            self._set_activity("")
            self.notify("Fetch cancelled")
        return True

    # ---- the worker ----------------------------------------------------------------------

    def _start(self, job: Job) -> None:
        if self._cancel_fetch is not None:
            self.notify("A fetch is running: F or Esc cancels it", severity="warning")
            return
        if self.library.read_only:
            self.notify("The library is read-only: nothing can be added", severity="warning")
            return
        try:
            urls = SourceUrls.resolve(os.environ, self.config.fetch.urls())
        except SourceSpecError as error:
            self.notify(f"Not fetched: {error}", severity="error", markup=False)
            return
        self._cancel_fetch = threading.Event()
        self._set_activity("fetching… (F or esc cancels)")
        self._run_fetch(job, urls, self._cancel_fetch)

    def _current(self, cancel: threading.Event) -> bool:
        """Whether the fetch that `cancel` belongs to is still the one the user sees."""
        return self._cancel_fetch is cancel and not cancel.is_set()

    @work(thread=True, exclusive=True, group="fetch", description="fetch")
    def _run_fetch(self, job: Job, urls: SourceUrls, cancel: threading.Event) -> None:
        from readlist.core.sources.http import HttpClient

        say = Report()

        def progress(line: str) -> None:
            def show() -> None:
                if self._current(cancel):
                    self._set_activity(f"{line} (F or esc cancels)")

            self.app.call_from_thread(show)

        try:
            with HttpClient(cancel=cancel, progress=progress) as client:
                job(client, urls, say)
        except LibraryError as error:
            say(f"Not saved: {error}", failure=True)
        self.app.call_from_thread(self._fetch_done, say, cancel)

    def _fetch_sources(
        self,
        client: HttpClient,
        urls: SourceUrls,
        specs: list[SourceSpec],
        today: datetime.date,
        say: Report,
    ) -> None:
        """Each source whole, then imported day by day; a failed source adds nothing."""
        from readlist.core.sources.fetching import fetch_source
        from readlist.core.sources.http import SourceError

        for spec in specs:
            try:
                batches = fetch_source(client, spec, [today], urls)
            except SourceError as error:
                if error.kind == "cancelled":
                    return  # the user was told at the cancel (`cancel_fetch`)
                say(f"Not fetched: {error}", failure=True)
                continue
            for batch in batches:
                if client.cancel.is_set():
                    return  # cancelled while the last request ran: nothing more is imported
                if not batch.papers:
                    say(f"{batch.label}: no papers (weekend or holiday)")
                    continue
                say(self.library.import_papers(batch.papers, batch.label).summary())
                self.app.call_from_thread(self._papers_changed)

    def _add_ids(self, client: HttpClient, urls: SourceUrls, ids: list[str], say: Report) -> None:
        from readlist.core.sources.arxiv import API_LABEL, fetch_ids
        from readlist.core.sources.http import SourceError

        try:
            papers = fetch_ids(client, urls.arxiv_api, ids)
        except SourceError as error:
            if error.kind != "cancelled":  # a cancel was told at once (`cancel_fetch`)
                say(f"Not added: {error}", failure=True)
            return
        if client.cancel.is_set():
            return  # cancelled while the request ran: nothing is imported
        if papers:
            say(self.library.import_papers(papers, API_LABEL).summary())
            self.app.call_from_thread(self._papers_changed)
        found = {paper.arxiv_id for paper in papers}
        missing = [arxiv_id for arxiv_id in ids if arxiv_id not in found]
        if missing:
            say(f"Not found on arXiv: {', '.join(missing)}", failure=True)

    def _fetch_done(self, report: Report, cancel: threading.Event) -> None:
        if self._cancel_fetch is not cancel:
            return  # cancelled: the user was told then, and a newer fetch may be running
        self._cancel_fetch = None
        self._set_activity("")
        if report.lines:
            text = "\n".join(report.lines)
            if report.failed:
                self.notify(text, severity="error", timeout=10, markup=False)
            else:
                self.notify(text, markup=False)

    def _set_activity(self, text: str) -> None:
        self.activity = text
        self._update_status()
