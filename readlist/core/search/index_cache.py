"""The search index's token strings kept in the user's cache folder between sessions.

Why: tokenising a paper costs ~60-80 us in Python, so indexing 100,000 papers takes 7-9 s after
every start, and until it is done searches fall back to scanning text that must be held in memory
(~165 MB). With this cache only the papers that are new or changed since the last session are
tokenised. A paper's cached tokens are used only if the CRC-32 of its title and abstract is the
one they were made from; the ids inside the token strings refer to the vocabulary saved with
them, so a cache is taken whole into an empty index or not at all.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from readlist.core.library.cache_files import (
    UNUSABLE,
    cache_path,
    open_cache,
    read_record,
    write_cache,
)
from readlist.core.models import Paper

#: Changes whenever the tokenisation or the record layout does: an older cache is then ignored.
_MAGIC = b"readlist index cache 1\n"
_CHUNK = 5000


def fingerprint(paper: Paper) -> int:
    """What a paper's tokens are made from (its title and abstract), as a CRC-32."""
    return zlib.crc32(f"{paper.title}\n{paper.abstract}".encode("utf-8", "surrogatepass"))


@dataclass(frozen=True, slots=True)
class CachedIndex:
    vocab: list[bytes]  # token id -> token
    df: dict[int, int]  # token id -> sampled paper count
    papers: dict[str, tuple[int, str, bytes]]  # paper id -> (fingerprint, token string, letters)


def load(library: Path) -> CachedIndex | None:
    """The cached index of the library at `library`, or None if there is none usable."""
    handle = open_cache(cache_path(library, "index"), _MAGIC)
    if handle is None:
        return None
    try:
        with handle:
            name, count = read_record(handle)
            if name != str(library):
                return None
            vocab, df = read_record(handle), read_record(handle)
            papers: dict[str, tuple[int, str, bytes]] = {}
            while len(papers) < count:
                for pid, crc, tokens, letters in read_record(handle):
                    papers[pid] = (crc, tokens, letters)
            if read_record(handle) != ("end", count) or len(papers) != count:
                return None
    except UNUSABLE:
        return None
    if not (isinstance(vocab, list) and isinstance(df, dict)):
        return None
    return CachedIndex(vocab, df, papers)


def save(
    library: Path,
    vocab: list[bytes],
    df: dict[int, int],
    papers: Sequence[tuple[str, int, str, bytes]],
) -> bool:
    """Write the index cache: `papers` holds (paper id, fingerprint, token string, letters)."""

    def records() -> Iterator[Any]:
        yield (str(library), len(papers))
        yield vocab
        yield df
        for start in range(0, len(papers), _CHUNK):
            yield list(papers[start : start + _CHUNK])
        yield ("end", len(papers))

    return write_cache(cache_path(library, "index"), _MAGIC, records())
