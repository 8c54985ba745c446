"""Each token's papers in one list of search rows: a needle's papers found from the token ids
that hold it, without reading every paper's token string.

Why: the first letters of a word (`di`, `dif`) are held by dozens to thousands of tokens. Tested
paper by paper, that is one pass over what is left per token id, then a character class read
over every paper none of them held (~1.5 us a paper): 80-220 ms at 100,000 papers on a
keystroke. From postings it is a few unions: 0.2-0.9 ms a slice of 4,000 papers.

A token held by at least 1 in 32 of the papers is kept as a bitmap (a Python int, bit i for
position i: 500 bytes for 4,000 papers); the others as their positions, all of them in one
array, sorted by token (~0.6 MB a slice of the benchmark's library). The bitmaps of a needle's
token ids are picked at C speed through a 0/1 byte per token id (`_members`); its other ids are
looked up by bisection when few, else found by one character class over the slice's ids as a
string (reading them one by one cost ~0.1 us each, 0.8 ms a slice for `tran`'s 1,442 ids).
"""

from __future__ import annotations

import re
import sys
from array import array
from bisect import bisect_left
from collections import defaultdict, deque
from collections.abc import Callable
from functools import partial, reduce
from itertools import accumulate, chain, compress, repeat
from operator import or_

from readlist.core.search.index import id_class

# A token held by at least 1 in this many papers is kept as a bitmap: 1 in 16 took as much memory
# (0.57 against 0.61 MB a slice) but left 4x more papers to find in the other tokens' positions
# for `tra` (1.85 against 0.41 ms a slice); 1 in 64 took 0.81 MB for little more.
_BITMAP_SHARE = 32
# Papers added to the postings between two calls of `build`'s `pause`.
_STEP = 500
_ZERO_ONE = bytes.maketrans(b"01", b"\x00\x01")
_FLIP = bytes.maketrans(b"\x00\x01", b"\x01\x00")
_ASCII_ONE = ord("1")
_UTF32 = "utf-32-le" if sys.byteorder == "little" else "utf-32-be"
# Fewer ids than 1 in this many of the other tokens: each id is looked up by bisection (~0.5-0.8
# us) instead of the character class read over them all (~10 ns an id, and its compile).
_LOOK_UP_BELOW = 16

# Fewer papers left by the bitmaps than 1 in this many of the other tokens: those papers are read
# (~1.5 us each) instead of the other tokens' positions gathered.
_READ_BELOW = 64

# The 0/1 bytes of the last few needles' token ids (see `_members`).
_MEMBERS: dict[str, bytearray] = {}


def _members(ids: str, size: int) -> bytearray:
    """1 at each of `ids` (token ids as characters), 0 elsewhere, at least `size` long: the
    same needle is looked up in every slice of a search, so it is made once."""
    member = _MEMBERS.get(ids)
    if member is None:
        if len(_MEMBERS) >= 8:
            _MEMBERS.clear()
        codes = list(map(ord, ids))
        member = _MEMBERS[ids] = bytearray(max(codes, default=-1) + 1)
        deque(map(member.__setitem__, codes, repeat(1)), 0)
    if len(member) < size:
        member.extend(bytes(size - len(member)))
    return member


class Postings:
    """Which positions of a list of token strings hold each token id (see the module's notes)."""

    __slots__ = ("_bitmaps", "_common", "_keys", "_positions", "_starts", "_tokens", "_top", "size")

    def __init__(self, tokens: list[str], held: dict[int, array[int]], code: str) -> None:
        self.size = size = len(tokens)
        self._tokens = tokens  # the token strings they were built from (a few are read)
        common = max(1, size // _BITMAP_SHARE)
        blank = bytearray(b"0") * size
        bitmaps: dict[int, int] = {}
        for token, found in held.items():
            if len(found) >= common:
                flags = bytearray(blank)
                deque(map(flags.__setitem__, found, repeat(_ASCII_ONE)), 0)
                bitmaps[token] = int(flags[::-1], 2)  # bit i: position i
        self._common = array("I", sorted(bitmaps))  # the token ids kept as bitmaps
        self._bitmaps = list(map(bitmaps.__getitem__, self._common))
        keys = sorted(token for token in held if token not in bitmaps)
        self._keys = "".join(map(chr, keys))  # the other token ids, as characters
        lists = list(map(held.__getitem__, keys))
        # Where each key's positions start in `_positions`, and where the last ends.
        self._starts = array("I", accumulate(map(len, lists), initial=0))
        self._positions = array(code)
        self._positions.frombytes(b"".join(map(array.tobytes, lists)))
        self._top = max(bitmaps, default=-1) + 1  # (what `_members` must cover)

    @classmethod
    def build(cls, tokens: list[str], pause: Callable[[], object] | None = None) -> Postings:
        """The postings of `tokens` (each a paper's token string); `pause` is called every
        `_STEP` papers, so that a worker building them can step aside for searches."""
        size = len(tokens)
        code = "H" if size <= 1 << 16 else "I"
        # Arrays, not lists: 2 bytes a (paper, token) pair instead of 8 while they are built
        # (10,000 papers in one piece, tracemalloc: a peak of 9.3 MB, where gathering lists of
        # ints alone held 16.1 MB).
        held: defaultdict[int, array[int]] = defaultdict(partial(array, code))
        lists, append = held.__getitem__, array.append
        for start in range(0, size, _STEP):
            if pause is not None:
                pause()
            step = tokens[start : start + _STEP]
            ids = array("I")
            ids.frombytes("".join(step).encode(_UTF32, "surrogatepass"))
            ats = chain.from_iterable(map(repeat, range(start, start + len(step)), map(len, step)))
            deque(map(append, map(lists, ids), ats), 0)
        if pause is not None:
            pause()
        return cls(tokens, held, code)

    def holding(self, ids: str, positions: list[int]) -> list[int]:
        """The positions (of those given, increasing) whose token string holds one of `ids`
        (token ids as characters).

        The bitmaps first (a word's common tokens: through them alone `le` holds every paper
        of a slice of the benchmark's library); the papers they leave are then looked for in
        the other tokens' positions."""
        if not positions:
            return []
        size = self.size
        member = _members(ids, self._top)
        is_one = member.__getitem__
        bits = reduce(or_, compress(self._bitmaps, map(is_one, self._common)), 0)
        flags = bytearray(format(bits, f"0{size}b")[::-1].encode().translate(_ZERO_ONE))
        keys = self._keys
        # The papers the bitmaps leave, counted over the whole list (at C speed: the positions
        # given are most of it while a word is typed, and a paper left that is not among them
        # costs only where the papers left are read).
        left = flags.translate(_FLIP)
        missed = left.count(1) if keys else 0
        if missed:
            if missed * _READ_BELOW < len(keys):
                # Few papers left: each read (its token string, as `Test.split` ends).
                found = id_class(ids).search
                tokens = self._tokens
                unread = list(compress(range(size), left))
                hits = compress(unread, map(found, map(tokens.__getitem__, unread)))
                deque(map(flags.__setitem__, hits, repeat(1)), 0)
            else:
                if len(ids) * _LOOK_UP_BELOW < len(keys):
                    ends = len(keys)
                    ats = [at for t in ids if (at := bisect_left(keys, t)) < ends and keys[at] == t]
                else:  # the keys read as one string (~10 ns each, where a look-up is ~0.1 us)
                    ats = list(map(re.Match.start, id_class(ids).finditer(keys)))
                starts, held = self._starts, self._positions
                after = map(starts.__getitem__, map((1).__add__, ats))
                parts = map(held.__getitem__, map(slice, map(starts.__getitem__, ats), after))
                deque(map(flags.__setitem__, chain.from_iterable(parts), repeat(1)), 0)
        if len(positions) == size:
            return list(compress(positions, flags))
        return list(compress(positions, map(flags.__getitem__, positions)))
