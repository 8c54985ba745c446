"""A binary copy of a library's entries in the user's cache folder, so opening skips the JSON.

Why: at 100,000 papers, parsing the JSON file and checking every field takes ~1.2 s of the app's
start; reading the same entries back from this cache takes ~0.45 s. The library file stays the
only truth: the cache is used only when it names the same file and the file's signature (inode,
mtime_ns, size) is exactly the one it was written for. readlist replaces the file on every write
(a new inode) and any other writer changes its mtime, so any write makes the cache stale.

Written when readlist has just written the library file with no journal pending (an import) and
by `Library.close()`; a compaction during a session leaves it stale until the library is closed.

Abstracts of 128 bytes or more are not loaded: each chunk's are one bytes record that opening
steps over, and each paper keeps where its abstract lies (see `text_store.py`).
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from readlist.core.library.cache_files import (
    UNUSABLE,
    cache_path,
    forget_missing_libraries,
    open_cache,
    read_record,
    skip_bytes_record,
    write_cache_kept,
)
from readlist.core.library.safe_files import FileSig, sig_of
from readlist.core.library.storage import (
    DEFAULT_STATE,
    LoadedFile,
    build_entry,
    build_paper,
    intern_text,
)
from readlist.core.library.text_store import (
    CAN_STORE,
    MIN_STORED,
    Chunk,
    StoredText,
    TextFile,
    fingerprint,
)
from readlist.core.models import (
    ABSTRACT_SLOT,
    Entry,
    Paper,
    PaperState,
    gc_paused,
    stored_fingerprint,
)

#: Changes whenever the row layout does: an older cache is then ignored.
_MAGIC = b"readlist entry cache 3\n"
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
    text_file: TextFile | None = None
    try:
        with handle, gc_paused():
            head = read_record(handle)
            if head[:2] != (str(library), sig):
                return None
            other_tables, count, schema = orjson.loads(head[2]), head[3], head[4]
            if CAN_STORE:  # the abstracts are read from this very file, later
                text_file = TextFile(os.dup(handle.fileno()), str(handle.name))
            entries: dict[str, Entry] = {}
            while len(entries) < count:
                chunk = _chunk(handle, text_file)
                _add_rows(entries, read_record(handle), chunk)
            if read_record(handle) != ("end", count) or len(entries) != count:
                return None
    except (*UNUSABLE, orjson.JSONDecodeError):
        return None
    return LoadedFile(entries, other_tables, sig, cached=True, schema=schema)


def _chunk(handle: BinaryIO, text_file: TextFile | None) -> Chunk | None:
    """Where the abstracts of the next rows are stored (None if they hold none)."""
    bounds, lengths, fingerprints = (array("I", part) for part in read_record(handle))
    start, size = skip_bytes_record(handle)
    if not lengths:
        return None
    if text_file is None or len(bounds) != len(lengths) + 1 or bounds[-1] != size:
        raise ValueError("stored abstracts do not match their record")
    return Chunk(text_file, start, bounds, lengths, fingerprints)


def _add_rows(entries: dict[str, Entry], rows: list[tuple[Any, ...]], chunk: Chunk | None) -> None:
    stored = 0
    for row in rows:
        seq, pid, title, abstract, date, github, links, source, added, st, rd, note, tags, meta = (
            row
        )
        if abstract is None:  # stored in the file (IndexError if the chunk has no more)
            if chunk is None or stored >= len(chunk.lengths):
                raise IndexError("more stored abstracts than the chunk holds")
            abstract = StoredText(chunk, stored)
            stored += 1
        state = PaperState(st, rd, note, tags) if st or rd or note or tags else DEFAULT_STATE
        if date is not None:
            date = intern_text(date)
        paper = build_paper(pid, title, abstract, date, github, links, intern_text(source), meta)
        entries[pid] = build_entry(paper, state, intern_text(added), seq)


#: One chunk as written: its papers whose abstracts are stored, and where those lie.
Written = tuple[list[Paper], "array[int]", "array[int]", "array[int]"]


def _rows(entries: Sequence[Entry], written: list[Written]) -> Iterator[Any]:
    """The records of one chunk: where its stored abstracts lie, them, then its rows."""
    rows: list[tuple[Any, ...]] = []
    bounds, lengths, fingerprints = array("I", [0]), array("I"), array("I")
    parts: list[bytes] = []
    stored_papers: list[Paper] = []
    for entry in entries:
        p, s = entry.paper, entry.state
        text = p.abstract
        data = text.encode("utf-8", "surrogatepass")
        stored = CAN_STORE and len(data) >= MIN_STORED
        if stored:
            stored_papers.append(p)
            parts.append(data)
            bounds.append(bounds[-1] + len(data))
            lengths.append(len(text))
            known = stored_fingerprint(p)
            fingerprints.append(fingerprint(p.title, data) if known is None else known)
        rows.append(
            (
                entry.seq,
                p.id,
                p.title,
                None if stored else text,
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
        )
    yield (bounds.tobytes(), lengths.tobytes(), fingerprints.tobytes())
    yield b"".join(parts)
    yield rows
    written.append((stored_papers, bounds, lengths, fingerprints))


def save(
    library: Path,
    entries: Sequence[Entry],
    other_tables: dict[str, Any],
    sig: FileSig,
    schema: int,
    *,
    store: bool = False,
) -> bool:
    """Write the cache for `entries` as read from the library file with signature `sig`.

    With `store`, the papers' abstracts are then read from the written cache instead of held
    (for papers just read from the file, that no other thread has seen yet): a library read
    from its JSON file holds no more than one opened from the cache.

    Best effort: a cache that cannot be written (read-only home, full disk) is not there.
    """
    written: list[Written] = []

    def records() -> Iterator[Any]:
        yield (str(library), sig, orjson.dumps(other_tables), len(entries), schema)
        for start in range(0, len(entries), _CHUNK):
            yield from _rows(entries[start : start + _CHUNK], written)
        yield ("end", len(entries))

    target = cache_path(library, "entries")
    offsets: list[int] = []
    try:
        with gc_paused():
            reader = write_cache_kept(target, _MAGIC, records(), offsets)
    except orjson.JSONEncodeError:
        return False
    forget_missing_libraries(target.parent)  # a rare moment (import, close) to tidy up
    if reader is None:
        return False
    if not (store and CAN_STORE):
        os.close(reader)
        return True
    text_file = TextFile(reader, str(target))
    chunks: list[tuple[Chunk, list[Paper]]] = []
    for i, (papers, bounds, lengths, fingerprints) in enumerate(written):
        if papers:  # the chunk's abstracts are record 2 + 3 i: a length, then marshal's bytes
            start = offsets[2 + 3 * i] + 8
            head = os.pread(reader, 5, start)
            if (
                len(head) != 5
                or head[0] & 0x7F != 0x73
                or head[1:] != bounds[-1].to_bytes(4, "little")
            ):
                return True  # not laid out as expected: the abstracts stay in memory
            chunks.append((Chunk(text_file, start + 5, bounds, lengths, fingerprints), papers))
    for chunk, papers in chunks:
        for at, paper in enumerate(papers):
            ABSTRACT_SLOT.__set__(paper, StoredText(chunk, at))
    return True
