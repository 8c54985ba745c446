"""The main screen's changes to papers: star, read, note, tags, undo, and folding the journal.

A mixin of `MainScreen`. Every change runs on one background thread, in the order the keys were
pressed, and the UI thread waits for it at most `BUSY_WAIT_S`: a change is normally done in a
few milliseconds and shown at once, but when another readlist holds the library's file lock (the
library waits up to 10 s for it) the app says so and stays responsive, and shows the change when
it is saved.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import TypeVar

from textual import work
from textual.actions import SkipAction
from textual.screen import Screen
from textual.timer import Timer

from readlist.core.errors import LibraryError
from readlist.core.library import Library
from readlist.core.models import Entry
from readlist.undo import GroupUndoStep, UndoStack, UndoStep
from readlist.widgets.detail import DetailPane
from readlist.widgets.paper_list import PaperList

COMPACT_DELAY_S = 2.0
BUSY_WAIT_S = 0.5
"""How long a key waits on the UI thread for its change before the app says the library is busy."""
BUSY_MESSAGE = "Library busy (another readlist is writing): the change is saved when it is free"

Outcome = tuple[Entry, Entry]
"""(the entry before a change, the entry after it)."""
T = TypeVar("T")


class ChangeActions(Screen[None]):
    """Changes to the paper under the cursor, applied through the library in key order."""

    library: Library
    undo_stack: UndoStack
    _compact_timer: Timer | None
    _change_thread: ThreadPoolExecutor | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    @property
    def current(self) -> Entry | None:
        return self.query_one(PaperList).current

    def after_change(self, entry: Entry) -> None:
        raise NotImplementedError  # MainScreen's

    def _undo_group(self, step: GroupUndoStep) -> None:
        raise NotImplementedError  # TriageActions'

    # ---- running a change ----------------------------------------------------------------

    def _run_change(
        self,
        work: Callable[[], T],
        done: Callable[[T], None],
        failed: Callable[[Exception], None],
        busy_message: str = BUSY_MESSAGE,
    ) -> None:
        """Run `work` on the change thread; call `done` or `failed` on the UI thread after it.

        Waits up to `BUSY_WAIT_S` so a normal change is shown before the next key is read;
        after that the app says `busy_message` and shows the change when it is saved.
        """
        if self._change_thread is None:
            self._change_thread = ThreadPoolExecutor(1, thread_name_prefix="readlist-change")
            self._loop = asyncio.get_running_loop()
        future = self._change_thread.submit(work)
        try:
            outcome = future.result(timeout=BUSY_WAIT_S)
        except TimeoutError:
            self.notify(busy_message, severity="warning", markup=False)
            loop = self._loop
            assert loop is not None
            future.add_done_callback(
                lambda f: loop.call_soon_threadsafe(partial(self._finish, f, done, failed))
            )
            return
        except (LibraryError, KeyError) as error:
            failed(error)
            return
        done(outcome)

    def _finish(
        self,
        future: Future[T],
        done: Callable[[T], None],
        failed: Callable[[Exception], None],
    ) -> None:
        """A change that waited for the lock has ended (on the UI thread)."""
        if not self.is_attached:
            return
        try:
            outcome = future.result()
        except (LibraryError, KeyError) as error:
            failed(error)
            return
        done(outcome)

    def _stop_change_thread(self) -> None:
        """Let queued changes finish (they are the user's keys) before the library closes."""
        if self._change_thread is not None:
            self._change_thread.shutdown(wait=True)
            self._change_thread = None

    def _change(
        self, description: str, fields: tuple[str, ...], apply: Callable[[Entry], Entry]
    ) -> None:
        """Apply one change to the current paper through the library; record it for undo."""
        entry = self.current
        if entry is None:
            self.notify("No paper selected", severity="warning")
            return
        self._change_entry(entry, description, fields, apply)

    def _change_entry(
        self,
        entry: Entry,
        description: str,
        fields: tuple[str, ...],
        apply: Callable[[Entry], Entry],
        on_saved: Callable[[], None] | None = None,
    ) -> None:
        paper_id = entry.id

        def work() -> Outcome:
            before = self.library.get(paper_id)
            return before, apply(before)

        def done(outcome: Outcome) -> None:
            before, after = outcome
            self.undo_stack.record(before, description, fields)
            self.after_change(after)
            if on_saved is not None:
                on_saved()

        def failed(error: Exception) -> None:
            self.notify(f"Not saved: {error}", severity="error", markup=False)

        self._run_change(work, done, failed)

    # ---- the changes ---------------------------------------------------------------------

    def action_toggle_star(self) -> None:
        entry = self.current
        if entry is None:
            return
        self._change(
            "unstar" if entry.state.starred else "star",
            ("starred",),
            lambda e: self.library.set_starred(e.id, not e.state.starred),
        )

    def action_toggle_read(self) -> None:
        entry = self.current
        if entry is None:
            return
        self._change(
            "mark unread" if entry.state.read else "mark read",
            ("read",),
            lambda e: self.library.set_read(e.id, not e.state.read),
        )

    def _save_note(self, paper_id: str, note: str | None) -> None:
        if note is None:
            return
        try:
            entry = self.library.get(paper_id)
        except KeyError:
            return
        if note == entry.state.note:
            return
        self._change_entry(
            entry,
            "note",
            ("note",),
            lambda e: self.library.set_note(e.id, note),
            on_saved=lambda: self.notify("Note saved"),
        )

    async def action_annotate(self) -> None:
        """Open the note editor; keys typed after `a` wait until it has the focus.

        The binding is a priority one, so it runs as the app reads `a`, before the keys after
        it are handed to any widget, and the app reads none of them until the editor is mounted
        with its TextArea focused (else they went to the list and were lost). In the search bar
        `a` is just a letter.
        """
        # The screen's focus, not `has_focus`: that follows a Focus event still queued when `a`
        # comes in the same burst as the `/` that moved the focus to the search bar.
        if not isinstance(self.focused, (PaperList, DetailPane)):
            raise SkipAction()
        entry = self.current
        if entry is None:
            return
        await self._open_note_editor(entry)

    async def _open_note_editor(self, entry: Entry) -> None:
        from readlist.screens.note_editor import NoteEditor

        paper_id = entry.id
        await self.app.push_screen(
            NoteEditor(entry.paper.title, entry.state.note),
            lambda note: self._save_note(paper_id, note),
        )

    async def action_edit_external(self) -> None:
        entry = self.current
        if entry is None:
            return
        if self.app.is_web:
            # A browser tab has no terminal to hand to $EDITOR (App.suspend raises there).
            self.notify("In a browser, $EDITOR cannot run: the note opens here (ctrl+s saves)")
            await self._open_note_editor(entry)
            return
        from readlist.external_editor import EditorError, edit_in_editor

        try:
            note = edit_in_editor(self.app, entry.state.note)
        except EditorError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        if note is None:
            self.notify("Note unchanged")
            return
        self._save_note(entry.id, note)

    async def action_edit_tags(self) -> None:
        """Open the tags dialog; keys typed after `t` wait until its field has the focus (a
        priority binding, as `a`). In the search bar `t` is a letter."""
        if not isinstance(self.focused, (PaperList, DetailPane)):
            raise SkipAction()
        entry = self.current
        if entry is None:
            return
        from readlist.screens.tags_dialog import TagsDialog

        known = sorted({tag for e in self.library.entries() for tag in e.state.tags})
        paper_id = entry.id

        def save(tags: list[str] | None) -> None:
            if tags is None:
                return
            try:
                current = self.library.get(paper_id)
            except KeyError:
                return
            self._change_entry(
                current, "tags", ("tags",), lambda e: self.library.set_tags(e.id, tags)
            )

        await self.app.push_screen(TagsDialog(entry.paper.title, entry.state.tags, known), save)

    def action_undo(self) -> None:
        step = self.undo_stack.pop()
        if step is None:
            self.notify("Nothing to undo")
            return
        if isinstance(step, GroupUndoStep):
            self._undo_group(step)
            return

        def work() -> Outcome:
            after = self.library.update_state(step.paper_id, **step.previous)
            return after, after

        def failed(error: Exception) -> None:
            self._undo_failed(step, error)

        self._run_change(work, lambda outcome: self._undone(step, outcome[1]), failed)

    def _undone(self, step: UndoStep, after: Entry) -> None:
        self.after_change(after)
        paper_list = self.query_one(PaperList)
        index = paper_list.index_of(after.id)
        if index is not None:
            paper_list.move_to(index)
        self.notify(f"Undid {step.description}: {after.paper.title}", markup=False)

    def _undo_failed(self, step: UndoStep | GroupUndoStep, error: Exception) -> None:
        if isinstance(error, KeyError):
            self.notify("Cannot undo: the paper is no longer in the library", severity="error")
            return
        self.undo_stack.push_back(step)
        self.notify(f"Not undone: {error}", severity="error", markup=False)

    # ---- folding the journal into the library file ----------------------------------------

    def _schedule_compact(self) -> None:
        if self._compact_timer is None:
            self._compact_timer = self.set_timer(COMPACT_DELAY_S, self._compact)
        else:
            self._compact_timer.reset()
            self._compact_timer.resume()

    def _compact(self) -> None:
        self._compact_timer = None
        self._compact_in_thread()

    @work(thread=True, exclusive=True, group="compact", description="compact")
    def _compact_in_thread(self) -> None:
        try:
            self.library.compact()
        except LibraryError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", markup=False)
