"""Postings (each token's papers in a list of search rows) find what reading each paper's token
string finds, in every way they can look: bitmaps, positions looked up or gathered, papers read."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readlist.core.models import Entry, Paper, PaperState, paper_id
from readlist.core.search import postings as postings_module
from readlist.core.search.index import TokenIndex
from readlist.core.search.postings import Postings
from readlist.core.search.query import clear_cache, parse_query, prepare, search, search_rows
from readlist.core.search.ranking import prepare_layout
from readlist.core.search.rows import RowCache, build_postings

# Token ids as characters: a few common ones, rarer ones, and ids around the surrogates (a token
# string is decoded with "surrogatepass") and past the 16-bit range.
ALPHABET = "abcdefgh" + "\ud7ff\ud800\udfff\ue000" + "\U0001f600\U00010000"
TOKEN_STRINGS = st.lists(
    st.text(alphabet=ALPHABET, max_size=6).map(lambda s: "".join(dict.fromkeys(s))), max_size=40
)
# How the postings are laid out and read: which tokens are bitmaps (1 in `share` papers), and
# when ids are looked up one by one, or the papers left are read.
SETTINGS = st.tuples(
    st.sampled_from([1, 2, 4, 10**6]),
    st.sampled_from([0, 16, 10**6]),
    st.sampled_from([0, 64, 10**6]),
)


def plain(tokens: list[str], ids: str, positions: list[int]) -> list[int]:
    """The definition: the positions whose token string holds one of `ids`."""
    return [at for at in positions if any(token in tokens[at] for token in ids)]


@settings(max_examples=400, deadline=None)
@given(TOKEN_STRINGS, st.text(alphabet=ALPHABET, min_size=1, max_size=6), st.data(), SETTINGS)
def test_holding_is_what_reading_each_token_string_finds(
    tokens: list[str], ids: str, data: st.DataObject, layout: tuple[int, int, int]
) -> None:
    ids = "".join(dict.fromkeys(ids))
    positions = data.draw(
        st.sets(st.integers(0, max(0, len(tokens) - 1)), max_size=len(tokens)).map(sorted)
        if tokens
        else st.just([])
    )
    with pytest.MonkeyPatch.context() as patch:
        share, look_up, read = layout
        patch.setattr(postings_module, "_BITMAP_SHARE", share)
        patch.setattr(postings_module, "_LOOK_UP_BELOW", look_up)
        patch.setattr(postings_module, "_READ_BELOW", read)
        postings_module._MEMBERS.clear()
        built = Postings.build(tokens)
        every = list(range(len(tokens)))
        assert built.holding(ids, every) == plain(tokens, ids, every)
        assert built.holding(ids, positions) == plain(tokens, ids, positions)


def test_bitmaps_and_positions_both_answer() -> None:
    """A token most papers hold is a bitmap, a rare one a list of positions: a needle held by
    one of each finds the papers of both (fails if either kind is left out)."""
    tokens = ["a"] * 60 + ["b", "ab"] + [""] * 38
    built = Postings.build(tokens)
    assert list(built._common) == [ord("a")] and built._keys == "b"  # one of each kind
    assert built.holding("a", list(range(100))) == [*range(60), 61]
    assert built.holding("b", list(range(100))) == [60, 61]
    assert built.holding("ba", list(range(100))) == list(range(62))
    assert built.holding("ba", [0, 59, 60, 70]) == [0, 59, 60]
    assert built.holding("c", list(range(100))) == []


def test_build_pauses_between_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker building postings steps aside for searches every few hundred papers."""
    monkeypatch.setattr(postings_module, "_STEP", 10)
    calls: list[int] = []
    Postings.build(["a"] * 95, pause=lambda: calls.append(1))
    assert len(calls) >= 10


def test_rows_of_the_same_papers_keep_their_postings() -> None:
    """A star or a note makes new entries, not new tokens: the rows built for the changed list
    take the postings the warm-up built (else every search after a star would read each paper's
    token string again until the next session), and the ranking's fields and layout (else every
    ranking after a star would score each match); a changed paper's rows get none."""
    papers = [
        Entry(Paper(paper_id(f"t{i}"), f"Diffusion {i}", f"abstract {i} of models"), PaperState())
        for i in range(30)
    ]
    clear_cache()
    try:
        prepare(papers)
        built = search_rows(papers)
        build_postings(built)
        prepare_layout(built)
        assert built.postings is not None and built.rank_layout is not None
        starred = list(papers)
        starred[7] = starred[7].with_state(starred=True)
        rows = search_rows(starred)
        assert rows is not built and rows.postings is built.postings
        assert rows.rank_layout is built.rank_layout and rows.rank_fields is built.rank_fields
        assert rows.entries_in_order is None  # (the entries changed)
        assert search(starred, parse_query("diff is:starred")) == [starred[7]]
        changed = list(papers)
        old = changed[3].paper
        changed[3] = Entry(Paper(old.id, "Flows", "abstract of flows"), PaperState())
        assert search_rows(changed).postings is None
        assert search_rows(changed).rank_layout is None
        assert search(changed, parse_query("flow")) == [changed[3]]
    finally:
        clear_cache()


def test_rows_with_postings_are_the_last_the_row_cache_forgets() -> None:
    """Searching other lists (the results of a narrowed search, in another order) fills the
    row cache: the rows without postings are forgotten first, so the library's slices keep the
    postings the warm-up built (else they were lost until the next session)."""
    papers = [
        Entry(Paper(paper_id(f"p{i}"), f"Paper {i}", f"about topic {i}"), PaperState())
        for i in range(30)
    ]
    index = TokenIndex()
    index.add(papers)
    cache = RowCache(index, max_positions=60)
    library = cache.rows(papers)
    build_postings(library)
    for size in (20, 25, 15):  # other lists, none with postings: over the bound each time
        cache.rows(list(reversed(papers[:size])))
    assert cache.rows(papers) is library and library.postings is not None
