"""The search index's token strings kept in the user's cache folder between sessions.

Why: tokenising a paper costs ~60-80 us in Python, so indexing 100,000 papers takes 7-9 s after
every start, and until it is done searches fall back to scanning text that must be held in memory
(~165 MB). With this cache only the papers that are new or changed since the last session are
tokenised. A paper's cached tokens are used only if the CRC-32 of its title and abstract is the
one they were made from; the ids inside the token strings refer to the vocabulary saved with
them, so a cache is taken whole into an empty index or not at all.

Layout: the cache is loaded before the first search can run, so it is made of few large objects
that split at C speed. Version 1 held one (id, crc, tokens, letters) tuple a paper: 0.4-0.5 s to
load at 100,000 papers, most of it decoding 100,000 small strings from UTF-8. Now each chunk of
papers is one record of their ids joined by newlines, their CRCs as an array, all their token
strings as one UTF-16 (or UTF-32) buffer with an array of lengths, and their letters joined by
newlines: ~0.05 s. Token strings hold any code point, lone surrogates too (token ids up to
0x10FFFF), so a chunk holding a surrogate is stored as UTF-32 and read back through an array of
code points: decoding it with `surrogatepass` took ~2.6 us a surrogate.
"""

from __future__ import annotations

import array as array_module
import sys
import zlib
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, islice
from pathlib import Path
from typing import Any

from readlist.core.library.cache_files import (
    UNUSABLE,
    cache_path,
    open_cache,
    read_record,
    write_cache,
)
from readlist.core.library.text_store import StoredText
from readlist.core.models import ABSTRACT_SLOT, Paper, stored_fingerprint

#: Changes whenever the tokenisation or the record layout does: an older cache is then ignored.
_MAGIC = b"readlist index cache 2\n"
_CHUNK = 10_000

# Buffers are in this machine's byte order (the cache says which, and is ignored elsewhere).
_UTF16 = "utf-16-le" if sys.byteorder == "little" else "utf-16-be"
_UTF32 = "utf-32-le" if sys.byteorder == "little" else "utf-32-be"


def _ucs4_typecode() -> str | None:
    """An array type code whose items are code points (any, surrogates too), if there is one."""
    if "w" in array_module.typecodes:  # Python 3.13+
        return "w"
    return "u" if array("u").itemsize == 4 else None  # wchar_t: 2 bytes on Windows


_UCS4 = _ucs4_typecode()


def fingerprint(paper: Paper) -> int:
    """What a paper's tokens are made from (its title and abstract), as a CRC-32.

    A paper loaded from the entry cache carries it (saved with its stored abstract): checking
    100,000 papers then takes ~40 ms instead of ~170 ms of encoding text."""
    known = stored_fingerprint(paper)
    if known is not None:
        return known
    return zlib.crc32(f"{paper.title}\n{paper.abstract}".encode("utf-8", "surrogatepass"))


def fingerprints(papers: Sequence[Paper]) -> array[int]:
    """`fingerprint` of each paper, the saved one for an abstract stored in the entry cache.

    At the start of a session every paper is checked against the saved index before the first
    search may run: a Python call a paper took 50-86 ms at 100,000 papers, this 14-16 ms."""
    values = map(ABSTRACT_SLOT.__get__, papers)
    return array(
        "I",
        [
            v.chunk.fingerprints[v.i] if type(v) is StoredText else fingerprint(p)
            for p, v in zip(papers, values, strict=True)
        ],
    )


@dataclass(frozen=True, slots=True)
class CachedIndex:
    vocab: list[bytes]  # token id -> token
    joined_vocab: bytes  # the tokens joined by newlines, as saved
    df: dict[int, int]  # token id -> sampled paper count
    ids: list[str]  # the papers saved, in the order saved
    crcs: array[int]  # their fingerprints
    tokens: list[str]  # their token strings
    letters: list[bytes]  # their letters


def _encode(text: str) -> tuple[int, bytes]:
    """Code units (2 or 4 bytes) and the buffer that gives `text` back exactly."""
    try:
        return 2, text.encode(_UTF16)  # any text without a lone surrogate
    except UnicodeEncodeError:
        pass
    if _UCS4 is not None:
        return 4, array(_UCS4, text).tobytes()
    return 4, text.encode(_UTF32, "surrogatepass")


def _decode(width: int, data: bytes) -> str:
    if width == 2:
        return data.decode(_UTF16)
    if width != 4:
        raise ValueError("unknown token width")
    if _UCS4 is not None:
        text: str = array(_UCS4, data).tounicode()
        return text
    return data.decode(_UTF32, "surrogatepass")


def exists(library: Path) -> bool:
    """Whether an index cache is there for the library at `library` (`load` checks it)."""
    return cache_path(library, "index").is_file()


def load(library: Path, between: Callable[[], object] | None = None) -> CachedIndex | None:
    """The cached index of the library at `library`, or None if there is none usable;
    `between` is called between chunks (a load that steps aside for searches)."""
    handle = open_cache(cache_path(library, "index"), _MAGIC)
    if handle is None:
        return None
    ids: list[str] = []
    crcs: array[int] = array("I")
    tokens: list[str] = []
    letters: list[bytes] = []
    try:
        with handle:
            name, count, byteorder = read_record(handle)
            if name != str(library) or byteorder != sys.byteorder:
                return None
            joined_vocab, df = read_record(handle), read_record(handle)
            vocab = joined_vocab.split(b"\n") if joined_vocab else []
            while len(ids) < count:
                chunk_ids, chunk_crcs, width, data, lengths, chunk_letters = read_record(handle)
                text = _decode(width, data)
                bounds = list(accumulate(array("I", lengths), initial=0))
                part = chunk_ids.split("\n")
                if (
                    bounds[-1] != len(text)
                    or not len(part) == len(bounds) - 1 == len(chunk_crcs) // crcs.itemsize
                ):
                    return None
                ids += part
                crcs.frombytes(chunk_crcs)
                tokens += map(text.__getitem__, map(slice, bounds, islice(bounds, 1, None)))
                letters += chunk_letters.split(b"\n")
                if len(letters) != len(ids):
                    return None
                if between is not None:
                    between()
            if read_record(handle) != ("end", count):
                return None
    except (*UNUSABLE, AttributeError, UnicodeDecodeError):
        return None
    if not (isinstance(df, dict) and len(ids) == len(crcs) == len(letters) == count):
        return None
    return CachedIndex(vocab, joined_vocab, df, ids, crcs, tokens, letters)


def save(
    library: Path,
    vocab: list[bytes],
    df: dict[int, int],
    papers: Sequence[tuple[str, int, str, bytes]],
) -> bool:
    """Write the index cache: `papers` holds (paper id, fingerprint, token string, letters).

    A paper whose id holds a newline is left out (it is tokenised again next time)."""
    rows = [row for row in papers if "\n" not in row[0]]

    def records() -> Iterator[Any]:
        yield (str(library), len(rows), sys.byteorder)
        yield b"\n".join(vocab)
        yield df
        for start in range(0, len(rows), _CHUNK):
            part = rows[start : start + _CHUNK]
            tokens = [row[2] for row in part]
            width, data = _encode("".join(tokens))
            yield (
                "\n".join(row[0] for row in part),
                array("I", [row[1] for row in part]).tobytes(),
                width,
                data,
                array("I", map(len, tokens)).tobytes(),
                b"\n".join(row[3] for row in part),
            )
        yield ("end", len(rows))

    return write_cache(cache_path(library, "index"), _MAGIC, records())
