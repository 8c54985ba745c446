"""What ranking many matches without scoring each of them needs to know of one list of rows.

Why: a word typed at 100,000 papers matches up to 39,000 of them, and scoring and sorting each
on every keystroke took ~30 ms of the 50 a key may take. But most of those papers score alike:
a paper that holds every word of the query in its abstract, in none of its title and with no
note or tags scores by its abstract's length alone (see `ranking`), and shorter ranks higher.
So the positions sorted by abstract length bucket once (`order`) give those papers' order for
any such query; only the few whose title holds a word (found from the titles' distinct words,
not by reading every title) or that have a note or tags are scored one by one.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, groupby
from operator import itemgetter
from typing import TypeVar, cast

T = TypeVar("T")

# One int object for each index, shared by the layouts' `rank_of`.
_INTS: list[int] = []


@dataclass(frozen=True, slots=True)
class RankLayout:
    """One list of rows' positions by abstract length, and its titles' words."""

    order: array[int]  # the positions, by abstract length bucket, then position
    # Each position's index in `order` (a tuple: read in a loop per match, ~2x faster than an
    # array; its ints are shared by every layout, so it costs a pointer a paper).
    rank_of: tuple[int, ...]
    # (abstract bucket, start, end) of each run of `order` in one bucket, in order
    groups: tuple[tuple[int, int, int], ...]
    words: str  # the titles' distinct words (split at whitespace), each followed by "\n"
    word_starts: array[int]  # where each word starts in `words`
    starts: array[int]  # where each word's positions start in `positions` (and the end)
    positions: array[int]  # the positions of the titles holding each word, word by word

    @classmethod
    def build(cls, titles: Sequence[str], abstract_buckets: Sequence[int]) -> RankLayout:
        """The layout of rows whose lower-cased titles and abstract length buckets are given
        (~12 ms for 4,000 papers, nearly all of it the titles' words)."""
        size = len(titles)
        code = "H" if size <= 0xFFFF else "I"
        order = array(code, sorted(range(size), key=abstract_buckets.__getitem__))
        ranks = array(code, bytes(order.itemsize * size))
        for at, position in enumerate(order):
            ranks[position] = at
        if len(_INTS) < size:
            _INTS.extend(range(len(_INTS), size))
        groups: list[tuple[int, int, int]] = []
        start = 0
        for bucket, run in groupby(map(abstract_buckets.__getitem__, order)):
            end = start + sum(1 for _ in run)
            groups.append((bucket, start, end))
            start = end
        holding: dict[str, list[int]] = {}
        for position, title in enumerate(titles):
            for word in set(title.split()):
                held = holding.get(word)
                if held is None:
                    holding[word] = [position]
                else:
                    held.append(position)
        lengths = [len(word) + 1 for word in holding]
        return cls(
            order,
            tuple(map(_INTS.__getitem__, ranks)),
            tuple(groups),
            "".join(word + "\n" for word in holding),
            array("I", accumulate(lengths, initial=0)),
            array("I", accumulate(map(len, holding.values()), initial=0)),
            array(code, chain.from_iterable(holding.values())),
        )

    def in_order(self, items: Sequence[T]) -> tuple[T, ...]:
        """`items` (one per position) in `order`."""
        if len(self.order) < 2:  # (itemgetter of one index gives the item, not a tuple)
            return tuple(items[: len(self.order)])
        return cast("tuple[T, ...]", itemgetter(*self.order)(items))

    def title_holders(self, value: str) -> set[int]:
        """The positions whose title holds `value` (a word without whitespace: it then lies
        within one of a title's words)."""
        find, starts, word_starts = self.words.find, self.starts, self.word_starts
        found: set[int] = set()
        at = find(value) if value else -1
        while at >= 0:
            word = bisect_right(word_starts, at) - 1
            found.update(self.positions[starts[word] : starts[word + 1]])
            at = find(value, word_starts[word + 1])  # (the next word on)
        return found
