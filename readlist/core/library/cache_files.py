"""Files in the user's cache folder that let readlist skip work it did before.

Every cache here is a copy of something readlist can rebuild from the library file, and is read
only after checking that it still describes that file: a missing, stale, damaged or foreign cache
is ignored, never trusted. Caches hold paper text and notes, so they are 0600 in a 0700 folder.

A cache file is a magic line, then length-prefixed `marshal` records: `marshal.load` on a file
reads through the file object and is ~4x slower than reading a record's bytes and `loads`.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

import platformdirs

#: Errors that mean "this cache is unusable", from reading or decoding it.
UNUSABLE = (OSError, EOFError, ValueError, TypeError, IndexError, KeyError)


def cache_folder() -> Path:
    """The user's cache folder for readlist ($XDG_CACHE_HOME/readlist on Linux)."""
    return platformdirs.user_cache_path("readlist", appauthor=False)


def cache_path(library: Path, kind: str) -> Path:
    """Where the `kind` cache of the library at `library` (an absolute path) lives."""
    digest = hashlib.sha1(str(library).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return cache_folder() / f"{digest}.{kind}"


def read_record(handle: BinaryIO) -> Any:
    """The next record of a cache file (EOFError if the file is cut short)."""
    size = int.from_bytes(handle.read(8), "little")
    data = handle.read(size)
    if len(data) != size:
        raise EOFError("cache file cut short")
    return marshal.loads(data)


def skip_bytes_record(handle: BinaryIO) -> tuple[int, int]:
    """Step over a record that is one `bytes` object without reading it: its data's offset in
    the file and its size. Marshal writes bytes as the type code `s` (0x80 may flag a
    reference) and a 4-byte little-endian length, then the bytes as they are."""
    size = int.from_bytes(handle.read(8), "little")
    head = handle.read(5)
    if len(head) != 5 or head[0] & 0x7F != 0x73 or int.from_bytes(head[1:], "little") != size - 5:
        raise ValueError("cache record is not bytes")
    start = handle.tell()
    handle.seek(size - 5, os.SEEK_CUR)
    return start, size - 5


def write_cache(target: Path, magic: bytes, records: Iterable[Any]) -> bool:
    """Write a cache file atomically (temp file + rename); False if it could not be written.

    Best effort, no fsync: after a crash a cache is at worst missing or cut short, and then
    ignored.
    """
    reader = write_cache_kept(target, magic, records, [])
    if reader is None:
        return False
    os.close(reader)
    return True


def write_cache_kept(
    target: Path, magic: bytes, records: Iterable[Any], offsets: list[int]
) -> int | None:
    """`write_cache`, appending each record's offset in the file to `offsets`: a file
    descriptor open on the written file (the caller closes it; whatever replaces the cache
    later, it reads what was written here), or None if it could not be written."""
    tmp: str | None = None
    reader: int | None = None
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        reader = os.dup(fd)
        with os.fdopen(fd, "wb") as handle:
            handle.write(magic)
            at = len(magic)
            for record in records:
                data = marshal.dumps(record)
                offsets.append(at)
                handle.write(len(data).to_bytes(8, "little"))
                handle.write(data)
                at += 8 + len(data)
        os.replace(tmp, target)
        tmp = None
        kept, reader = reader, None
        return kept
    except (OSError, ValueError):
        return None
    finally:
        if reader is not None:
            os.close(reader)
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def forget_missing_libraries(folder: Path) -> None:
    """Delete the caches of libraries that no longer exist: a deleted 100,000-paper library
    would otherwise leave ~190 MB behind. Every cache's first record starts with its library's
    path; files that are not readlist caches are left alone."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        target = folder / name
        try:
            with open(target, "rb") as handle:
                magic = handle.readline()
                # any version of any readlist cache (`readlist entry cache 2`) starts this way
                if not (magic.startswith(b"readlist ") and b" cache " in magic):
                    continue
                library = read_record(handle)[0]
            if isinstance(library, str) and not os.path.exists(library):
                target.unlink()
        except UNUSABLE:
            continue


def open_cache(target: Path, magic: bytes) -> BinaryIO | None:
    """The cache file open after its magic line, or None if it is missing or not this kind."""
    try:
        handle = open(target, "rb")  # noqa: SIM115 - the caller closes it
    except OSError:
        return None
    if handle.read(len(magic)) != magic:
        handle.close()
        return None
    return handle
