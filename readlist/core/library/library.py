"""The Library: every paper and the user's state for it, in one TinyDB JSON file.

Reads come from memory. A state change (star, read, note, tags) is appended to a journal beside the
file and fsync'd before the setter returns, so it costs well under a millisecond of disk time at any
library size; `compact()` folds the journal into the TinyDB file (temp file, fsync, atomic replace).
An import rewrites the file whole the same way. Every change happens under `<library>.lock`, after
checking (by stat) whether another process changed the file or the journal, and what is loaded is
checked under the lock too, so several readlist processes share one library without losing each
other's changes (last writer wins per field).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import filelock

from readlist.core.errors import LibraryError, ReadOnlyError
from readlist.core.library import entry_cache
from readlist.core.library.changes import (
    clean_many_states,
    clean_state_fields,
    restate,
    upsert_papers,
)
from readlist.core.library.journal import Journal
from readlist.core.library.opening import LOCK_TIMEOUT, claim, read_current
from readlist.core.library.safe_files import (
    FileSig,
    commit_temp,
    copy_durably,
    describe_os_error,
    discard_temp,
    file_sig,
    remove_stale_temp_files,
    write_temp,
)
from readlist.core.library.storage import (
    SCHEMA,
    LoadedFile,
    encode_library,
    write_library,
)
from readlist.core.models import Entry, Paper, gc_paused
from readlist.core.text import plural

__all__ = ["Counts", "ImportResult", "Library", "LibraryError", "ReadOnlyError"]

#: `refresh()` runs on the UI's timer: it would rather try again next tick than block the UI.
REFRESH_LOCK_TIMEOUT = 0.2
MIN_PREFIX = 4


@dataclass(frozen=True)
class ImportResult:
    """What one import did: papers in the feed, how many were new, how many got fresher content."""

    source: str
    total: int
    new: int
    updated: int

    def summary(self) -> str:
        """`hf 2026-11-30: 43 papers, 41 new, 2 updated`: how every import is reported."""
        return (
            f"{self.source}: {plural(self.total, 'paper')}, {self.new:,} new, "
            f"{self.updated:,} updated"
        )


@dataclass(frozen=True)
class Counts:
    """The numbers the status bar shows."""

    total: int
    unread: int
    starred: int


class Library:
    """The user's papers; create with `Library.open(path)`. Safe to call from several threads."""

    def __init__(self, path: Path, read_only: bool, lock: filelock.BaseFileLock | None) -> None:
        self.path = path
        self.read_only = read_only
        self.version = 0
        self._lock = lock
        # `_writer` serialises this process's disk work (it is held with the file lock; filelock
        # itself is not thread-safe here); `_mutex` guards memory and is only held briefly, so the
        # UI thread can read while a worker thread waits for the file lock or writes.
        self._writer = threading.RLock()
        self._mutex = threading.RLock()
        self._compacting = threading.Lock()
        self._journal = Journal(path.with_name(path.name + ".journal"))
        self._by_id: dict[str, Entry] = {}  # in seq (feed) order: loads sort, imports append
        self._other_tables: dict[str, Any] = {}
        self._file_sig: FileSig | None = None
        self._sorted: list[Entry] | None = None
        self._position: dict[str, int] = {}
        self._sorted_given_out = False
        self._counts: tuple[int, Counts] | None = None
        self._cached_sig: FileSig | None = None  # the file signature the entry cache was read for
        self._file_schema = SCHEMA  # the file's, until the next write migrates an older one

    # ----------------------------------------------------------------- opening

    @classmethod
    def open(cls, path: str | Path) -> Library:
        """Open (or create, 0600 in a 0700 folder) the library at `path`.

        Raises LibraryError without touching the file if it cannot be read or is not a library.
        A library the user cannot write opens with `read_only=True`.
        """
        path, lock = claim(path)
        library = cls(path, lock is None, lock)
        with library._locked(LOCK_TIMEOUT):
            library._reload()
            if library._file_sig is None and not library.read_only:
                library._write_file(library._by_id)
            if not library.read_only:
                remove_stale_temp_files(path)
        return library

    def close(self) -> None:
        """Fold any journal into the TinyDB file, so stock TinyDB sees every change, and leave a
        current entry cache so the next open is quick."""
        if not self.read_only and self.pending():
            self.compact()
        with contextlib.suppress(LibraryError):  # only a cache: the next open reads the file
            self.save_cache()

    def save_cache(self) -> None:
        """Write the entry cache if it is not current and memory is exactly the file: nothing
        pending and no other process wrote since (it writes its own when it closes). Waits only
        briefly for the lock and never reloads: it is only a cache."""
        if self._file_sig is None or self._cached_sig == self._file_sig:
            return  # current already (the usual close): no lock to wait for
        with self._locked(REFRESH_LOCK_TIMEOUT):
            sig = self._file_sig
            if (
                sig is None
                or self._cached_sig == sig
                or self._journal.lines
                or file_sig(self.path) != sig
                or self._journal.status() != "same"
            ):
                return
            with self._mutex:
                snapshot = list(self._by_id.values())
            other_tables = self._other_tables
        entry_cache.save(self.path, snapshot, other_tables, sig, self._file_schema)
        self._cached_sig = sig

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- reading

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self._by_id

    def get(self, paper_id: str) -> Entry:
        """The entry with exactly this id (KeyError if there is none)."""
        return self._by_id[paper_id]

    def entries(self) -> list[Entry]:
        """Every entry, newest day first (undated last), feed order within a day. Do not mutate."""
        with self._mutex:
            if self._sorted is None:
                ordered = list(self._by_id.values())  # kept in seq (feed) order
                ordered.sort(key=lambda e: e.paper.date or "", reverse=True)  # stable
                self._sorted = ordered
                self._position = {e.id: i for i, e in enumerate(ordered)}
            self._sorted_given_out = True
            return self._sorted

    def resolve(self, prefix: str) -> Entry:
        """The one entry whose id starts with `prefix` (at least 4 characters)."""
        wanted = prefix.strip().lower()
        with self._mutex:
            if wanted in self._by_id:
                return self._by_id[wanted]
            if len(wanted) < MIN_PREFIX:
                raise LibraryError(
                    f"id {prefix!r} is too short: give at least {MIN_PREFIX} characters"
                )
            matches = [pid for pid in self._by_id if pid.startswith(wanted)]
        if not matches:
            raise LibraryError(f"no paper with an id starting {wanted!r}")
        if len(matches) > 1:
            shown = ", ".join(sorted(matches)[:5]) + (", ..." if len(matches) > 5 else "")
            raise LibraryError(f"id {wanted!r} is ambiguous: it matches {shown}")
        return self._by_id[matches[0]]

    def counts(self) -> Counts:
        with self._mutex:
            if self._counts is None or self._counts[0] != self.version:
                states = [e.state for e in self._by_id.values()]
                counts = Counts(
                    total=len(states),
                    unread=sum(1 for s in states if not s.read),
                    starred=sum(1 for s in states if s.starred),
                )
                self._counts = (self.version, counts)
            return self._counts[1]

    def pending(self) -> int:
        """Journal lines not yet folded into the TinyDB file."""
        return self._journal.lines

    # ----------------------------------------------------------------- changing state

    def set_starred(self, paper_id: str, starred: bool) -> Entry:
        return self.update_state(paper_id, starred=starred)

    def set_read(self, paper_id: str, read: bool) -> Entry:
        return self.update_state(paper_id, read=read)

    def set_note(self, paper_id: str, note: str) -> Entry:
        return self.update_state(paper_id, note=note)

    def set_tags(self, paper_id: str, tags: Sequence[str]) -> Entry:
        return self.update_state(paper_id, tags=tags)

    def update_state(self, paper_id: str, **fields: Any) -> Entry:
        """Change some state fields of one paper; returns once the change is on disk."""
        values = clean_state_fields(fields)
        self._refuse_if_read_only()
        with self._locked(LOCK_TIMEOUT):
            self._sync()
            entry = self._by_id[paper_id]
            changed = entry.with_state(**values)
            if changed.state == entry.state:
                return entry
            self._journal.append(paper_id, values)
            with self._mutex:
                self._replace(changed)
                self.version += 1
            return changed

    def update_states(self, changes: Mapping[str, Mapping[str, Any]]) -> list[Entry]:
        """Change state fields of many papers at once: all of them or none, on disk on return.

        One journal write and one fsync for the lot (a batch, see journal.py): marking 100,000
        papers read is one step, not 100,000 fsyncs. Returns the entries after the change in the
        order given; an unknown id is a KeyError before anything is written.
        """
        values = clean_many_states(changes)
        self._refuse_if_read_only()
        with self._locked(LOCK_TIMEOUT), gc_paused():  # 100,000 new entries: no GC passes
            self._sync()
            result = restate(self._by_id, values)
            if result.changed:
                self._journal.append_batch(result.lines)
                with self._mutex:
                    self._replace(*result.changed)
                    self.version += 1
            return result.after

    # ----------------------------------------------------------------- import and compaction

    def import_papers(self, papers: Sequence[Paper], source: str) -> ImportResult:
        """Add new papers and refresh changed content of known ones; user state is never touched.

        Writes the whole file (folding in the journal) only if something changed.
        """
        self._refuse_if_read_only()
        with self._locked(LOCK_TIMEOUT):
            self._sync()
            added = datetime.now(timezone.utc).isoformat(timespec="seconds")
            with gc_paused():
                upsert = upsert_papers(self._by_id, papers, source, added)
                if upsert.new or upsert.updated:
                    self._write_file(upsert.entries)
            if upsert.new or upsert.updated:
                with self._mutex:
                    self._by_id = upsert.entries
                    self._content_changed()
            return ImportResult(source, len(papers), upsert.new, upsert.updated)

    def compact(self) -> None:
        """Fold the journal into the TinyDB file (atomic rewrite), keeping later journal lines.

        The slow part (encoding and writing the whole file) runs without the lock, so changes
        made meanwhile, here or in another process, only wait for the short locked steps.
        """
        self._refuse_if_read_only()
        with self._compacting:
            with self._locked(LOCK_TIMEOUT):
                self._sync()
                if not self._journal.lines:
                    return
                with self._mutex:
                    snapshot = list(self._by_id.values())  # kept in seq order
                base_sig, other_tables = self._file_sig, self._other_tables
                journal, folded_end, folded_lines = (
                    self._journal,
                    self._journal.offset,
                    self._journal.lines,
                )
            tmp = write_temp(self.path, encode_library(self.path, snapshot, other_tables))
            committed = False
            try:
                with self._locked(LOCK_TIMEOUT):
                    if (
                        file_sig(self.path) != base_sig
                        or self._journal is not journal
                        or journal.status() == "reset"
                    ):
                        return  # someone else compacted or imported meanwhile: theirs stands
                    backup = self._keep_old_schema_copy()
                    self._file_sig = commit_temp(tmp, self.path)
                    self._migrated(backup)
                    committed = True
                    journal.drop_head(folded_end, folded_lines)
            finally:
                if not committed:
                    discard_temp(tmp)

    def refresh(self) -> bool:
        """Pick up other processes' changes; cheap (two stats) when there are none.

        Never waits long: if this process or another is busy writing, it tries again next time.
        A replaced file is read and parsed before taking any lock, so calling this from a worker
        thread keeps both the UI and other processes free while a big library reloads.
        """
        file_changed = self._file_sig != file_sig(self.path)
        if not file_changed and self._journal.status() == "same":
            return False
        preloaded = read_current(self.path) if file_changed else None
        if not self._writer.acquire(blocking=False):
            return False
        try:
            if self._lock is None:
                return self._sync(preloaded)
            try:
                self._lock.acquire(timeout=REFRESH_LOCK_TIMEOUT)
            except filelock.Timeout:
                return False
            try:
                return self._sync(preloaded)
            finally:
                self._lock.release()
        finally:
            self._writer.release()

    # ----------------------------------------------------------------- internals

    @contextlib.contextmanager
    def _locked(self, timeout: float) -> Iterator[None]:
        """Hold this process's writer lock and the library's file lock."""
        with self._writer:
            if self._lock is None:
                yield
                return
            try:
                self._lock.acquire(timeout=timeout)
            except filelock.Timeout:
                raise LibraryError(f"{self.path}: locked by another process for too long") from None
            except OSError as exc:
                raise LibraryError(f"{self.path}: cannot lock ({describe_os_error(exc)})") from None
            try:
                yield
            finally:
                self._lock.release()

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise ReadOnlyError(f"{self.path}: the library is read-only; nothing was changed")

    def _sync(self, preloaded: LoadedFile | None = None) -> bool:
        """Bring memory up to date with disk (hold `_locked`); True if anything changed."""
        if file_sig(self.path) != self._file_sig:
            self._reload(preloaded)
            return True
        status = self._journal.status()
        if status == "reset":
            self._reload()
            return True
        if status == "grew":
            changes = self._journal.read_new()
            with self._mutex:
                for change in changes:
                    entry = self._by_id.get(change.id)
                    if entry is not None:
                        self._replace(entry.with_state(**change.fields))
                if changes:
                    self.version += 1
            return bool(changes)
        return False

    def _reload(self, preloaded: LoadedFile | None = None) -> None:
        """Read the file (unless `preloaded` is still current) and replay the whole journal.

        On error nothing in memory changes.
        """
        if preloaded is not None and preloaded.sig == file_sig(self.path):
            loaded = preloaded
        else:
            loaded = read_current(self.path)
        journal = Journal(self._journal.path)
        by_id = loaded.entries
        for change in journal.read_new():
            entry = by_id.get(change.id)
            if entry is not None:
                by_id[change.id] = entry.with_state(**change.fields)
        with self._mutex:
            self._by_id, self._other_tables = by_id, loaded.other_tables
            self._file_sig, self._journal = loaded.sig, journal
            self._file_schema = loaded.schema
            if loaded.cached:
                self._cached_sig = loaded.sig
            self._content_changed()

    def _write_file(self, by_id: dict[str, Entry]) -> None:
        """Write these entries as the whole file and empty the journal (raises LibraryError)."""
        entries = list(by_id.values())
        backup = self._keep_old_schema_copy()
        self._file_sig = write_library(self.path, entries, self._other_tables)
        self._migrated(backup)
        self._journal.truncate()
        entry_cache.save(self.path, entries, self._other_tables, self._file_sig, SCHEMA)
        self._cached_sig = self._file_sig

    def _keep_old_schema_copy(self) -> Path | None:
        """Before the first write over a file of an older schema: a durable copy of it beside it
        (`library.json.schema1.bak`), kept until the migrated file is written and synced."""
        if self._file_schema >= SCHEMA or self._file_sig is None:
            return None
        backup = self.path.with_name(f"{self.path.name}.schema{self._file_schema}.bak")
        copy_durably(self.path, backup)
        return backup

    def _migrated(self, backup: Path | None) -> None:
        self._file_schema = SCHEMA
        if backup is not None:
            with contextlib.suppress(OSError):
                backup.unlink()

    def _content_changed(self) -> None:
        self._sorted = None
        self._position = {}
        self.version += 1

    def _replace(self, *entries: Entry) -> None:
        """Swap in state-changed entries, keeping the sorted list (copied if callers hold it)."""
        by_id = self._by_id
        if self._sorted is None:
            for entry in entries:
                by_id[entry.paper.id] = entry
            return
        if self._sorted_given_out:
            self._sorted = list(self._sorted)
            self._sorted_given_out = False
        ordered, position = self._sorted, self._position
        for entry in entries:
            paper_id = entry.paper.id
            by_id[paper_id] = entry
            ordered[position[paper_id]] = entry
