"""Abstracts read from the entry cache file when they are asked for, instead of held in memory.

Why: at 100,000 papers the abstracts held as str were ~145 MB of the app's ~340 MB; the app shows
one abstract at a time, and searches use the token index. A paper loaded from the entry cache
keeps a `StoredText` (~100 bytes) in its abstract slot and `Paper.abstract` reads the text with
one `os.pread` from the cache file (~2-4 us). The file stays open: readlist replaces a cache
with `os.replace`, never writes it in place, so the open file keeps the bytes the papers were
loaded with even after a newer cache, or none, takes its name.

Reads go through `os.pread` rather than a memory map: mapped pages that are read count in the
process's resident memory, which is what this saves.
"""

from __future__ import annotations

import ctypes
import functools
import os
import weakref
import zlib
from array import array
from collections.abc import Callable, Sequence

from readlist.core.models import ABSTRACT_SLOT, Paper

#: Abstracts shorter than this (UTF-8 bytes) stay in memory: a `StoredText` costs about as much.
MIN_STORED = 128

CAN_STORE = hasattr(os, "pread")  # POSIX; elsewhere abstracts stay in memory


class TextFile:
    """An open file that stored texts are read from; closed once no text refers to it."""

    __slots__ = ("__weakref__", "fd", "name")

    def __init__(self, fd: int, name: str) -> None:
        self.fd, self.name = fd, name  # `fd` is owned from here on
        weakref.finalize(self, os.close, fd)

    def read(self, offset: int, size: int) -> bytes:
        data = os.pread(self.fd, size, offset)
        if len(data) != size:  # cannot happen unless the cache file was changed in place
            raise OSError(f"{self.name}: cache file cut short at byte {offset + len(data)}")
        return data


class Chunk:
    """Where one chunk's abstracts lie in the file, and their lengths and fingerprints."""

    __slots__ = ("base", "bounds", "file", "fingerprints", "lengths")

    def __init__(
        self,
        file: TextFile,
        base: int,
        bounds: array[int],
        lengths: array[int],
        fingerprints: array[int],
    ) -> None:
        self.file, self.base = file, base
        self.bounds = bounds  # byte offsets from `base`: abstract i is bounds[i]:bounds[i + 1]
        self.lengths, self.fingerprints = lengths, fingerprints


class StoredText:
    """One abstract in a `Chunk` (see `models.StoredText`)."""

    __slots__ = ("chunk", "i")

    def __init__(self, chunk: Chunk, i: int) -> None:
        self.chunk, self.i = chunk, i

    def text(self) -> str:
        chunk, i = self.chunk, self.i
        start = chunk.bounds[i]
        data = chunk.file.read(chunk.base + start, chunk.bounds[i + 1] - start)
        return data.decode("utf-8", "surrogatepass")

    @property
    def length(self) -> int:
        return self.chunk.lengths[self.i]

    @property
    def fingerprint(self) -> int:
        return self.chunk.fingerprints[self.i]


def abstract_lengths(papers: Sequence[Paper]) -> list[int]:
    """`len(paper.abstract)` of each paper, without reading a stored abstract: ranking 8,000
    matches called `models.abstract_length` for each (~1 us, ~20 ms in all at 100,000
    papers)."""
    values = map(ABSTRACT_SLOT.__get__, papers)
    return [len(v) if type(v) is str else v.chunk.lengths[v.i] for v in values]


def fingerprint(title: str, abstract: bytes) -> int:
    """CRC-32 of a paper's title and UTF-8 abstract: what its search tokens are made from."""
    return zlib.crc32(abstract, zlib.crc32(f"{title}\n".encode("utf-8", "surrogatepass")))


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim  # glibc only
    except (OSError, AttributeError):
        return None
    return trim


def return_freed_memory() -> None:
    """Give the memory of abstracts just moved to disk back to the system (~7 ms).

    Each abstract was its own malloc block; glibc keeps freed blocks below the top of its heap
    for later mallocs, which Python's own allocator (mmap'd arenas) never makes, so the
    process stayed at 242 MB instead of 88 MB after reading 100,000 papers from the file."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
