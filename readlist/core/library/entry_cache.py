"""A binary copy of a library's entries in the user's cache folder, so opening skips the JSON.

Why: at 100,000 papers, parsing the JSON file and checking every field takes ~1.2 s of the app's
start; reading the same entries back from this cache takes ~0.45 s. The library file stays the
only truth: the cache is used only when it names the same file and the file's signature (inode,
mtime_ns, size) is exactly the one it was written for. readlist replaces the file on every write
(a new inode) and any other writer changes its mtime, so any write makes the cache stale.

Written when readlist has just written the library file with no journal pending (an import) and
by `Library.close()`; a compaction during a session leaves it stale until the library is closed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from readlist.core.library.cache_files import (
    UNUSABLE,
    cache_path,
    forget_missing_libraries,
    open_cache,
    read_record,
    write_cache,
)
from readlist.core.library.safe_files import FileSig, sig_of
from readlist.core.library.storage import (
    DEFAULT_STATE,
    LoadedFile,
    build_entry,
    build_paper,
    intern_text,
)
from readlist.core.models import Entry, PaperState, gc_paused

#: Changes whenever the row layout does: an older cache is then ignored.
_MAGIC = b"readlist entry cache 2\n"
#: Rows per record: writing one holds the GIL, so a worker thread writing the cache of 100,000
#: papers leaves the UI thread a turn between records.
_CHUNK = 2000


def load(library: Path) -> LoadedFile | None:
    """The library's entries from its cache, or None if there is no current, intact cache."""
    try:  # the cache never lets in a user who cannot read the library itself
        with open(library, "rb") as proof:
            sig = sig_of(os.fstat(proof.fileno()))
    except OSError:
        return None
    handle = open_cache(cache_path(library, "entries"), _MAGIC)
    if handle is None:
        return None
    try:
        with handle, gc_paused():
            head = read_record(handle)
            if head[:2] != (str(library), sig):
                return None
            other_tables, count, schema = orjson.loads(head[2]), head[3], head[4]
            entries: dict[str, Entry] = {}
            while len(entries) < count:
                _add_rows(entries, read_record(handle))
            if read_record(handle) != ("end", count) or len(entries) != count:
                return None
    except (*UNUSABLE, orjson.JSONDecodeError):
        return None
    return LoadedFile(entries, other_tables, sig, cached=True, schema=schema)


def _add_rows(entries: dict[str, Entry], rows: list[tuple[Any, ...]]) -> None:
    for row in rows:
        seq, pid, title, abstract, date, github, links, source, added, st, rd, note, tags, meta = (
            row
        )
        state = PaperState(st, rd, note, tags) if st or rd or note or tags else DEFAULT_STATE
        if date is not None:
            date = intern_text(date)
        paper = build_paper(pid, title, abstract, date, github, links, intern_text(source), meta)
        entries[pid] = build_entry(paper, state, intern_text(added), seq)


def _row(entry: Entry) -> tuple[Any, ...]:
    p, s = entry.paper, entry.state
    return (
        entry.seq,
        p.id,
        p.title,
        p.abstract,
        p.date,
        p.github,
        p.links,
        p.source,
        entry.added,
        s.starred,
        s.read,
        s.note,
        s.tags,
        p.meta(),  # None for most papers: a pasted feed has none of the source's fields
    )


def save(
    library: Path,
    entries: Sequence[Entry],
    other_tables: dict[str, Any],
    sig: FileSig,
    schema: int,
) -> bool:
    """Write the cache for `entries` as read from the library file with signature `sig`.

    Best effort: a cache that cannot be written (read-only home, full disk) is not there.
    """

    def records() -> Iterator[Any]:
        yield (str(library), sig, orjson.dumps(other_tables), len(entries), schema)
        for start in range(0, len(entries), _CHUNK):
            yield [_row(e) for e in entries[start : start + _CHUNK]]
        yield ("end", len(entries))

    target = cache_path(library, "entries")
    try:
        with gc_paused():
            written = write_cache(target, _MAGIC, records())
    except orjson.JSONEncodeError:
        return False
    forget_missing_libraries(target.parent)  # a rare moment (import, close) to tidy up
    return written
