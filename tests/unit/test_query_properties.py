"""Anything typed in the search box gives a query or a clear QueryError, never a crash."""

from __future__ import annotations

import contextlib
import io

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from readlist.cli import main
from readlist.core.models import Entry, Paper, PaperState
from readlist.core.query import Query, QueryError, parse_query, search
from readlist.core.store import Library

# Text biased towards the characters the grammar cares about, plus anything at all.
QUERY_TEXT = st.one_of(
    st.text(),
    st.lists(
        st.sampled_from(
            ['"', "-", ":", " ", "is", "has", "tag", "date", "starred", "code", "2024-03-12", "é"]
        )
        | st.text(max_size=4),
        max_size=12,
    ).map("".join),
)

SAMPLE = [
    Entry(Paper("aaaa000001", "Title One", "Some abstract text.", "2024-03-12"), PaperState()),
    Entry(
        Paper("aaaa000002", "Ünïcode — Title", "Ŀong ß text", None, "https://github.com/a/b"),
        PaperState(starred=True, read=True, note="note", tags=("x y",)),
    ),
]


@settings(max_examples=500)
@given(QUERY_TEXT)
def test_parse_returns_a_query_or_raises_query_error(text: str) -> None:
    try:
        query = parse_query(text)
    except QueryError as error:
        assert str(error)
        assert "\n" not in str(error)
        return
    assert isinstance(query, Query)
    found = search(SAMPLE, query)
    assert found == [e for e in SAMPLE if query.matches(e)]
    assert all(word == word.lower() for word in query.words)


@settings(max_examples=300)
@given(QUERY_TEXT, st.text(max_size=6))
def test_narrowing_never_loses_a_match(text: str, more: str) -> None:
    try:
        previous, grown = parse_query(text), parse_query(text + more)
    except QueryError:
        return
    if grown.narrows(previous):
        assert search(search(SAMPLE, previous), grown) == search(SAMPLE, grown)


@pytest.fixture(scope="module")
def library_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("lib") / "library.json"
    with Library.open(path) as library:
        library.import_papers([e.paper for e in SAMPLE], "sample")
    return str(path)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(QUERY_TEXT, max_size=3))
def test_list_and_set_give_results_or_a_clear_error(library_path: str, words: list[str]) -> None:
    """Any argument to `readlist list` / `readlist set`: exit 0 or 2 with one clear line."""
    assume(all("\x00" not in w for w in words))
    paper_id = " ".join(words) or "x"
    for argv in (
        ["list", "--db", library_path, "--", *words],
        ["set", "--db", library_path, "--star", "--", paper_id],
    ):
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            status = main(argv)
        assert status in (0, 2)
        if status == 2:
            assert err.getvalue().splitlines()[-1].startswith("readlist: ")
