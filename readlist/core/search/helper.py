"""A forked process that loads the saved search index and answers searches until this process
has loaded its own.

Why: at 100,000 papers the saved index costs this process ~150 ms to load and adopt, on the GIL
the first frames are drawn on, and a search typed at the first paint waited for it (250-400 ms
to its result). Forked before the app starts, the helper loads the index on the other core and
is ready by the first paint; a search asks it for the positions that match in each slice of the
library (and their ranking), down a pipe, until the app's own index is in.

The helper holds the library as it was at the fork: an answer is used only while the library is
unchanged since (`version`), and the query is sent as its text and parsed there the same way.

Its cost is memory, for the second or so it lives: at 100,000 papers ~150 MB of its own (the
index it loads, and the pages of the library it reads, which the fork then copies: reading an
object writes its reference count).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Sequence
from contextlib import suppress

from readlist.core.library import Library
from readlist.core.models import Entry, gc_paused
from readlist.core.search.index_cache import exists as index_saved
from readlist.core.search.pipes import receive, send
from readlist.core.search.query import (
    parse_query,
    picked,
    search_index,
    search_positions,
    search_rows,
)
from readlist.core.search.ranking import relevance

# Each slice's matching positions, and the matches' ranked order (indices into the matches in
# slice order) when asked for and it is not their order already.
Answer = tuple[list[list[int]], list[int] | None]


def _widen(pipe: int) -> None:
    """Make a pipe hold a whole answer (~0.5 MB for 57,000 matches), where Linux can: in 64 kB
    steps each read here waits for the GIL. With another thread here busy, asking for 57,000
    matches took 47-111 ms through a 64 kB pipe, 29-44 ms through a 1 MB one."""
    try:
        import fcntl  # not on Windows, where there is no helper anyway (no `os.fork`)
    except ImportError:
        return
    size = getattr(fcntl, "F_SETPIPE_SZ", None)
    if size is not None:
        with suppress(OSError):
            fcntl.fcntl(pipe, size, 1 << 20)


class SearchHelper:
    """The parent's end: `ask` sends a search, waits for its answer (call it off the UI's event
    loop); `close` ends the helper."""

    def __init__(self, pid: int, requests: int, answers: int, version: int) -> None:
        self.pid = pid
        self.version = version  # of the library when forked: answers hold for it only
        self._requests = requests
        self._answers = answers
        self._lock = threading.Lock()  # one exchange at a time: answers come in order
        self._open = True
        # Guards the pid: once the helper is reaped the system may give its pid to another
        # process, which a later kill must never reach (`close` is called more than once).
        self._pid_lock = threading.Lock()
        self._reaped = False

    @classmethod
    def start(cls, library: Library, slice_size: int) -> SearchHelper | None:
        """Fork a helper for `library` searched in slices of `slice_size`; None where there is
        no saved index to load, no `os.fork`, or another thread (a fork copies one thread)."""
        if (
            not hasattr(os, "fork")
            or threading.active_count() != 1
            or not index_saved(library.path)
        ):
            return None
        entries = library.entries()
        version = library.version
        ends: list[int] = []
        try:
            ends += os.pipe()
            ends += os.pipe()
            pid = os.fork()
        except OSError:
            for end in ends:
                os.close(end)
            return None
        requests_in, requests_out, answers_in, answers_out = ends
        _widen(answers_in)
        if pid == 0:  # the helper: never returns into the caller's code
            status = 1
            try:
                os.close(requests_out)
                os.close(answers_in)
                _serve(entries, library, slice_size, requests_in, answers_out)
                status = 0
            finally:
                os._exit(status)
        os.close(requests_in)
        os.close(answers_out)
        return cls(pid, requests_out, answers_in, version)

    @property
    def running(self) -> bool:
        return self._open

    def ask(self, text: str, ranked: bool, within: list[list[int]] | None) -> Answer | None:
        """The answer to the query `text` (ranked: with the matches' ranked order), testing only
        `within` if given (each slice's positions that an earlier query matched). None once the
        helper has ended (closed, or it failed): search here instead."""
        with self._lock:
            if not self._open:
                return None
            try:
                send(self._requests, (text, ranked, within))
                answer: Answer = receive(self._answers)
                return answer
            except (OSError, EOFError, ValueError, TypeError):
                self._end()
                return None

    def close(self) -> None:
        """End the helper (it is killed if it is still loading or answering: an `ask` waiting
        for it then returns None) and reap it; again, it does nothing."""
        self._kill()
        with self._lock:
            self._end()

    def _kill(self) -> None:
        with self._pid_lock:
            if not self._reaped:
                with suppress(OSError):
                    os.kill(self.pid, signal.SIGKILL)

    def _end(self) -> None:
        if not self._open:
            return
        self._open = False
        for end in (self._requests, self._answers):
            with suppress(OSError):
                os.close(end)
        with self._pid_lock:
            with suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self._reaped = True


def _serve(
    entries: list[Entry], library: Library, slice_size: int, requests: int, answers: int
) -> None:
    """The helper's loop: load the saved index and the slices' rows, then answer until the
    parent closes its end."""
    with gc_paused():
        search_index().load_saved(entries, library.path, defer=True)  # no records: not needed
        slices = [entries[at : at + slice_size] for at in range(0, len(entries), slice_size)]
        for number, part in enumerate(slices):
            search_rows(part, start=number * slice_size)
    filed = False
    while True:
        try:
            text, ranked, within = receive(requests)
        except EOFError:
            return
        send(answers, _answer(slices, entries, text, ranked, within))
        if not filed:  # after the first answer: a search of any other list looks papers up
            with gc_paused():
                search_index().file_loaded()
            filed = True


def _answer(
    slices: Sequence[list[Entry]],
    entries: list[Entry],
    text: str,
    ranked: bool,
    within: list[list[int]] | None,
) -> Answer:
    query = parse_query(text)
    positions = [
        search_positions(part, query, None if within is None else within[number])
        for number, part in enumerate(slices)
    ]
    if not ranked:
        return positions, None
    found = [
        entry for number, part in enumerate(slices) for entry in picked(part, positions[number])
    ]
    scores = relevance(found, query, entries)  # as `rank` orders them
    if not any(scores):  # (a word most papers hold says nothing): feed order, as `rank` keeps
        return positions, None
    return positions, sorted(range(len(found)), key=scores.__getitem__, reverse=True)
