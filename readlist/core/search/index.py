"""A token index that lets `query.search` skip the substring scan of every paper's full text.

Why: a substring scan of 100,000 lower-cased abstracts reads ~150 MB per query (~120 ms on a
2-core machine whatever the loop: a per-paper `in` or one `bytes.find` over a joined blob cost
the same), and keeping that text cached costs ~165 MB of memory. Instead each paper keeps only the
set of distinct tokens of its title and abstract, each token stored as one character (its id in a
shared vocabulary), ~160 characters a paper. A query word is first looked up in the vocabulary
(a substring test over ~40,000 distinct tokens), then each paper is tested for the few token
characters found, which is a short C-level scan.

Tokens are the runs of word characters (`\\w+`) and every other non-space character on its own.
If a needle occurs in a text, each of the needle's word runs lies inside one of the text's tokens
and each of its other characters is a token of the text, so the token test never loses a match.
A needle that is exactly one token needs nothing more; any other needle (a phrase, `tool-using`)
is confirmed on the candidates against the text, lower-cased on the fly.

Notes and tags are not indexed: they change with every edit and are short, so the caller tests
them as text (see `Rows.extras`).
"""

from __future__ import annotations

import re
import sys
import threading
import time
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate, compress, count, filterfalse, repeat
from operator import attrgetter, contains, eq, is_, not_
from pathlib import Path
from typing import cast

from readlist.core.models import Entry, Paper, gc_paused
from readlist.core.search import index_cache

# Tokens are taken from the UTF-8 bytes, where `bytes.translate` and `split` run at C speed: a
# word byte is an ASCII letter, digit or `_`, or any byte of a non-ASCII character (UTF-8 is
# self-synchronising, so a needle's bytes found in a text's bytes are the needle found in the text).
_WORD_BYTES = b"_" + bytes(range(48, 58)) + bytes(range(65, 91)) + bytes(range(97, 123))
_WORD_BYTES += bytes(range(128, 256))
_SPACE_BYTES = b" \t\n\r\x0b\x0c"
_WORDS_ONLY = bytes(c if c in _WORD_BYTES else 32 for c in range(256))  # other bytes -> space
_NOT_WORD_OR_SPACE = _WORD_BYTES + _SPACE_BYTES
_UTF32 = "utf-32-le" if sys.byteorder == "little" else "utf-32-be"
# A needle of one ASCII letter, digit or `_` (the first key typed) is looked up in a paper's
# distinct bytes of these; any other one-byte needle is a token of its own.
_ASCII_WORD = b"_" + bytes(range(48, 58)) + bytes(range(97, 123))  # lower-cased text: no A-Z
# Token frequencies (to test the most common token first) are counted on every 8th paper.
_DF_SAMPLE = 8
_ONE_BYTE = [bytes([c]) for c in range(256)]
_MAX_TOKENS = 0x10FFFF  # one character per token id

# At most this many token ids are tested for one part of a needle (the most common) one pass
# each; a part held by more (`le`) tests the others in one character class (`Test.split`), or
# confirms by text what the passes miss when that is at most `_CONFIRM_BY_TEXT_UP_TO` papers.
_MAX_IDS = 16
_CONFIRM_BY_TEXT_UP_TO = 512
# A pass that finds fewer than 1 in this many of what is left, with more ids than this to go:
# the class is cheaper (~6x a pass a paper, where the passes to go would shrink what is left by
# less than that share each).
_FEW_HITS = 6


def squash(text: str) -> str:
    """Runs of whitespace as one space, as in a parsed phrase; skips the split when not needed."""
    if any(ws in text for ws in _ODD_WHITESPACE):
        return " ".join(text.split())
    return text


# Feed text is usually single-spaced already; finding none of these is cheaper than a split + join.
_ODD_WHITESPACE = ("  ", "\n", "\t", "\r", "\xa0", "\u2009", "\u3000", "\x0b", "\x0c")


def content_text(paper: Paper) -> str:
    """The lower-cased title and abstract, one per line, as searched (built on demand)."""
    return f"{squash(paper.title)}\n{squash(paper.abstract)}".lower()


def extra_text(entry: Entry) -> str:
    """The lower-cased note and tags, one per line (the user's text, tested without the index)."""
    state = entry.state
    return "\n".join(squash(part) for part in (state.note, *state.tags)).lower()


def _tokens(data: bytes) -> list[bytes]:
    """The word runs of `data`, then each other non-space byte on its own (with repeats)."""
    words = data.translate(_WORDS_ONLY).split()
    others = data.translate(None, _NOT_WORD_OR_SPACE)
    if others:
        words += map(_ONE_BYTE.__getitem__, others)
    return words


# The compiled character classes of the last few needles' token ids (see `id_class`).
_CLASSES: dict[str, re.Pattern[str]] = {}


def id_class(ids: str) -> re.Pattern[str]:
    """A regular expression matching any one of `ids` (token ids as characters), compiled once
    a needle (~3 ms for 1,400 ids): every slice of a search reads the same class."""
    found = _CLASSES.get(ids)
    if found is None:
        if len(_CLASSES) >= 8:
            _CLASSES.clear()
        found = _CLASSES[ids] = re.compile(f"[{re.escape(ids)}]")
    return found


@dataclass(frozen=True, slots=True)
class Test:
    """Whether a paper's token string holds any of a few token ids (as characters)."""

    ids: str  # every token id that holds the part, the most common first

    @property
    def chars(self) -> str:
        """The ids tested a pass each (`split`): the `_MAX_IDS` most common."""
        return self.ids[:_MAX_IDS]

    @property
    def more(self) -> int:
        """How many ids come after `chars`."""
        return max(0, len(self.ids) - _MAX_IDS)

    @property
    def complete(self) -> bool:
        """False: more tokens hold the part than `chars`, so a miss of theirs proves little."""
        return not self.more

    @classmethod
    def of(cls, ids: list[int]) -> Test:
        return cls("".join(map(chr, ids)))

    def split(self, tokens: list[str], positions: list[int]) -> tuple[list[int], list[int]]:
        """The positions whose token string holds one of the ids, and those it cannot tell
        (no token tested, but a token not tested may hold the part: see `complete`).

        One `in` pass per id over what the earlier ids missed: the common id goes first, so
        later passes are short. Only the misses are kept from pass to pass; the hits are the
        positions less the misses, taken at the end (collecting each pass's hits and sorting
        them cost as much as the passes: `le` over 100,000 papers 41 -> 22 ms). Once a pass
        finds few of what is left, a character class of every id not tested yet reads each of
        those papers once (~1-2 us a paper), where a pass an id costs ~0.2-0.3 us a paper and
        its text ~7 us.
        """
        missed = positions
        chars = self.chars
        for at, char in enumerate(chars):
            if not missed:
                break
            texts = tokens if len(missed) == len(tokens) else map(tokens.__getitem__, missed)
            left = list(compress(missed, map(not_, map(contains, texts, repeat(char)))))
            few = len(missed) - len(left) < len(missed) // _FEW_HITS
            missed = left
            untested = self.ids[at + 1 :]
            if few and len(untested) > _FEW_HITS and len(missed) > _CONFIRM_BY_TEXT_UP_TO:
                return self._by_class(tokens, positions, missed, untested)
        if self.more and len(missed) > _CONFIRM_BY_TEXT_UP_TO:
            return self._by_class(tokens, positions, missed, self.ids[len(chars) :])
        return _without(positions, missed), [] if self.complete else missed

    @staticmethod
    def _by_class(
        tokens: list[str], positions: list[int], missed: list[int], untested: str
    ) -> tuple[list[int], list[int]]:
        """`split`'s end: the ids not tested yet, in one character class over `missed`."""
        found = id_class(untested).search
        missed = list(compress(missed, map(not_, map(found, map(tokens.__getitem__, missed)))))
        return _without(positions, missed), []

    def held(self, tokens: list[str], positions: list[int]) -> list[int]:
        """The positions whose token string holds one of the ids (complete tests only)."""
        if len(self.chars) == 1:  # one pass, and no misses to keep
            texts = tokens if len(positions) == len(tokens) else map(tokens.__getitem__, positions)
            return list(compress(positions, map(contains, texts, repeat(self.chars))))
        return self.split(tokens, positions)[0]


def _without(ordered: list[int], dropped: list[int]) -> list[int]:
    """`ordered` (increasing) less `dropped`, a subsequence of it; always a new list."""
    if len(dropped) * 16 >= len(ordered):
        gone = set(dropped)
        return list(filterfalse(gone.__contains__, ordered))
    out: list[int] = []
    start = 0
    for value in dropped:  # few: copy the runs between them at C speed
        at = bisect_left(ordered, value, start)
        out += ordered[start:at]
        start = at + 1
    out += ordered[start:]
    return out


@dataclass(frozen=True, slots=True)
class Plan:
    """How to find one needle: the token tests, and whether a token hit is already a match."""

    tests: tuple[Test, ...]  # exact: one; otherwise one per part of the needle, fewest ids first
    exact: bool  # the needle is one whole token: no text check
    byte: bytes = b""  # a one-letter needle: tested against each paper's letters instead


Record = tuple[Paper, str | None, bytes]  # the Paper indexed, its token string, its letters

# `add` works in steps of this many papers, and pauses for searches until none has run for this
# long (the app's search runs in slices with the event loop in between).
_STEP = 500
_BACK_OFF_S = 0.05
_CRC_STEP = 10_000  # ~1-2 ms of fingerprints at a time in `_adopt`
_ID = attrgetter("id")

# The most texts of papers not indexed yet that `add` and `Rows` cache (~1.6 KB each): held for
# 100,000 papers they were ~165 MB, over the memory budget.
_CACHE_TEXTS_UP_TO = 20_000


class TokenIndex:
    """Per paper id, its token string; a shared vocabulary; the text of papers not indexed yet.

    Indexing costs ~60-80 us a paper (7-9 s at 100,000 papers, in the app's warm-up worker),
    lower-casing a text ~7 us: `add` reuses the tokens an earlier session saved, and for a
    backlog it can hold caches every text first, so searches are as fast as a plain scan while
    the index fills, then drops each text once its paper is indexed.
    """

    def __init__(self) -> None:
        # Insertion order is id order: ids come from a counter as the keys are inserted.
        self._vocab: defaultdict[bytes, int] = defaultdict(count().__next__)
        self._papers: dict[str, Record] = {}
        # The same records by id() of their Paper, which each record keeps alive, so the id is
        # never reused while it is a key: lets `records` look papers up without Python code.
        self._by_object: dict[int, Record] = {}
        self._df: Counter[int] = Counter()  # token id -> papers indexed with it
        self._texts: dict[str, tuple[Paper, str]] = {}
        self._lock = threading.Lock()
        self._lookup: tuple[int, bytes, list[int]] = (0, b"", [])
        self._plans: dict[str, tuple[int, Plan | None]] = {}
        self.generation = 0  # bumped as papers are indexed, so rows built before are refreshed
        self.warm = False  # `add` has run: a search may index a few new papers itself
        self._quiet_after = 0.0  # `add` waits until this time.monotonic()
        self._unsaved = False  # papers were indexed since the index cache was read or written
        # New token ids are len(vocab) + offset and stay below the limit (`bulk_index` gives
        # two processes tokenising at once ranges of their own).
        self._id_offset = 0
        self._id_limit = _MAX_TOKENS
        # The papers the saved index was loaded for, with their token strings and letters, in
        # the saved order, while the warm-up runs (see `as_loaded`).
        self._loaded: tuple[list[Paper], list[str | None], list[bytes]] | None = None
        # The saved papers adopted but not yet in `_papers` and `_by_object` (see `load_saved`):
        # their ids, Papers, token strings and letters.
        self._pending: tuple[list[str], list[Paper], Sequence[str | None], Sequence[bytes]] | None
        self._pending = None
        # The saved index loads in steps that wait for searches to be quiet (`busy`): set while
        # another process answers searches (`helper`), so that nothing here waits for the load.
        self.yield_while_loading = False

    @classmethod
    def numbered(
        cls, words: Sequence[bytes], first_new: int | None = None, limit: int = _MAX_TOKENS
    ) -> TokenIndex:
        """An empty index whose vocabulary is `words` (ids 0, 1, ...): tokens met later are
        numbered from `first_new` (default: next after `words`) and stay below `limit`."""
        index = cls()
        start = len(words) if first_new is None else first_new
        index._vocab = defaultdict(count(start).__next__, zip(words, count()))
        index._id_offset = start - len(words)
        index._id_limit = limit
        return index

    def limit_ids(self, limit: int) -> None:
        """Keep new token ids below `limit` (a paper that would need more is checked by text)."""
        self._id_limit = limit

    def vocabulary(self) -> dict[bytes, int]:
        """Token -> id, in the order the tokens were met."""
        return self._vocab

    def sampled_df(self) -> dict[int, int]:
        """Token id -> papers found with it among the sampled ones (every `_DF_SAMPLE`th)."""
        return dict(self._df)

    def __len__(self) -> int:
        return len(self._papers)

    def clear(self) -> None:
        with self._lock:
            self._vocab = defaultdict(count().__next__)
            self._papers = {}
            self._by_object = {}
            self._df = Counter()
            self._texts = {}
            self._lookup = (0, b"", [])
            self._plans = {}
            self.generation += 1
            self.warm = False
            self._quiet_after = 0.0
            self._unsaved = False
            self._loaded = None
            self._pending = None
            self.yield_while_loading = False

    def record(self, paper: Paper) -> Record | None:
        """What the index holds for `paper`, or None if it is not indexed (or has changed)."""
        cached = self._papers.get(paper.id)
        return cached if cached is not None and cached[0] is paper else None

    def records(self, papers: list[Paper]) -> list[Record | None]:
        """`record` of each paper, at C speed."""
        return list(map(self._by_object.get, map(id, papers)))

    def text(self, paper: Paper) -> str:
        """The content text of `paper`: cached while it is not indexed, built on demand after."""
        cached = self._texts.get(paper.id)
        if cached is not None and cached[0] is paper:
            return cached[1]
        text = content_text(paper)
        if self.record(paper) is None:
            self._texts[paper.id] = (paper, text)
        return text

    def may_cache_texts(self, papers: Sequence[Paper]) -> bool:
        """Whether caching the texts of `papers` keeps the text cache within its bound."""
        if len(papers) + len(self._texts) <= _CACHE_TEXTS_UP_TO:
            return True
        cached = self._texts
        return len(cached) + sum(p.id not in cached for p in papers) <= _CACHE_TEXTS_UP_TO

    def index(self, paper: Paper) -> Record:
        """Index `paper` (if new or changed) and forget its cached text."""
        cached = self.record(paper)
        if cached is not None:
            return cached
        tokens, letters = self.tokenise(self.text(paper))
        if tokens is not None and not len(self._papers) % _DF_SAMPLE:
            self._df.update(map(ord, tokens))
        record = (paper, tokens, letters)
        old = self._papers.get(paper.id)
        if old is not None:
            self._by_object.pop(id(old[0]), None)
        self._papers[paper.id] = record
        self._by_object[id(paper)] = record
        self._unsaved = True
        if tokens is not None:
            self._texts.pop(paper.id, None)
        return record

    def tokenise(self, text: str) -> tuple[str | None, bytes]:
        """The token string of a content text (None once the vocabulary is full: that paper is
        always checked by its text) and its letters, adding new tokens to the vocabulary."""
        return self.tokenise_data(text.encode("utf-8", "surrogatepass"))

    def tokenise_data(self, data: bytes) -> tuple[str | None, bytes]:
        """`tokenise` of a content text already encoded as UTF-8."""
        vocab = self._vocab
        words = _tokens(data)
        tokens = None
        if len(vocab) + self._id_offset + len(words) < self._id_limit or vocab.keys() >= set(words):
            # Every occurrence looked up, then the distinct ids: a set of ints is cheaper to
            # build than a set of the words (~40 us a paper instead of ~55).
            ids = array("I", set(map(vocab.__getitem__, words)))
            tokens = ids.tobytes().decode(_UTF32, "surrogatepass")
        # One-character needles (the first key typed) test these: one short `in` a paper (a
        # byte as an int: `memchr`, 4 us a paper where a one-byte `bytes` took 11-14 us).
        return tokens, bytes(compress(_ASCII_WORD, map(data.__contains__, _ASCII_WORD)))

    def add(
        self,
        entries: Sequence[Entry],
        cache_key: Path | None = None,
        loaded: Callable[[], object] | None = None,
    ) -> int:
        """Index every entry's paper (the warm-up worker calls this after the library loads).

        With `cache_key` (the library's path), an empty index first takes the tokens saved by an
        earlier session for every paper whose content is unchanged (~0.3 s at 100,000 papers),
        then calls `loaded` (also when there was nothing to take), and saves the index again if
        it had to tokenise any. Texts are cached ahead of indexing (so searches are fast at once)
        only for a backlog of up to `_CACHE_TEXTS_UP_TO` papers: beyond that they cost more
        memory than the budget allows (~165 MB at 100,000 papers).

        Runs in a thread: it steps aside while searches run (see `busy`), since both need the
        GIL and a search the user waits for comes first. Returns how many papers it tokenised.
        """
        try:
            if cache_key is not None:
                self.load_saved(entries, cache_key, defer=True)
        finally:
            if loaded is not None:
                loaded()
        self.wait_for_quiet()  # a search waiting for the load runs first (see `busy`)
        with gc_paused():
            self.file_loaded()
        papers = [entry.paper for entry in entries]
        papers = list(compress(papers, map(is_, self.records(papers), repeat(None))))
        if len(papers) <= _CACHE_TEXTS_UP_TO:
            for start in range(0, len(papers), _STEP):
                self.wait_for_quiet()
                for paper in papers[start : start + _STEP]:
                    self.text(paper)
            self.generation += 1
        for start in range(0, len(papers), _STEP):
            self.wait_for_quiet()
            for paper in papers[start : start + _STEP]:
                self.index(paper)
        self.generation += 1  # rows built before now pick up the index (once: a rebuild costs)
        self.warm = True
        self._loaded = None
        if cache_key is not None and self._unsaved:
            self.save(cache_key, [entry.paper for entry in entries])
        return len(papers)

    def load_saved(self, entries: Sequence[Entry], cache_key: Path, defer: bool = False) -> None:
        """Take the tokens an earlier session saved into an empty index (see `add`).

        With `defer`, each paper's record is filled in later (`file_loaded`, ~45-75 ms at
        100,000 papers): a search waiting for the load needs only the lists as loaded
        (`as_loaded`), and the app's first search no longer waits for the records too."""
        if self._vocab:
            return
        step = self.wait_for_quiet if self.yield_while_loading else None
        cached = index_cache.load(cache_key, step)
        if cached is not None:
            with gc_paused():  # 100,000 records: GC passes over them cost the most
                self._adopt(cached, [entry.paper for entry in entries])
                if not defer:
                    self.file_loaded()
            self.generation += 1

    def _adopt(self, cached: index_cache.CachedIndex, papers: list[Paper]) -> list[Paper]:
        """Take the cached vocabulary and the tokens of unchanged papers; the rest to index.

        At C speed (zip and map, no loop a paper): this runs before the first search can. When
        the library holds the papers saved, in the order saved (the usual start), the cached
        lists are taken as they are; otherwise each paper's place in them is looked up.
        """
        with self._lock:
            if self._vocab:  # indexed meanwhile: the cached ids would not match
                return papers
            self._vocab = defaultdict(count(len(cached.vocab)).__next__, zip(cached.vocab, count()))
            self._df = Counter(cached.df)
            # The first search's word lookup needs them joined (~40 ms to join at 100,000
            # papers): the cache holds them so.
            self._lookup = (len(cached.vocab), cached.joined_vocab, _starts(cached.vocab))
        pids = list(map(_ID, papers))
        # Each paper's content is checked, in steps: between them the UI thread can take the GIL
        # (searches pause this only while another process answers them, `yield_while_loading`:
        # otherwise the app's wait for it, see `MainScreen._index_ready`).
        crcs = array("I")
        for start in range(0, len(papers), _CRC_STEP):
            if self.yield_while_loading:
                self.wait_for_quiet()
            crcs.extend(index_cache.fingerprints(papers[start : start + _CRC_STEP]))
        tokens: Sequence[str | None]
        letters: Sequence[bytes]
        saved: Sequence[int | None]
        if pids == cached.ids:
            tokens, letters, saved = cached.tokens, cached.letters, cached.crcs
            same = crcs == cached.crcs
        else:
            at = list(map(dict(zip(cached.ids, count())).get, pids, repeat(-1)))
            tokens = list(map([*cached.tokens, None].__getitem__, at))
            letters = list(map([*cached.letters, b""].__getitem__, at))
            saved = list(map([*cached.crcs, None].__getitem__, at))
            same = False
        rest: list[Paper] = []
        # In the library's order, each paper's saved tokens and letters (see `as_loaded`).
        loaded = (papers, cast("list[str | None]", tokens), letters)
        # The cache no longer matches the library (papers moved, removed, added or changed): it
        # is saved again once the rest are indexed, so the next start takes the fast path.
        self._unsaved = not same
        if not same:
            kept = list(map(eq, crcs, saved))
            if not all(kept):
                rest = list(compress(papers, map(not_, kept)))
                # Not indexed yet, as a lookup would say: no tokens, no letters.
                loaded = (
                    papers,
                    [t if k else None for t, k in zip(tokens, kept, strict=True)],
                    [x if k else b"" for x, k in zip(letters, kept, strict=True)],
                )
                papers, pids = list(compress(papers, kept)), list(compress(pids, kept))
                tokens, letters = list(compress(tokens, kept)), list(compress(letters, kept))
        self._pending = (pids, papers, tokens, letters)
        self._loaded = loaded
        return rest

    def file_loaded(self) -> None:
        """Put the adopted papers' records where `record` and `records` find them (deferred by
        `load_saved`)."""
        pending = self._pending
        if pending is None:
            return
        self._pending = None
        pids, papers, tokens, letters = pending
        records = list(zip(papers, tokens, letters, strict=True))
        # Each update runs in C under the GIL: a search in another thread sees all or none.
        self._papers.update(zip(pids, records, strict=True))
        self._by_object.update(zip(map(id, papers), records, strict=True))
        if self._texts:  # cached by searches meanwhile (see `text`): drop those of these papers
            self._texts = {k: v for k, v in self._texts.items() if self.record(v[0]) is None}
        self.generation += 1  # rows built meanwhile found these papers not indexed

    def as_loaded(
        self, papers: list[Paper], start: int, step: int = 1
    ) -> tuple[list[str | None], list[bytes]] | None:
        """The token strings (None: not indexed yet) and letters of `papers` if they are, in
        order from `start`, every `step`th, the papers the saved index was just loaded for:
        slices of the lists loaded, where looking each paper up cost ~1 ms per 4,000 (the app's
        first search waits for the rows of its 25 slices at 100,000 papers), and could not be
        done before the records are filed (see `load_saved`). None otherwise."""
        loaded = self._loaded
        if loaded is None:
            return None
        end = start + len(papers) * step
        held = loaded[0][start:end:step]
        if len(held) != len(papers) or not all(map(is_, held, papers)):
            return None
        return loaded[1][start:end:step], loaded[2][start:end:step]

    def save(self, cache_key: Path, order: Sequence[Paper] | None = None) -> None:
        """Save the tokens of every indexed paper (see `add`); given `order` (the library's
        papers), of those papers in that order: the next session then finds them as its
        library lists them, and takes them as loaded (`_adopt`, `as_loaded`) instead of
        looking each up, which it did after any change (a re-tokenised paper came last)."""
        with self._lock:
            vocab, df = list(self._vocab), dict(self._df)
        if order is None:
            records = list(self._papers.values())
        else:
            records = [r for r in map(self._by_object.get, map(id, order)) if r is not None]
        crc = index_cache.fingerprint
        rows = [
            (p.id, crc(p), tokens, letters)
            for p, tokens, letters in records
            if tokens is not None  # "" too: a paper without tokens is not tokenised again
        ]
        self._unsaved = False
        index_cache.save(cache_key, vocab, df, rows)

    def busy(self) -> None:
        """A search is running or waiting for the load: `add` pauses (once the saved index is
        loaded) until none has run for a short while."""
        self._quiet_after = time.monotonic() + _BACK_OFF_S

    def wait_for_quiet(self) -> None:
        """Return once no search has run for `_BACK_OFF_S` (see `busy`)."""
        while (wait := self._quiet_after - time.monotonic()) > 0:
            time.sleep(wait)

    def plan(self, needle: str) -> Plan | None:
        """The token test for `needle`; None when no token can hold it (no content match)."""
        size = len(self._vocab)
        cached = self._plans.get(needle)
        if cached is not None and cached[0] == size:
            return cached[1]
        raw = needle.encode("utf-8", "surrogatepass")
        if len(raw) == 1 and raw in _ASCII_WORD:
            return Plan((), True, raw)
        parts = _tokens(raw)
        # Each word run must lie inside a token, each other byte must be a token.
        tests = [self._test_for(part) for part in dict.fromkeys(parts)]
        plan: Plan | None = None
        if all(t is not None for t in tests):
            found = sorted((t for t in tests if t is not None), key=lambda t: len(t.chars))
            plan = Plan(tuple(found), len(parts) == 1 and parts[0] == raw)
        if len(self._plans) > 256:
            self._plans.clear()
        self._plans[needle] = (size, plan)
        return plan

    def _test_for(self, part: bytes) -> Test | None:
        text, starts = self._vocabulary()
        ids: list[int] = []
        find, pos, last = text.find, 0, len(starts) - 1
        while True:
            hit = find(part, pos)
            if hit < 0:
                break
            token = bisect_right(starts, hit) - 1
            ids.append(token)
            if token >= last:
                break
            pos = starts[token + 1]
        # The most common tokens first: they leave the fewest papers for the next test.
        ids.sort(key=self._df.__getitem__, reverse=True)
        return Test.of(ids) if ids else None

    def words(self, chars: str) -> list[bytes]:
        """The tokens a token string (or some of its characters) stands for, in its order."""
        text, starts = self._vocabulary()
        last = len(starts) - 1
        out: list[bytes] = []
        for char in chars:
            token = ord(char)
            end = starts[token + 1] - 1 if token < last else len(text)
            out.append(text[starts[token] : end])
        return out

    def token_counts(self, text: str) -> Counter[int]:
        """How many times each token of `text` (lower-cased) occurs, by id, for the tokens the
        vocabulary holds already (every token of an indexed paper's title and abstract)."""
        vocab = self._vocab
        found = _tokens(squash(text).lower().encode("utf-8", "surrogatepass"))
        return Counter(vocab[token] for token in found if token in vocab)

    def _vocabulary(self) -> tuple[bytes, list[int]]:
        """The tokens joined by newlines (no token holds one) and where each starts."""
        with self._lock:
            size, text, starts = self._lookup
            if size != len(self._vocab):
                words = list(self._vocab)
                text = b"\n".join(words)
                self._lookup = (len(words), text, starts := _starts(words))
            return text, starts


def _starts(words: Sequence[bytes]) -> list[int]:
    """Where each of `words` starts in them joined by newlines."""
    return list(accumulate(map((1).__add__, map(len, words)), initial=0))[: len(words)]
