"""Per-list rows for searching: each position's index record, letters and user text, cached
per entry list and checked against a snapshot so a changed list never gets stale rows."""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import attrgetter, contains, is_, itemgetter
from typing import cast

from readlist.core.models import Entry, Paper
from readlist.core.search.index import Record, TokenIndex, content_text, extra_text
from readlist.core.search.postings import Postings
from readlist.core.search.rank_layout import RankLayout

# How many papers a search may index itself (e.g. after an import); more wait for `add`.
_INDEX_ON_SEARCH = 256

_STATE = attrgetter("state")
_PAPER = attrgetter("paper")
_TOKENS = itemgetter(1)
_LETTERS = itemgetter(2)


@dataclass(slots=True)
class Rows:
    """What a search needs for one entry sequence, position by position."""

    snapshot: tuple[Entry, ...]
    papers: list[Paper]
    tokens: list[str]  # "" for a paper the index could not hold (see `unindexed`)
    bytesets: list[bytes]  # which ASCII letters, digits and `_` each paper's text holds
    unindexed: list[int]  # positions always checked by their text
    unindexed_texts: list[str] | None  # their texts while the index fills (None: not kept)
    extras: dict[int, str]  # position -> note and tags text, only where there is some
    generation: int  # of the index when built: rows with unindexed papers are rebuilt after
    columns: dict[object, bytes] = field(default_factory=dict)  # filter -> 0/1 per position
    # The last complete token test run on these rows, and the positions it kept (see
    # `content_matches`).
    last_test: tuple[str, list[int]] | None = None
    # What ranking reads of each position (lower-cased title, title and abstract length
    # buckets in one int), once it has read them (`ranking.rank_fields`).
    rank_fields: tuple[list[str], array[int]] | None = None
    # Each token's positions, once built (`build_postings`): then every token test is answered
    # from them.
    postings: Postings | None = None
    # The positions by abstract length and the titles' words (`ranking.prepare_layout`), and
    # the entries in that order (`ranking._rank_in_groups`).
    rank_layout: RankLayout | None = None
    entries_in_order: tuple[Entry, ...] | None = None


def _with_user_text(snapshot: tuple[Entry, ...]) -> Iterable[int]:
    """The positions of the entries with a note or tags.

    A loaded library shares one state object among the entries in the same state (96 for
    100,000 entries in the benchmark's library), so each distinct state is looked at once:
    ~13 ms for 100,000 entries, where reading every entry's note and tags took 23-69 ms."""
    states = list(map(_STATE, snapshot))
    ids = list(map(id, states))
    distinct = dict(zip(ids, states, strict=True))  # `states` holds them: no id reused
    noted = {key for key, state in distinct.items() if state.note or state.tags}
    if not noted:
        return ()
    return compress(range(len(ids)), map(noted.__contains__, ids))


def _shape(snapshot: tuple[Entry, ...]) -> tuple[int, int, int]:
    """Length and first and last items: tells rows that may hold the same list, in O(1)."""
    if not snapshot:
        return (0, 0, 0)
    return (len(snapshot), id(snapshot[0]), id(snapshot[-1]))


class RowCache:
    """`Rows` for the last entry sequences searched (the library list, its slices, a result).

    Each remembered sequence keeps a snapshot of its items: if the caller changed it since, the
    snapshot differs and the rows are rebuilt, so a stale row is never used. Bounded by the total
    number of positions held, so the app's slices of a large library all fit.
    """

    def __init__(self, index: TokenIndex, max_positions: int = 400_000) -> None:
        self._index = index
        self._max = max_positions
        self._rows: dict[int, tuple[Sequence[Entry], Rows]] = {}
        self._lock = threading.Lock()  # the app searches in workers that may overlap

    def rows(self, entries: Sequence[Entry], start: int | None = None, step: int = 1) -> Rows:
        """The rows of `entries`; `start` (and `step`): where `entries` begin in the list the
        index was loaded for, and at what stride they were taken from it (the app's library
        slices, ranking's sample of the library), whose token strings it can then hand out as
        they were loaded, without a lookup a paper."""
        snapshot = tuple(entries)
        index = self._index
        with self._lock:
            cached = self._rows.get(id(entries))
            if (cached is None or cached[0] is not entries) and snapshot:
                # A copy of a list searched before (the app's shown list is a copy of the
                # library's, and so are its slices): the same rows serve it.
                key = _shape(snapshot)
                cached = next(
                    (c for c in reversed(self._rows.values()) if _shape(c[1].snapshot) == key),
                    None,
                )
        if (
            cached is not None
            and cached[1].snapshot == snapshot
            and (not cached[1].unindexed or cached[1].generation == index.generation)
        ):
            self._remember(entries, cached[1])
            return cached[1]
        generation = index.generation
        papers = list(map(_PAPER, snapshot))
        loaded = None if start is None else index.as_loaded(papers, start, step)
        tokens: list[str | None]
        if loaded is not None:
            tokens, bytesets = loaded
        else:
            tokens, bytesets = self._from_records(papers)
        unindexed: list[int] = []
        if None in tokens:
            unindexed = [i for i, t in enumerate(tokens) if t is None]
            for i in unindexed:
                tokens[i] = ""
        # Their texts, kept with the rows unless the text cache would outgrow its bound (a big
        # library searched before its index is loaded, or the first start after a big import):
        # then each search lower-cases them again instead.
        unindexed_texts = (
            [index.text(papers[i]) for i in unindexed]
            if index.may_cache_texts([papers[i] for i in unindexed])
            else None
        )
        extras = {i: extra_text(snapshot[i]) for i in _with_user_text(snapshot)}
        rows = Rows(
            snapshot,
            papers,
            cast("list[str]", tokens),
            bytesets,
            unindexed,
            unindexed_texts,
            extras,
            generation,
        )
        if not unindexed:
            earlier = self._same_papers(papers)
            if earlier is not None:  # what depends on the papers alone is theirs too
                rows.postings, rows.rank_fields = earlier.postings, earlier.rank_fields
                rows.rank_layout = earlier.rank_layout
        self._remember(entries, rows)
        return rows

    def _same_papers(self, papers: list[Paper]) -> Rows | None:
        """Rows with postings built before for the same papers, in the same order (a star or a
        note changes the entries, not the papers' tokens, titles or lengths), if any."""
        with self._lock:
            held = [rows for _, rows in self._rows.values() if rows.postings is not None]
        for rows in held:
            known = rows.papers
            if (
                len(known) == len(papers)
                and known[0] is papers[0]
                and known[-1] is papers[-1]
                and not rows.unindexed
                and all(map(is_, known, papers))
            ):
                return rows
        return None

    def _from_records(self, papers: list[Paper]) -> tuple[list[str | None], list[bytes]]:
        """Each paper's token string (None: not indexed) and letters, looked up."""
        index = self._index
        records = index.records(papers)
        if None in records:
            missing = [i for i, r in enumerate(records) if r is None]
            if index.warm and len(missing) <= _INDEX_ON_SEARCH:
                for i in missing:
                    records[i] = index.index(papers[i])
        if None in records:
            tokens = [r[1] if r is not None else None for r in records]
            bytesets = [r[2] if r is not None else b"" for r in records]
            return tokens, bytesets
        held = cast("list[Record]", records)
        return list(map(_TOKENS, held)), list(map(_LETTERS, held))

    def _remember(self, entries: Sequence[Entry], rows: Rows) -> None:
        with self._lock:
            self._rows.pop(id(entries), None)
            held = sum(len(r.snapshot) for _, r in self._rows.values()) + len(rows.snapshot)
            while self._rows and held > self._max:
                # The oldest rows without postings go first: postings take seconds to build
                # (rows ~1 ms a slice), and only the warm-up builds them.
                plain = (key for key, (_, kept) in self._rows.items() if kept.postings is None)
                oldest = next(plain, None)
                if oldest is None:
                    oldest = next(iter(self._rows))
                held -= len(self._rows.pop(oldest)[1].snapshot)
            self._rows[id(entries)] = (entries, rows)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()

    def drop_unindexed(self) -> None:
        """Forget the rows built while some of their papers were not indexed (they would be
        rebuilt anyway, and may hold those papers' texts); keep the others."""
        with self._lock:
            for key in [key for key, (_, rows) in self._rows.items() if rows.unindexed]:
                del self._rows[key]


def build_postings(rows: Rows, pause: Callable[[], object] | None = None) -> None:
    """Give `rows` their postings (see `Postings.build`; `pause` between its steps), unless
    they have them or some of their papers are not indexed (those rows are rebuilt anyway)."""
    if rows.postings is None and not rows.unindexed and rows.papers:
        rows.postings = Postings.build(rows.tokens, pause)


def content_matches(index: TokenIndex, needle: str, rows: Rows, positions: list[int]) -> list[int]:
    """The positions (of those given, in order) whose title or abstract contains `needle`."""
    plan = index.plan(needle)
    tokens, papers, postings = rows.tokens, rows.papers, rows.postings
    found: list[int]
    check: list[int] = []  # indexed candidates to confirm by their text
    if plan is None:  # no indexed paper can hold it
        found = []
    elif plan.byte:
        sets = rows.bytesets
        texts = sets if len(positions) == len(sets) else map(sets.__getitem__, positions)
        # The byte as an int: `memchr`, ~3x faster than a one-byte `bytes` needle.
        found = list(compress(positions, map(contains, texts, repeat(plan.byte[0]))))
    elif plan.exact:
        test = plan.tests[0]
        last = rows.last_test
        if last is not None and last[1] is positions and last[0] == test.ids:
            # What this same test kept last time (typing on in a word whose tokens no longer
            # change: `learni`, `learnin`, `learning`): nothing to test again.
            found = positions
        elif postings is not None:
            found = postings.holding(test.ids, positions)
        elif test.complete:
            found = test.held(tokens, positions)
        else:
            found, check = test.split(tokens, positions)
        if (test.complete or postings is not None) and not rows.unindexed:
            rows.last_test = (test.ids, found)  # (unindexed papers add to `found` below)
    else:
        found, check = [], positions
        for test in plan.tests:
            if postings is not None:
                check = postings.holding(test.ids, check)
            elif test.complete:
                check = test.held(tokens, check)
    unindexed = rows.unindexed
    if unindexed and check:
        skip = set(unindexed)
        check = [i for i in check if i not in skip]
    if check:
        text = index.text
        found += (i for i in check if needle in text(papers[i]))
        found.sort()
    if unindexed:
        # Papers not indexed yet (the warm-up worker is still at it): a plain scan of their text.
        plain: Iterable[str] | None = rows.unindexed_texts
        if plain is None:
            plain = map(content_text, map(papers.__getitem__, unindexed))
        if len(positions) == len(tokens):
            found += compress(unindexed, map(contains, plain, repeat(needle)))
        else:
            wanted = set(positions)
            found += (
                i for i, t in zip(unindexed, plain, strict=True) if i in wanted and needle in t
            )
        found = sorted(set(found))
    return found
