"""The search index built during a bulk import, on two cores, and saved for the next session.

Why: the app tokenises papers it has no saved tokens for in its warm-up (~75 us a paper, 8 s at
100,000), and until it is done every search scans text (0.5-0.7 s each at 100,000 papers). An
import of many papers builds their tokens instead, so the first session loads them as any later
one does. One process would add ~7.5 s to a 100,000-paper import, so a forked child tokenises
from the front of the new papers while the parent imports them, then the parent tokenises from
the back until the two meet.

Each side numbers the tokens it meets first on its own: the child from the end of the saved
vocabulary, as one index would; the parent, once the import is done, takes a copy of the child's
vocabulary so far and numbers the tokens it still meets from `_HIGH`. At the end these are
renumbered after the child's, in the few token strings that hold one.
"""

from __future__ import annotations

import mmap
import os
import re
import struct
import tempfile
import threading
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from itertools import count

from readlist.core.library import Library
from readlist.core.models import ABSTRACT_SLOT, Paper, gc_paused
from readlist.core.search import index_cache
from readlist.core.search.index import (
    _CACHE_TEXTS_UP_TO,
    _DF_SAMPLE,
    _MAX_TOKENS,
    TokenIndex,
    content_text,
)
from readlist.core.search.pipes import receive, send

#: An import that adds at least this many papers builds the index: the app's warm-up tokenises
#: fewer in 1.5 s or less, holding their texts meanwhile so that searches stay fast (`index.add`).
BULK_FROM = _CACHE_TEXTS_UP_TO

_CHUNK = 500  # papers a side claims at a time (~40 ms)
_HIGH = 0x88000  # the parent's own new token ids start here; the child's stay below
_HIGH_TOKEN = re.compile(f"[{chr(_HIGH)}-{chr(_MAX_TOKENS)}]")
_raw_abstract = ABSTRACT_SLOT.__get__

# One paper's result: its fingerprint, token string (None: always checked by text), letters.
Result = tuple[int, "str | None", bytes]


class _Claims:
    """Chunk numbers shared by the two processes: the child takes from the front, the parent from
    the back. Each writes only its own end, so a race makes both do one chunk (harmless)."""

    def __init__(self, chunks: int) -> None:
        self._map = mmap.mmap(-1, 24)
        struct.pack_into("qqq", self._map, 0, 0, chunks, 0)

    def front(self) -> int | None:
        low, high = struct.unpack_from("qq", self._map, 0)
        if low >= high:
            return None
        struct.pack_into("q", self._map, 0, low + 1)
        return int(low)

    def back(self) -> int | None:
        low, high = struct.unpack_from("qq", self._map, 0)
        if low >= high:
            return None
        struct.pack_into("q", self._map, 8, high - 1)
        return int(high - 1)

    def ask_for_vocabulary(self) -> None:
        struct.pack_into("q", self._map, 16, 1)

    def vocabulary_asked(self) -> bool:
        return bool(struct.unpack_from("q", self._map, 16)[0])


def _tokenise_chunk(index: TokenIndex, papers: Sequence[Paper], df: Counter[str]) -> list[Result]:
    out: list[Result] = []
    for paper in papers:
        # What `index_cache.fingerprint` hashes; lower-cased as it is, where it is ASCII (no
        # whitespace to squash, no letter that `bytes.lower` would miss): ~5 us a paper less.
        whole = f"{paper.title}\n{paper.abstract}"
        data = whole.encode("utf-8", "surrogatepass")
        if whole.isascii():
            tokens, letters = index.tokenise_data(data.lower())
        else:
            tokens, letters = index.tokenise(content_text(paper))
        if tokens is not None and not len(out) % _DF_SAMPLE:
            df.update(tokens)
        out.append((zlib.crc32(data), tokens, letters))
    return out


def _child(
    index: TokenIndex, chunks: list[list[Paper]], claims: _Claims, fd: int, spool: int
) -> None:
    """Tokenise chunks from the front, each written to `spool` as it is done (a pipe would stop
    this side until the parent reads); the vocabulary down `fd` when asked, then the rest."""
    index.limit_ids(_HIGH)
    vocab = index.vocabulary()
    sent = -1
    df: Counter[str] = Counter()
    done = 0
    while (at := claims.front()) is not None:
        send(spool, (at, _tokenise_chunk(index, chunks[at], df)))
        done += 1
        if sent < 0 and claims.vocabulary_asked():
            sent = len(vocab)
            send(fd, list(vocab))
    words = list(vocab)
    if sent < 0:
        sent = len(words)
        send(fd, words)
    send(fd, (words[sent:], dict(df), done))


class _Build:
    """A bulk build under way: the child forked, the parent's share still to do."""

    def __init__(self, library: Library, new: list[Paper]) -> None:
        self.index = TokenIndex()
        self.index.load_saved(library.entries(), library.path)
        self.chunks = [new[at : at + _CHUNK] for at in range(0, len(new), _CHUNK)]
        self.claims = _Claims(len(self.chunks))
        self.spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed in `_reap`
        try:
            read_end, write_end = os.pipe()
        except OSError:
            self.spool.close()
            raise
        try:
            self.pid = os.fork()
        except OSError:  # no memory or process left for it: the import goes on without
            for end in (read_end, write_end):
                os.close(end)
            self.spool.close()
            raise
        if self.pid == 0:  # the child: never returns into the caller's code
            status = 1
            try:
                os.close(read_end)
                with gc_paused():
                    _child(self.index, self.chunks, self.claims, write_end, self.spool.fileno())
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self.fd = read_end

    def abandon(self) -> None:
        with suppress(OSError):
            os.kill(self.pid, 9)
        self._reap()

    def _reap(self) -> None:
        os.close(self.fd)
        self.spool.close()
        with suppress(ChildProcessError):
            os.waitpid(self.pid, 0)

    def finish(self, library: Library) -> int:
        """Tokenise from the back until the child's share is met, merge, save. Returns how many
        papers the save had to tokenise itself (the import changed them on the way in)."""
        try:
            with gc_paused():
                return self._finish(library)
        except (EOFError, OSError, ValueError):
            return 0  # the child failed (killed, out of memory): the app indexes them instead
        finally:
            self._reap()

    def _finish(self, library: Library) -> int:
        self.claims.ask_for_vocabulary()
        known: list[bytes] = receive(self.fd)
        mine = TokenIndex.numbered(known, first_new=_HIGH)
        results: dict[int, list[Result]] = {}
        df: Counter[str] = Counter()
        while (at := self.claims.back()) is not None:
            results[at] = _tokenise_chunk(mine, self.chunks[at], df)
        later, child_df, done = receive(self.fd)
        self.spool.seek(0)
        child_results = dict(receive(self.spool.fileno()) for _ in range(done))
        words = known + later
        vocab = dict(zip(words, count()))
        # The parent's own new tokens, renumbered after the child's (or as the child's, if it met
        # them too), in the token strings that hold one.
        renumber: dict[int, int] = {}
        for word, token in mine.vocabulary().items():
            if token >= _HIGH:
                renumber[token] = vocab.setdefault(word, len(vocab))
        if len(vocab) >= _MAX_TOKENS:
            return 0  # the app tokenises them itself
        for part in results.values():
            for at, (crc, tokens, letters) in enumerate(part):
                if tokens and _HIGH_TOKEN.search(tokens):
                    part[at] = (crc, tokens.translate(renumber), letters)
        results.update((at, part) for at, part in child_results.items() if at not in results)
        counted: Counter[int] = Counter(self.index.sampled_df())
        for chars, times in (*df.items(), *child_df.items()):
            token = ord(chars)
            counted[renumber.get(token, token)] += times
        return self._save(library, list(vocab), counted, results)

    def _save(
        self,
        library: Library,
        vocab: list[bytes],
        df: Counter[int],
        results: dict[int, list[Result]],
    ) -> int:
        """Write the index of every paper the library now holds: saved, built here, or (a paper
        the import changed on the way in) tokenised now; returns how many were."""
        built: dict[tuple[int, int], Result] = {}
        for at, chunk in enumerate(self.chunks):
            for paper, result in zip(chunk, results[at], strict=True):
                built[id(paper.title), id(_raw_abstract(paper))] = result
        rest = TokenIndex.numbered(vocab)
        rows: list[tuple[str, int, str, bytes]] = []
        late = 0
        for entry in library.entries():
            paper = entry.paper
            saved = self.index.record(paper)
            if saved is not None and saved[1] is not None:
                rows.append((paper.id, index_cache.fingerprint(paper), saved[1], saved[2]))
                continue
            found = built.get((id(paper.title), id(_raw_abstract(paper))))
            if found is None:
                tokens, letters = rest.tokenise(content_text(paper))
                found = (index_cache.fingerprint(paper), tokens, letters)
                late += 1
            if found[1] is not None:
                rows.append((paper.id, found[0], found[1], found[2]))
        index_cache.save(library.path, list(rest.vocabulary()), dict(df), rows)
        return late


@contextmanager
def index_during(library: Library, papers: Sequence[Paper]) -> Iterator[None]:
    """Around an import of `papers` into `library`: if it brings at least `BULK_FROM` new ones,
    build and save the search index of the library as it is after the import.

    Only where `os.fork` exists and no other thread runs (a fork copies one thread); otherwise,
    or if the import fails, nothing is built and the app indexes as before.
    """
    build: _Build | None = None
    if (
        len(papers) >= BULK_FROM
        and hasattr(os, "fork")
        and threading.active_count() == 1
        and not library.read_only
    ):
        new = [paper for paper in papers if paper.id not in library]
        if len(new) >= BULK_FROM:
            try:
                build = _Build(library, new)
            except OSError:
                build = None  # no temporary file, pipe or process: the app indexes them

    try:
        yield
    except BaseException:
        if build is not None:
            build.abandon()
        raise
    if build is not None:
        build.finish(library)
