"""The library file as one JSON document per paper, each kept as the bytes the file holds.

A sync merges three versions of a file in which a handful of papers differ among 100,000:
parsing every paper of every version (~1.2 s each at 100,000) would cost more than the merge.
storage.py writes one paper per line, so each paper's document can be cut out of its line and
compared as bytes; only the papers that differ get parsed. A file in any other layout (TinyDB's,
a hand edit) is read whole by storage.py and re-encoded the way readlist writes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from readlist.core.errors import LibraryError
from readlist.core.library.storage import (
    ENCODE_CHUNK,
    LAYOUT_HEAD,
    META_TABLE,
    PAPERS_TABLE,
    check_schema,
    decode_library,
    entry_from_doc,
    layout_tail,
    library_from_document,
    stored_doc,
)

_ID_START = b'{"id":"'


@dataclass
class RawLibrary:
    """Papers as their stored JSON documents, keyed by paper id, in document-number order."""

    docs: dict[str, bytes] = field(default_factory=dict)
    seqs: dict[str, int] = field(default_factory=dict)
    other_tables: dict[str, Any] = field(default_factory=dict)


def read_documents(path: Path, source: BinaryIO) -> RawLibrary:
    """Split a library file into per-paper documents (LibraryError if it is not a library).

    Documents cut from readlist's own layout are not checked here: whoever writes them back
    checks the result. An empty file is an empty library, as for TinyDB.
    """
    raw = split_layout(path, source)
    if raw is not None:
        return raw
    source.seek(0)
    loaded = library_from_document(path, decode_library(path, source.read()))
    raw = RawLibrary(other_tables=loaded.other_tables)
    for entry in loaded.entries.values():
        raw.docs[entry.id] = orjson.dumps(stored_doc(entry))
        raw.seqs[entry.id] = entry.seq
    return raw


def split_layout(path: Path, source: BinaryIO) -> RawLibrary | None:
    """The documents of a file in storage.py's one-paper-per-line layout; None for any other.

    Line by line, so a 180 MB file is held once (as its documents), not twice.
    """
    if source.readline() != LAYOUT_HEAD:
        return None
    raw = RawLibrary()
    docs, seqs = raw.docs, raw.seqs
    last_seq = 0
    more = True  # the previous paper's line ended with a comma (or there was none yet)
    id_at = len(_ID_START)
    for line in source:
        if line[:1] == b"}":
            if more and docs:
                return None
            return raw if _tail(path, line, source.read(), raw) else None
        if not more or not line.endswith(b"\n"):
            return None
        if line.endswith(b",\n"):
            stop = -2
        else:
            stop, more = -1, False
        colon = line.find(b":")
        key = line[1 : colon - 1]
        if colon < 3 or line[:1] != b'"' or not key.isdigit() or line[stop - 1 : stop] != b"}":
            return None
        seq = int(key)
        doc = line[colon + 1 : stop]
        id_end = doc.find(b'"', id_at)
        if seq <= last_seq or not doc.startswith(_ID_START) or id_end == -1:
            return None
        paper_id = doc[id_at:id_end]
        if b"\\" in paper_id:
            return None
        key_id = paper_id.decode("utf-8", "replace")
        if key_id in docs:
            return None
        docs[key_id] = doc
        seqs[key_id] = seq
        last_seq = seq
    return None


def _tail(path: Path, line: bytes, rest: bytes, raw: RawLibrary) -> bool:
    """Read the closing line into `raw`; False if it is not the layout's closing line."""
    if rest.strip():
        return False
    body = line[1:].strip()
    if body == b"}":
        tables: Any = {}
    elif body[:1] == b",":
        try:
            tables = orjson.loads(b"{" + body[1:])
        except orjson.JSONDecodeError:
            return False
    else:
        return False
    if not isinstance(tables, dict) or PAPERS_TABLE in tables:
        return False
    check_schema(path, tables.get(META_TABLE))  # a newer schema is refused, not merged
    raw.other_tables = {k: v for k, v in tables.items() if k != META_TABLE}
    return True


def check_paper(path: Path, pid: str, doc: bytes, seq: int) -> None:
    """One document reads as a readlist paper with this id (LibraryError saying what is wrong)."""
    try:
        value = orjson.loads(doc)
    except orjson.JSONDecodeError:
        raise LibraryError(f"{path}: paper {pid} is not JSON") from None
    entry = entry_from_doc(path, str(seq), value, seq)
    if entry.id != pid:
        raise LibraryError(f"{path}: paper document {seq} holds id {entry.id!r}, not {pid!r}")


def encode_documents(
    path: Path, docs: Sequence[bytes], other_tables: dict[str, Any]
) -> Iterator[bytes]:
    """storage.py's layout for these documents, numbered 1, 2, ... in the order given, as
    pieces of about `ENCODE_CHUNK` papers (LibraryError if a table cannot be encoded)."""
    try:
        tail = layout_tail(other_tables)
    except orjson.JSONEncodeError as exc:
        raise LibraryError(f"{path}: could not save the library ({exc})") from None
    yield LAYOUT_HEAD
    last = len(docs)
    for start in range(0, last, ENCODE_CHUNK):
        parts: list[bytes] = []
        for seq in range(start + 1, min(start + ENCODE_CHUNK, last) + 1):
            parts += (b'"%d":' % seq, docs[seq - 1], b",\n" if seq < last else b"\n")
        yield b"".join(parts)
    yield tail


def write_documents(path: Path, pieces: Iterable[bytes]) -> None:
    """Write the pieces to `path` in place (a file git made for a merge driver, not the
    library itself, which is only ever replaced atomically); LibraryError if it fails."""
    try:
        with open(path, "wb") as handle:
            for piece in pieces:
                handle.write(piece)
    except OSError as exc:
        raise LibraryError(f"{path}: cannot write the merged library ({exc.strerror})") from None
