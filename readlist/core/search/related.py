"""Related papers: the papers most like one paper, by TF-IDF cosine over title and abstract.

A paper is the vector of its words (tokens of two characters or more, not only digits), each
weighing (1 + ln tf) * idf, where tf counts the word in the abstract plus twice in the title (a
title is a few words chosen to say what the paper is about) and idf = ln((N + 1) / (n + 1)) for
a word n of the N papers hold; the score of a paper is the cosine of its vector and the anchor's.

Computing every paper's vector would mean tokenising 100,000 texts (7-9 s) or holding their
counts (an inverted index of ~16 million entries): too slow or too big. So it runs in two steps
on what the token index holds already (each paper's distinct tokens, one character per token id):

1. Candidates: the papers holding one of the anchor's rarest words, found by one C-speed pass
   per word over every paper's token string, rarest first (title words first among equals), until
   `PASS_BUDGET` strings were tested or the next word would bring the candidates (by its share of
   the sample) over `MAX_CANDIDATES`. Each gets a first score, the sum over the words it shares
   with the anchor of the anchor's weight times idf, divided by the square root of its number of
   distinct tokens (its tf is unknown: the index keeps none).
2. The `RERANK` best of them are tokenised and scored by the cosine above.

In a library of up to `PASS_BUDGET` / (the anchor's word count) papers, step 1 holds every paper
sharing a rare word with the anchor, and with up to `RERANK` of them every one gets the exact
score. n is counted in an evenly spaced sample of at most `SAMPLE` papers (all of them below that).
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain, compress, repeat
from operator import contains
from typing import TypeVar

from readlist.core.models import Entry, Paper
from readlist.core.search.index import TokenIndex
from readlist.core.search.query import search_index, search_rows
from readlist.core.search.rows import Rows

T = TypeVar("T")

#: Document frequencies are counted in at most this many papers, evenly spaced.
SAMPLE = 2_000
#: Step 1 tests at most this many token strings (~5 ms per 100,000 on the machine measured).
PASS_BUDGET = 300_000
#: Step 1 stops looking for more once this many papers share a word with the anchor.
MAX_CANDIDATES = 2_000
#: How many of step 1's best get the exact score.
RERANK = 100
#: A title word counts this many times.
TITLE_COUNTS = 2


@dataclass(frozen=True, slots=True)
class Related:
    """A paper like the anchor, and the cosine of the two (1.0: the same words, equally used)."""

    entry: Entry
    score: float


class IndexNotReady(RuntimeError):
    """Some papers have no token string yet: the index is still being built."""


def _is_word(token: bytes) -> bool:
    """Words of two characters or more that are not only digits (no punctuation, no 2024)."""
    return len(token) > 1 and not token.isdigit()


class _Weights:
    """idf per token id, from the sample, and which ids are words (cached: per library list)."""

    def __init__(self, index: TokenIndex, rows: Rows) -> None:
        tokens = rows.tokens
        self.size = len(tokens)
        step = max(1, math.ceil(self.size / SAMPLE))
        sample = tokens[::step]
        self.sample_size = max(1, len(sample))
        self.held = Counter(chain.from_iterable(sample))
        self.index = index
        self.idf = _PerToken(self._idf)
        self.word = _PerToken(lambda token: _is_word(index.words(chr(token))[0]))
        self.rows = rows  # kept alive: the cache is keyed by it

    def share(self, token: int) -> float:
        return self.held[chr(token)] / self.sample_size

    def _idf(self, token: int) -> float:
        return math.log((self.size + 1) / (self.share(token) * self.size + 1))

    def vector(self, paper: Paper) -> dict[int, float]:
        """The paper's words and their weights, (1 + ln tf) * idf, title words counted twice."""
        counts = self.index.token_counts(paper.abstract)
        for token, count in self.index.token_counts(paper.title).items():
            counts[token] += TITLE_COUNTS * count
        idf, word, log = self.idf, self.word, math.log
        return {t: (1.0 + log(c)) * idf[t] for t, c in counts.items() if word[t]}


class _PerToken(dict[int, T]):
    """A value per token id, computed on first use (then looked up at C speed)."""

    def __init__(self, compute: Callable[[int], T]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, token: int) -> T:
        value = self[token] = self.compute(token)
        return value


_CACHE: list[_Weights] = []


def _weights(index: TokenIndex, rows: Rows) -> _Weights:
    for cached in _CACHE:
        if cached.rows is rows and cached.index is index:
            return cached
    weights = _Weights(index, rows)
    _CACHE[:] = [weights, *_CACHE[:1]]
    return weights


def related(anchor: Entry, entries: Sequence[Entry], limit: int = 20) -> list[Related]:
    """The papers of `entries` most like `anchor`, best first (the anchor itself left out).

    At most `limit`; only papers sharing a rare word with the anchor; ties keep the order of
    `entries`. Raises IndexNotReady if the index does not hold every paper (in the seconds after
    start, or before `prepare`).
    """
    index = search_index()
    rows = search_rows(entries)
    if rows.unindexed:
        raise IndexNotReady(f"{len(rows.unindexed)} papers are not indexed yet")
    if not rows.tokens or limit <= 0:
        return []
    weights = _weights(index, rows)
    mine = weights.vector(anchor.paper)
    norm = math.sqrt(sum(w * w for w in mine.values()))
    if norm == 0.0:
        return []
    first = {chr(t): w * weights.idf[t] for t, w in mine.items()}
    title = {chr(t) for t in index.token_counts(anchor.paper.title)}
    candidates = _candidates(rows.tokens, first, title, weights)
    lookup, tokens = first.get, rows.tokens
    scored = (
        (sum(map(lookup, tokens[i], repeat(0.0))) / math.sqrt(len(tokens[i]) or 1), -i)
        for i in candidates
        if rows.snapshot[i].id != anchor.id
    )
    best = heapq.nlargest(max(RERANK, limit), scored)
    exact: list[tuple[float, int]] = []
    for _, negative in best:
        position = -negative
        theirs = weights.vector(rows.papers[position])
        dot = sum(w * theirs.get(t, 0.0) for t, w in mine.items())
        length = math.sqrt(sum(w * w for w in theirs.values()))
        if dot > 0.0 and length > 0.0:
            exact.append((-dot / (norm * length), position))
    exact.sort()
    return [Related(rows.snapshot[i], -score) for score, i in exact[:limit]]


def _candidates(
    tokens: list[str], first: dict[str, float], title: set[str], weights: _Weights
) -> list[int]:
    """The positions of papers holding one of the anchor's rarest words (see the module)."""
    shares = {c: weights.share(ord(c)) for c in first}
    generators = sorted(first, key=lambda c: (shares[c], c not in title, c))
    size = len(tokens)
    held: set[int] = set()
    for char in generators[: max(1, PASS_BUDGET // size)]:
        if len(held) + shares[char] * size > MAX_CANDIDATES:
            break  # the rest are commoner: they would bring more papers than can be scored
        held.update(compress(range(size), map(contains, tokens, repeat(char))))
    return sorted(held)
