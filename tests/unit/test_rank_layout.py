"""Ranking from the rows' layouts (core/search/rank_layout.py, `ranking._rank_in_groups`): the
same order as scoring every match, in every case it takes, and the cases it leaves alone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readlist.core.models import Entry, Paper, PaperState
from readlist.core.search import ranking as ranking_module
from readlist.core.search.query import (
    QueryError,
    clear_cache,
    parse_query,
    picked,
    prepare,
    search,
    search_positions,
    search_rows,
)
from readlist.core.search.rank_layout import RankLayout
from readlist.core.search.ranking import prepare_layout, rank
from readlist.core.search.rows import Rows, build_postings

FILLER = "Some words that say nothing in particular about anything at all here"


@pytest.fixture(autouse=True)
def fresh_index() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


def located_search(
    entries: list[Entry], text: str, size: int
) -> tuple[list[Entry], list[tuple[Rows, list[int]]]]:
    """The app's search in slices of `size`, each slice's rows with their layout."""
    query = parse_query(text)
    slices = [entries[at : at + size] for at in range(0, len(entries), size)]
    kept = [search_positions(part, query) for part in slices]
    found = [e for part, ks in zip(slices, kept, strict=True) for e in picked(part, ks)]
    rows = list(map(search_rows, slices))
    for each in rows:
        build_postings(each)
        prepare_layout(each)
    return found, list(zip(rows, kept, strict=True))


TITLES = ["Unrelated", "Diffusion models", "Agents", "Flows", "Nets", "Diffusion diffusion", "X"]


def library(count: int) -> list[Entry]:
    """Papers with the words in some titles (once or twice), abstracts of many lengths, and a
    few notes and tags, some holding the words."""
    entries = []
    for i in range(count):
        title = TITLES[i % len(TITLES)]
        abstract = (
            f"{'diffusion ' * (i % 6 == 0)}{'flow ' * (i % 5 == 0)}{FILLER * (1 + i % 7)} {i}"
        )
        note = {3: "diffusion here", 7: "nothing"}.get(i % 10, "")
        tags = ("flow",) if i % 11 == 0 else ()
        entries.append(
            Entry(Paper(f"p{i:05d}", f"{title} {i}", abstract), PaperState(note=note, tags=tags))
        )
    return entries


def test_title_holders_are_the_titles_holding_the_word() -> None:
    titles = ["diffusion models", "flow  matching\tfor diffusion", "agents", "x", ""]
    layout = RankLayout.build(titles, [3, 1, 2, 1, 0])
    for value in ["diffusion", "diff", "ion", "s", "flow", "ma", "x", "zzz", "n", "models"]:
        expected = {i for i, title in enumerate(titles) if value in title}
        assert layout.title_holders(value) == expected, value
    assert list(layout.order) == [4, 1, 3, 2, 0]  # by bucket, then position
    assert layout.groups == ((0, 0, 1), (1, 1, 3), (2, 3, 4), (3, 4, 5))


@pytest.mark.parametrize("size", [7, 50, 1000])
def test_layout_ranking_equals_scoring_every_match(size: int) -> None:
    entries = library(200)
    prepare(entries)
    for text in ["diffusion", "diffusion flow", "diff", "flow diffusion", "abstract:flow"]:
        found, located = located_search(entries, text, size)
        query = parse_query(text)
        assert found == search(entries, query)
        expected = rank(found, query, entries)  # (not located: every match scored)
        assert ranking_module._rank_in_groups(query, entries, located) == expected, text
        assert rank(found, query, entries, located) == expected, text
        if text == "diffusion":  # titles holding it first, papers of many lengths after
            assert "diffusion" in expected[0].paper.title.lower()
            assert "diffusion" not in expected[-1].paper.title.lower()
            assert any(e.state.note == "diffusion here" for e in expected)


def test_cases_left_to_scoring_every_match() -> None:
    entries = library(60)
    prepare(entries)
    for text in ["diffusion OR flow", "title:diffusion", "note:diffusion", '"diffusion models"']:
        found, located = located_search(entries, text, 16)
        query = parse_query(text)
        assert ranking_module._rank_in_groups(query, entries, located) is None, text
        assert rank(found, query, entries, located) == rank(found, query, entries), text


def test_rows_without_a_layout_are_scored_match_by_match() -> None:
    entries = library(40)
    prepare(entries)
    found, located = located_search(entries, "diffusion", 16)
    located[1][0].rank_layout = None
    query = parse_query("diffusion")
    assert ranking_module._rank_in_groups(query, entries, located) is None
    assert rank(found, query, entries, located) == rank(found, query, entries)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Diffusion", "Flow", "Diffusion flow diffusion", "x", "Agents"]),
            st.sampled_from(["", "diffusion", "flow flow", "agents and diffusion", FILLER]),
            st.integers(0, 4),
            st.sampled_from(["", "diffusion note", "flow"]),
            st.sampled_from([(), ("diffusion",), ("x",)]),
        ),
        max_size=30,
    ),
    st.sampled_from(["diffusion", "flow", "diff", "diffusion flow", "abstract:diffusion", "x"]),
    st.integers(1, 12),
)
def test_layout_ranking_equals_scoring_every_match_in_any_library(
    rows: list[tuple[str, str, int, str, tuple[str, ...]]], text: str, size: int
) -> None:
    entries = [
        Entry(
            Paper(f"p{i:09d}", title, f"{abstract} {FILLER * repeat}"),
            PaperState(note=note, tags=tags),
        )
        for i, (title, abstract, repeat, note, tags) in enumerate(rows)
    ]
    entries += [Entry(Paper(f"q{i:09d}", f"Other {i}", FILLER), PaperState()) for i in range(20)]
    clear_cache()
    prepare(entries)
    try:
        query = parse_query(text)
    except QueryError:
        return
    found, located = located_search(entries, text, size)
    assert rank(found, query, entries, located) == rank(found, query, entries)
