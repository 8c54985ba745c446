"""Anything typed in the search box gives a query or a clear QueryError, never a crash."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from readlist.core.models import Entry, Paper, PaperState
from readlist.core.query import Query, QueryError, parse_query, search

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
