"""Relevance: the papers a query matched, best first (BM25F over title, text, note and tags).

The score of a paper d for the positive words and phrases t of the query (`Query.texts`):

    score(d) = sum over t of  idf(t) * x * (K1 + 1) / (x + K1)
    x        = 3.0 * tf_title / (0.5 + 0.5 * len_title / avg_title)
             + 1.0 * held_text / (0.25 + 0.75 * len_abstract / avg_abstract)
             + 1.5 * tf_note + 2.0 * tf_tags
    idf(t)   = max(0, ln((N - n + 0.5) / (n + 0.5)))   (N papers, n of them matching t alone)

tf is how many times t occurs in the lower-cased title, note or tags; held_text is 1 when the
title or abstract holds t (for `abstract:t`, the abstract), else 0. A field term (`title:t`)
counts in its field only; operators (is:, has:, tag:, date:, author:, cat:) only filter. Lengths
are in characters, rounded to 1/16 of an octave. Ties keep the order given (feed order).

Only the matched papers are ranked, on every keystroke, so ranking must stay a small part of a
search even when a word matches a third of 100,000 papers:
- The abstract counts by presence, not by count: counting means reading every matched abstract
  (~110 ms for 57,000 abstracts, more than a whole search), and the token index already says
  which hold the word. A paper's text matching every word of the query is known from the search:
  only papers with a note or tags (which may be where the word was) are looked at again.
- idf is Robertson and Sparck Jones' (BM25's original), floored at 0: a word more than half the
  papers hold says nothing about which is most relevant, and is not ranked on (`learning` in a
  library of ML papers, and every one- or two-letter prefix typed on the way to a word: the
  largest result sets, which thus cost nothing to rank). N and n, and the average lengths, come
  from an evenly spaced sample of the library (all of it up to `SAMPLE` papers).
- Every per-paper quantity comes from a C-speed pass (`map` of `str` methods); a paper's score is
  a lookup of its (title count, held, title length, abstract length), each combination scored
  once in Python.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import compress, count, repeat
from operator import add, attrgetter, is_, itemgetter
from typing import cast

from readlist.core.library.text_store import abstract_lengths
from readlist.core.models import Entry, Paper, abstract_length
from readlist.core.search.index import content_text, squash
from readlist.core.search.query import (
    Query,
    Text,
    search,
    search_index,
    search_rows,
    text_positions,
)
from readlist.core.search.rank_layout import RankLayout
from readlist.core.search.rows import Rows, build_postings, content_matches

K1 = 1.2
#: Field weights: a title is a few words chosen to say what the paper is; a tag is the user's own
#: label for it; the abstract is the baseline.
WEIGHTS = {"title": 3.0, "text": 1.0, "note": 1.5, "tags": 2.0}
#: Length normalisation per field (BM25's b); the text's length is its abstract's.
B = {"title": 0.5, "text": 0.75}
#: Document frequencies and average lengths are taken from at most this many papers.
SAMPLE = 2_000

_TITLE = attrgetter("paper.title")
_PAPER_TITLE = attrgetter("title")
_PAPER = attrgetter("paper")
_USER_TEXT = attrgetter("state.note", "state.tags")


@dataclass(frozen=True, slots=True)
class _Corpus:
    """What the scores need to know of the whole library, from an evenly spaced sample."""

    size: int
    sample: list[Entry]
    title_length: float
    abstract_length: float
    idfs: dict[Text, float] = field(default_factory=dict)
    bases: dict[tuple[str, int], float] = field(default_factory=dict)

    @classmethod
    def of(cls, collection: Sequence[Entry]) -> _Corpus:
        """The corpus of `collection`, kept for the next call with the same list (the app ranks
        the library's list on every keystroke; a new sample cost its search rows each time)."""
        last = _LAST_CORPUS[0]
        if last is not None and last[0] is collection and last[1] == len(collection):
            return last[2]
        step = max(1, math.ceil(len(collection) / SAMPLE))
        sample = list(collection[::step])
        # Its rows for the idf searches: at the start of a session, as the saved index loaded
        # them (before each paper's record is filed, a lookup finds none, and the first ranked
        # search scanned the sample's text: 45-89 ms at 100,000 papers).
        search_rows(sample, start=0, step=step)
        count = max(1, len(sample))
        corpus = cls(
            len(collection),
            sample,
            max(1.0, sum(map(len, map(_TITLE, sample))) / count),
            max(1.0, sum(map(abstract_length, map(_PAPER, sample))) / count),
        )
        _LAST_CORPUS[0] = (collection, len(collection), corpus)
        return corpus

    def base(self, field: str, bucket: int) -> float:
        """BM25's length normalisation of `field` for a length in `bucket` (see `_Buckets`),
        worked out once per bucket: each ranking scores a few hundred combinations."""
        known = self.bases.get((field, bucket))
        if known is None:
            average = self.title_length if field == "title" else self.abstract_length
            known = self.bases[(field, bucket)] = _base(field, _length(bucket), average)
        return known

    def idf(self, term: Text) -> float:
        """Robertson and Sparck Jones' idf from the share of the sample matching `term` alone,
        floored at 0: a word more than half the papers hold says nothing about relevance."""
        if not self.sample:
            return 0.0
        known = self.idfs.get(term)
        if known is not None:
            return known
        held = len(search(self.sample, Query(((term,),))))
        n = held * self.size / len(self.sample)
        idf = self.idfs[term] = max(0.0, math.log((self.size - n + 0.5) / (n + 0.5)))
        return idf


def prepare_ranking(collection: Sequence[Entry], pause: Callable[[], object] | None = None) -> None:
    """Take the sample that document frequencies come from and give its rows postings (see
    `build_postings`; `pause` between steps): each new word typed searches the sample for its
    idf, which read the sample's token strings one by one (~2-5 ms a key at 100,000 papers)."""
    build_postings(search_rows(_Corpus.of(collection).sample), pause)  # (the rows `of` built)


# The library list last ranked, its length then, and its corpus. The library hands out a new
# list whenever it changes (a note or tags too: they count in the sample's idf search).
_LAST_CORPUS: list[tuple[Sequence[Entry], int, _Corpus] | None] = [None]


class _Buckets(dict[int, int]):
    """Length -> its bucket: lengths rounded to 1/16 of an octave (at most 4.4% off).

    So a paper's score depends on a few small numbers (counts, buckets), and the matched papers
    share a few thousand combinations of them at most: each is scored once, in Python, and each
    paper looks its score up at C speed.
    """

    def __missing__(self, length: int) -> int:
        bucket = self[length] = int(16 * math.log2(1 + length))
        return bucket


_BUCKETS = _Buckets()


def _length(bucket: int) -> float:
    return float(2 ** (bucket / 16) - 1)


def _both(title: int, abstract: int) -> int:
    """A paper's title and abstract buckets as one int (one list to gather, one key part)."""
    return title << 16 | abstract


class _Contributions(dict[tuple[int, int, int], float]):
    """(title count, text holds it, title and abstract buckets: `_both`) -> one word's score."""

    def __init__(self, idf: float, corpus: _Corpus) -> None:
        super().__init__()
        self.idf, self.corpus = idf, corpus

    def __missing__(self, key: tuple[int, int, int]) -> float:
        score = self[key] = self.score(*key)
        return score

    def score(self, count: int, held: int, buckets: int, extra: float = 0.0) -> float:
        corpus = self.corpus
        x = extra
        if count:
            x += WEIGHTS["title"] * count / corpus.base("title", buckets >> 16)
        if held:
            x += WEIGHTS["text"] / corpus.base("text", buckets & 0xFFFF)
        return self.idf * x * (K1 + 1.0) / (x + K1)


def _base(field: str, length: float, average: float) -> float:
    return 1.0 - B[field] + B[field] * length / average


#: Where each paper of a ranked result sits: search rows, and the positions in them (in order).
Located = Sequence[tuple[Rows, list[int]]]


def rank_fields(rows: Rows) -> tuple[list[str], array[int]]:
    """What ranking reads of each paper of `rows`, read once and kept with them: typing a word
    at 100,000 papers ranked 34,000 matches on every key, and reading these took ~40 of the
    ~85 ms (~0.1 s for all 100,000; ~13 MB, the lower-cased titles). The lower-cased titles,
    and the title and abstract length buckets (`_both`)."""
    fields = rows.rank_fields
    if fields is None:
        titles = list(map(str.lower, map(_PAPER_TITLE, rows.papers)))
        fields = rows.rank_fields = (titles, array("I", _buckets(titles, rows.papers)))
    return fields


def _buckets(titles: list[str], papers: Sequence[Paper]) -> Iterator[int]:
    """`_both` of each paper's title and abstract length buckets."""
    by_title = map(_BUCKETS.__getitem__, map(len, titles))
    return map(_both, by_title, map(_BUCKETS.__getitem__, abstract_lengths(papers)))


Fields = tuple[Sequence[str], Sequence[int], list[int]]

# Typing on in a word (`diffu`, `diffus`) matches the same papers: the search hands back the
# same position lists, and their fields (and, when the scores come out the same, the order) are
# those of the last ranking. Each is kept with what it was made from, compared by identity.
_LAST_FIELDS: list[tuple[list[tuple[Rows, list[int]]], Fields] | None] = [None]
_LAST_ORDER: list[tuple[list[Entry], list[float], list[Entry]] | None] = [None]


def _located(located: Located) -> Fields:
    """The lower-cased titles and length buckets of the located papers, in order, and which of
    them have a note or tags (their rows know: `Rows.extras`)."""
    last = _LAST_FIELDS[0]
    if (
        last is not None
        and len(last[0]) == len(located)
        and all(a is c and b is d for (a, b), (c, d) in zip(last[0], located, strict=True))
    ):
        return last[1]
    titles: list[str] = []
    buckets: list[int] = []
    users: list[int] = []
    for rows, kept in located:
        names, both = rank_fields(rows)
        if rows.extras:
            at = len(titles)
            users += compress(count(at), map(rows.extras.__contains__, kept))
        if len(kept) == len(names):  # every position (a slice all of whose papers match)
            titles += names
            buckets += both
        elif len(kept) > 1:  # (a tuple from `itemgetter`: ~2x `map` at C speed)
            pick = itemgetter(*kept)
            titles += pick(names)
            buckets += pick(both)
        elif kept:
            titles.append(names[kept[0]])
            buckets.append(both[kept[0]])
    fields = (titles, buckets, users)
    _LAST_FIELDS[0] = (list(located), fields)
    return fields


def relevance(
    found: Sequence[Entry],
    query: Query,
    collection: Sequence[Entry],
    located: Located | None = None,
) -> list[float]:
    """The score of each paper of `found` (papers matching `query`, within `collection`);
    `located`: where they are in search rows (see `rank_fields`), if known."""
    size = len(found)
    if not found or not query.texts:
        return [0.0] * size
    corpus = _Corpus.of(collection)
    weighed = [(term, idf) for term in query.texts if (idf := corpus.idf(term)) > 0.0]
    if not weighed:
        return [0.0] * size
    titles: Sequence[str]
    buckets: Sequence[int]
    if located is not None:
        titles, buckets, users = _located(located)
    else:
        users = list(compress(range(size), map(any, map(_USER_TEXT, found))))
        papers = list(map(_PAPER, found))
        titles = list(map(str.lower, map(_PAPER_TITLE, papers)))
        buckets = list(_buckets(titles, papers))
    required = {g[0] for g in query.groups if len(g) == 1}
    total: list[float] | None = None
    for term, idf in weighed:
        value, field = term.value, term.field
        if field in ("", "title"):
            texts: Iterable[str] = map(squash, titles) if " " in value else titles
            counts = list(map(str.count, texts, repeat(value)))
        else:
            counts = [0] * size
        if field == "title":
            held = bytes(size)
        else:
            held = _text_holds(term, term in required, found, users)
        table = _Contributions(idf, corpus)
        keys = zip(counts, held, buckets, strict=True)
        scores = list(map(table.__getitem__, keys))
        if field in ("", "note"):
            for i in users:  # few: the papers with a note or tags
                extra = _user_text_weight(found[i], value, notes_only=field == "note")
                if extra:
                    scores[i] = table.score(counts[i], held[i], buckets[i], extra=extra)
        total = scores if total is None else list(map(add, total, scores))
    return total or [0.0] * size


def _text_holds(term: Text, required: bool, found: Sequence[Entry], users: list[int]) -> bytes:
    """1 for each paper whose title or abstract (for `abstract:`, the abstract) holds the term's
    word, 0 for the others.

    A word every paper must match (not an alternative of an OR) is in each title, abstract,
    note or tags: only the few papers with a note or tags need a look. Otherwise the token
    index answers, as for a search.
    """
    size = len(found)
    if required and term.field == "abstract":
        return b"\x01" * size
    if required:
        held = bytearray(b"\x01" * size)
        for i in users:
            if term.value not in content_text(found[i].paper):
                held[i] = 0
        return bytes(held)
    held = bytearray(size)
    rows = search_rows(found)
    if term.field == "abstract":
        positions = text_positions(term, rows, list(range(size)))
    else:
        positions = content_matches(search_index(), term.value, rows, list(range(size)))
    for i in positions:
        held[i] = 1
    return bytes(held)


def _user_text_weight(entry: Entry, value: str, *, notes_only: bool) -> float:
    state = entry.state
    weight = WEIGHTS["note"] * squash(state.note).lower().count(value)
    if not notes_only and state.tags:
        tags = "\n".join(squash(tag) for tag in state.tags).lower()
        weight += WEIGHTS["tags"] * tags.count(value)
    return weight


def rank(
    found: Sequence[Entry],
    query: Query,
    collection: Sequence[Entry],
    located: Located | None = None,
) -> list[Entry]:
    """`found` (the papers matching `query` in `collection`, in feed order), best first.

    `collection` is what was searched (the library): document frequencies and average lengths
    are taken from it. Papers that tie (e.g. every paper, for a query without words) keep the
    order given. `located`: see `relevance`; with it, the rows' layouts rank most matches
    without scoring each, where they apply (`_rank_in_groups`).
    """
    if located is not None:
        grouped = _rank_in_groups(query, collection, located)
        if grouped is not None:
            return grouped
    scores = relevance(found, query, collection, located)
    if not any(scores):
        return list(found)
    last = _LAST_ORDER[0]
    if (
        last is not None
        and last[1] == scores
        and len(last[0]) == len(found)
        and all(map(is_, last[0], found))
    ):
        return list(last[2])  # the same papers, scored the same: the same order (no sort)
    order = sorted(range(len(found)), key=scores.__getitem__, reverse=True)
    ranked = list(map(found.__getitem__, order))
    _LAST_ORDER[0] = (list(found), scores, ranked)
    return list(ranked)


def prepare_layout(rows: Rows) -> None:
    """Give `rows` their `RankLayout` (~12 ms for 4,000 papers), unless they have it: from then
    on a ranking of their matches scores only the few that do not score by abstract length."""
    if rows.rank_layout is None:
        titles, both = rank_fields(rows)
        rows.rank_layout = RankLayout.build(titles, [b & 0xFFFF for b in both])


def _rank_in_groups(
    query: Query, collection: Sequence[Entry], located: Located
) -> list[Entry] | None:
    """`rank` of the located papers from their rows' layouts (see `RankLayout`), or None where
    that does not apply: a word that may be missing from a match (an OR), in a field of its own
    (`title:`, `note:`) or with whitespace in it, or rows without a layout.

    A match whose title holds none of the words, with no note or tags, scores the same as every
    such paper in its abstract length bucket, and a longer bucket scores lower: those papers
    keep their bucket's place in each slice's `order`, bucket by bucket across the slices (feed
    order within one); the others are scored one by one and go in between by score. The result
    is `rank`'s to the paper (the same scores, ties in feed order)."""
    corpus = _Corpus.of(collection)
    weighed = [(term, idf) for term in query.texts if (idf := corpus.idf(term)) > 0.0]
    required = {g[0] for g in query.groups if len(g) == 1}
    layouts = [rows.rank_layout for rows, _ in located]
    if (
        not weighed
        or None in layouts
        or any(
            term not in required
            or term.field not in ("", "abstract")
            or term.value.split() != [term.value]
            for term, _ in weighed
        )
    ):
        return None
    ready = cast("list[RankLayout]", layouts)
    tables = [_Contributions(idf, corpus) for _, idf in weighed]
    plain: dict[int, float] = {}  # abstract bucket -> the score of a plain paper in it
    for layout in ready:
        for bucket, _, _ in layout.groups:
            if bucket not in plain:
                total = 0.0
                for number, table in enumerate(tables):  # (summed in `relevance`'s order)
                    score = table[(0, 1, bucket)]
                    total = score if not number else total + score
                plain[bucket] = total
    buckets = sorted(plain)
    if len(set(plain.values())) < len(plain):
        return None  # two buckets score the same: their papers would interleave
    words = [term.value for term, _ in weighed if not term.field]
    # Each slice's matches as 1s in the order of its layout, and the papers scored one by one
    # (titles holding a word, notes and tags), in feed order.
    masks: list[bytearray] = []
    others: list[Entry] = []
    others_located: list[tuple[Rows, list[int]]] = []
    for (rows, kept), layout in zip(located, ready, strict=True):
        size, rank_of = len(rows.snapshot), layout.rank_of
        if len(kept) == size:
            mask = bytearray(b"\x01") * size
        else:
            mask = bytearray(size)
            for position in kept:
                mask[rank_of[position]] = 1
        candidates = set(rows.extras)
        for word in words:
            candidates |= layout.title_holders(word)
        picked = sorted(p for p in candidates if mask[rank_of[p]])
        masks.append(mask)
        others_located.append((rows, picked))
        others += map(rows.snapshot.__getitem__, picked)
    scores = relevance(others, query, collection, others_located)
    # Those that score as the plain papers of their bucket stay with them (in feed order); the
    # others are ranked apart (their indexes in `others`, best first, ties in feed order).
    apart: list[int] = []
    plain_scores = set(plain.values())
    index = 0
    for (rows, picked), mask, layout in zip(others_located, masks, ready, strict=True):
        both, rank_of = rank_fields(rows)[1], layout.rank_of
        for position in picked:
            score = scores[index]
            if score != plain[both[position] & 0xFFFF]:
                if score in plain_scores:
                    return None  # a tie with another bucket's papers
                mask[rank_of[position]] = 0
                apart.append(index)
            index += 1
    apart.sort(key=scores.__getitem__, reverse=True)  # (stable: ties keep feed order)
    runs: list[dict[int, tuple[int, int]]] = []  # each slice's bucket -> its papers' span
    kept_in_order: list[list[Entry]] = []
    for (rows, _), layout, mask in zip(located, ready, masks, strict=True):
        ordered = rows.entries_in_order
        if ordered is None:
            ordered = rows.entries_in_order = layout.in_order(rows.snapshot)
        kept_in_order.append(list(compress(ordered, mask)))
        spans: dict[int, tuple[int, int]] = {}
        at = 0
        for bucket, start, end in layout.groups:
            held = mask.count(1, start, end)
            if held:
                spans[bucket] = (at, at + held)
                at += held
        runs.append(spans)
    ranked: list[Entry] = []
    next_apart = 0
    for bucket in buckets:
        score = plain[bucket]
        while next_apart < len(apart) and scores[apart[next_apart]] > score:
            ranked.append(others[apart[next_apart]])
            next_apart += 1
        for spans, papers in zip(runs, kept_in_order, strict=True):
            span = spans.get(bucket)
            if span is not None:
                ranked += papers[span[0] : span[1]]
    ranked += map(others.__getitem__, apart[next_apart:])
    return ranked
