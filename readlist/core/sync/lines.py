"""A three-way line merge of two texts against their common ancestor (diff3), in pure Python.

Notes changed on two machines are merged line by line when the changes touch different lines.
`git merge-file` would do the same, but one subprocess per note would make the merge slow and
impure; this is the classic sync-region algorithm (as in bzr's merge3) over difflib's matches.
Each side is matched against the base on its own, so swapping the sides gives the same result.
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher


def _matches(base: Sequence[str], side: Sequence[str]) -> list[tuple[int, int, int]]:
    """Blocks of lines equal in `base` and `side`: (base start, side start, length)."""
    matcher = SequenceMatcher(None, base, side, autojunk=False)
    return [(a, b, n) for a, b, n in matcher.get_matching_blocks() if n]


def _sync_regions(
    base: Sequence[str], ours: Sequence[str], theirs: Sequence[str]
) -> list[tuple[int, int, int, int]]:
    """Runs of base lines that both sides kept: (base start, base end, ours start, theirs
    start), ending with an empty run at the end of all three texts."""
    ours_blocks, theirs_blocks = _matches(base, ours), _matches(base, theirs)
    regions: list[tuple[int, int, int, int]] = []
    i = j = 0
    while i < len(ours_blocks) and j < len(theirs_blocks):
        o_base, o_side, o_len = ours_blocks[i]
        t_base, t_side, t_len = theirs_blocks[j]
        low, high = max(o_base, t_base), min(o_base + o_len, t_base + t_len)
        if low < high:
            regions.append((low, high, o_side + low - o_base, t_side + low - t_base))
        if o_base + o_len < t_base + t_len:
            i += 1
        else:
            j += 1
    regions.append((len(base), len(base), len(ours), len(theirs)))
    return regions


def merge_lines(base: str, ours: str, theirs: str) -> str | None:
    """The two texts' changes applied together, or None if they change the same lines
    differently (a conflict)."""
    b, o, t = (text.splitlines(keepends=True) for text in (base, ours, theirs))
    out: list[str] = []
    at_base = at_ours = at_theirs = 0
    for low, high, ours_at, theirs_at in _sync_regions(b, o, t):
        base_part, ours_part = b[at_base:low], o[at_ours:ours_at]
        theirs_part = t[at_theirs:theirs_at]
        if ours_part == theirs_part or theirs_part == base_part:
            out += ours_part
        elif ours_part == base_part:
            out += theirs_part
        else:
            return None
        out += b[low:high]
        at_base, at_ours, at_theirs = high, ours_at + high - low, theirs_at + high - low
    return "".join(out)
