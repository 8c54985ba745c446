"""Relevance order (core/search/ranking.py) and the other orders (order.py), and `list --sort`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readlist.cli import main
from readlist.config import SORT_ORDERS
from readlist.core.models import Entry, Paper, PaperState, paper_id
from readlist.core.search import ranking as ranking_module
from readlist.core.search.order import ORDERS, RELEVANCE, order_entries, sort_entries
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
from readlist.core.search.ranking import prepare_ranking, rank, relevance

FILLER = "Some words that say nothing in particular about anything at all here."


def paper(title: str, abstract: str = FILLER, note: str = "", tags: tuple[str, ...] = ()) -> Entry:
    return Entry(Paper(paper_id(title), title, abstract), PaperState(note=note, tags=tags))


def others(count: int) -> list[Entry]:
    """Papers holding none of the test words, so those words are rare (a positive idf)."""
    return [paper(f"Unrelated paper {i}", f"About topic {i}. {FILLER}") for i in range(count)]


@pytest.fixture(autouse=True)
def fresh_index() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


def ranked(entries: list[Entry], text: str) -> list[str]:
    query = parse_query(text)
    return [e.paper.title for e in rank(search(entries, query), query, entries)]


def test_title_match_outranks_abstract_match() -> None:
    abstract_only = paper("Another study", f"We use diffusion here. {FILLER}")
    in_title = paper("Diffusion study", FILLER)
    entries = [abstract_only, in_title, *others(6)]
    assert ranked(entries, "diffusion") == ["Diffusion study", "Another study"]


def test_more_title_occurrences_and_shorter_fields_rank_higher() -> None:
    once = paper("Diffusion for a rather long list of things in a long title", FILLER)
    twice = paper("Diffusion beats diffusion for a rather long list of things", FILLER)
    short = paper("Diffusion", FILLER)
    entries = [once, twice, short, *others(6)]
    order = ranked(entries, "diffusion")
    assert order.index(twice.paper.title) < order.index(once.paper.title)
    assert order.index(short.paper.title) < order.index(once.paper.title)


def test_ties_keep_the_order_given() -> None:
    twins = [paper(f"Diffusion twin {i}", FILLER) for i in range(3)]
    entries = [*twins, *others(6)]
    assert ranked(entries, "diffusion") == [e.paper.title for e in twins]
    assert ranked(entries[::-1], "diffusion") == [e.paper.title for e in twins[::-1]]


def test_a_word_most_papers_hold_does_not_rank() -> None:
    # "paper" is in more than half the titles: BM25's idf is 0, so the order stays feed order.
    entries = [paper("Diffusion", FILLER), *others(6)]
    assert ranked(entries, "paper") == [e.paper.title for e in entries[1:]]
    assert not any(relevance(entries, parse_query("paper"), entries))


def test_tags_and_notes_weigh() -> None:
    plain = paper("Study one", f"We use diffusion here. {FILLER}")
    tagged = paper("Study two", f"We use diffusion here. {FILLER}", tags=("diffusion",))
    noted = paper("Study three", FILLER, note="Read: diffusion.")
    entries = [plain, tagged, noted, *others(6)]
    assert ranked(entries, "diffusion") == ["Study two", "Study three", "Study one"]
    assert ranked(entries, "note:diffusion") == ["Study three"]


def test_the_rarer_word_weighs_more() -> None:
    common = [paper(f"Agents study {i}", FILLER) for i in range(3)]
    rare_in_title = paper("Robots", f"Agents act. {FILLER}")
    common_in_title = paper("Agents", f"Robots act. {FILLER}")
    entries = [common_in_title, rare_in_title, *common, *others(8)]
    assert ranked(entries, "agents robots") == ["Robots", "Agents"]


def test_field_terms_rank_in_their_field_and_filters_do_not_rank() -> None:
    in_abstract = paper("Study one", f"We use diffusion here. {FILLER}")
    in_title = paper("Diffusion study", FILLER)
    entries = [in_abstract, in_title, *others(6)]
    assert ranked(entries, "title:diffusion") == ["Diffusion study"]
    assert ranked(entries, "abstract:diffusion") == ["Study one"]
    assert ranked(entries, "diffusion -is:read") == ranked(entries, "diffusion")
    assert ranked(entries, "is:unread")[:2] == ["Study one", "Diffusion study"]


def test_or_alternatives_rank_by_what_each_paper_holds() -> None:
    both = paper("Diffusion flows", FILLER)
    one = paper("Flows", FILLER)
    entries = [one, both, *others(8)]
    assert ranked(entries, "diffusion OR flows") == ["Diffusion flows", "Flows"]


def test_the_same_order_with_or_without_the_index() -> None:
    entries = [
        paper("Diffusion models", f"Diffusion and flow. {FILLER}"),
        paper("Flow matching", f"We match flows; diffusion too. {FILLER}", note="diffusion!"),
        paper("Agents", f"Agents call tools. {FILLER}", tags=("flow",)),
        *others(8),
    ]
    texts = ["diffusion", "flow", "diffusion OR agents", "flow -note:x", "title:flow OR tools"]
    cold = {text: ranked(entries, text) for text in texts}
    prepare(entries)
    assert {text: ranked(entries, text) for text in texts} == cold


def test_the_sample_for_document_frequencies_gets_postings_and_ranks_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`prepare_ranking` (the app's warm-up) gives the rows of the sample that idf is taken
    from postings, so a new word's idf is not found by reading the sample paper by paper; the
    order is the same as without (fails if the sample's rows get none, or the idf changes)."""
    monkeypatch.setattr(ranking_module, "SAMPLE", 5)  # every third paper of 13
    entries = [
        paper("Diffusion models", f"Diffusion and flow. {FILLER}"),
        paper("Flow matching", f"We match flows; diffusion too. {FILLER}"),
        *others(11),
    ]
    texts = ["diffusion", "flow", "dif", "fl OR topic"]
    prepare(entries)
    plain = {text: ranked(entries, text) for text in texts}
    clear_cache()
    prepare(entries)
    prepare_ranking(entries)
    sample = search_rows(entries[::3], start=0, step=3)
    assert sample.postings is not None and len(sample.papers) == 5
    assert {text: ranked(entries, text) for text in texts} == plain


def test_scores_read_from_the_slices_rows_equal_those_read_from_the_papers() -> None:
    """Ranking the app's search in slices reads titles, lengths and who has a note or tags from
    each slice's rows (`located`): the same scores as reading them from the papers, whether a
    slice matched every paper, some or none."""
    entries = [
        paper("Diffusion models", f"Diffusion and flow. {FILLER}"),
        paper("Flow matching for diffusion", f"We match flows. {FILLER}", note="diffusion!"),
        paper("Agents", f"Agents call tools about diffusion. {FILLER}", tags=("flow",)),
        paper("A very long title about diffusion and nothing else at all", "Short."),
        *others(20),
        paper("Flow", f"Flow diffusion flow. {FILLER} {FILLER}", note="flow"),
        paper("Diffusion", "Diffusion."),
    ]
    prepare(entries)
    slices = [entries[at : at + 4] for at in range(0, len(entries), 4)]
    texts = ["diffusion", "flow", "diffusion OR agents", "title:flow OR tools", "diffusion flow"]
    for text in texts:
        query = parse_query(text)
        kept = [search_positions(part, query) for part in slices]
        found = [e for part, ks in zip(slices, kept, strict=True) for e in picked(part, ks)]
        located = list(zip(map(search_rows, slices), kept, strict=True))
        assert found == search(entries, query)
        assert relevance(found, query, entries, located) == relevance(found, query, entries)
        assert rank(found, query, entries, located) == rank(found, query, entries), text
        assert any(relevance(found, query, entries)), text  # (something to rank)


def test_typing_on_ranks_what_the_new_text_finds_not_the_last_order() -> None:
    """The app ranks the same located papers key after key (`flow`, `flows`): what it kept of
    the last ranking (their fields; the order when the scores are the same) never stands in
    for a ranking the new text changes."""
    entries = [
        paper("Flow flow flow", f"Flows. {FILLER}"),
        paper("Flows, flows", f"Flows and a flow. {FILLER}"),
        paper("One flows", f"Flow. {FILLER}"),
        paper("Flow", f"Flows. {FILLER}"),
        *others(20),
    ]
    prepare(entries)
    slices = [entries[at : at + 3] for at in range(0, len(entries), 3)]
    kept = [search_positions(part, parse_query("flow")) for part in slices]
    located = list(zip(map(search_rows, slices), kept, strict=True))
    found = [e for part, ks in zip(slices, kept, strict=True) for e in picked(part, ks)]
    for text in ["flow", "flows", "flows", "flow", "low", "flow"]:
        query = parse_query(text)
        assert search(entries, query) == found  # the same papers each time
        expected = rank(found, query, entries)  # (not located: read from the papers)
        assert rank(found, query, entries, located) == expected, text
        assert rank(list(found), query, entries, located) == expected, text
    assert rank(found, parse_query("flow"), entries) != rank(found, parse_query("flows"), entries)


def test_sort_entries_orders() -> None:
    entries = [paper("b"), paper("A"), paper("c")]
    assert [e.paper.title for e in sort_entries(entries, "title")] == ["A", "b", "c"]
    assert sort_entries(entries, "feed") == entries
    assert ORDERS == SORT_ORDERS  # the config's orders are the core's
    query = parse_query("")
    assert order_entries(entries, RELEVANCE, query, entries) == entries


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Diffusion", "Flow", "Agents", "Diffusion flow", "x"]),
            st.sampled_from(["", "diffusion", "flow flow", "agents and diffusion"]),
            st.sampled_from(["", "diffusion note"]),
        ),
        max_size=12,
    ),
    st.sampled_from(["diffusion", "flow", "diffusion OR agents", "title:flow", "diffusion flow"]),
)
def test_rank_is_a_permutation_best_first(rows: list[tuple[str, str, str]], text: str) -> None:
    entries = [
        Entry(Paper(f"p{i:09d}", title, abstract), PaperState(note=note))
        for i, (title, abstract, note) in enumerate(rows)
    ]
    try:
        query = parse_query(text)
    except QueryError:
        return
    found = search(entries, query)
    order = rank(found, query, entries)
    assert sorted(e.id for e in order) == sorted(e.id for e in found)
    scores = dict(zip((e.id for e in found), relevance(found, query, entries), strict=True))
    assert [scores[e.id] for e in order] == sorted(scores.values(), reverse=True)


SAMPLE = Path(__file__).resolve().parents[2] / "sample_feed.txt"


def test_list_sort_relevance_prints_the_ranked_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "library.json"
    assert main(["import", "--db", str(db), str(SAMPLE)]) == 0
    capsys.readouterr()
    assert main(["list", "--db", str(db), "--sort", "relevance", "distillation"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert main(["list", "--db", str(db), "distillation"]) == 0
    feed = capsys.readouterr().out.splitlines()
    assert sorted(lines) == sorted(feed) and lines != feed
    assert "Distillation" in lines[0]
    assert main(["list", "--db", str(db), "--sort", "title", "--", "-distillation"]) == 0
    titles = [line.split("  ")[2] for line in capsys.readouterr().out.splitlines()]
    assert titles == sorted(titles, key=str.casefold)
    assert main(["list", "--db", str(db), "--sort", "nonsense"]) == 2
