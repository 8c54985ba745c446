"""Anything typed in the search box gives a query or a clear QueryError, never a crash."""

from __future__ import annotations

import contextlib
import io

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from readlist.cli import main
from readlist.core.library import Library
from readlist.core.models import Entry, Paper, PaperState
from readlist.core.search import index as search_index
from readlist.core.search import postings
from readlist.core.search import rows as search_rows
from readlist.core.search.query import (
    Query,
    QueryError,
    clear_cache,
    parse_query,
    prepare,
    search,
)
from readlist.core.search.query import search_rows as search_rows_of
from readlist.core.search.rows import build_postings

# Text biased towards the characters the grammar cares about, plus anything at all.
QUERY_TEXT = st.one_of(
    st.text(),
    st.lists(
        st.sampled_from(
            [
                *['"', "-", ":", " ", "is", "has", "tag", "date", "starred", "code", "2024-03-12"],
                *["é", "author", "cat", "arxiv", "cs.CL", "cs", ".*", "van der", "Ł"],
                *[" OR ", "OR", "or", "title", "abstract", "note", "title:", "-abstract:"],
            ]
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
    Entry(
        Paper(
            "aaaa000003",
            "Sourced",
            "From arXiv.",
            authors=("Erik van der Berg", "Łukasz Kaiser"),
            arxiv_id="2403.01234",
            categories=("cs.CL", "math-ph"),
        ),
        PaperState(),
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


# Words that overlap (learn / learning / unlearning), punctuation, non-ASCII and odd spacing, so
# needles land inside tokens, across token edges and in notes and tags.
PIECES = st.sampled_from(
    [
        "learn",
        "learning",
        "unlearning",
        "model",
        "models",
        "tool-using",
        "a",
        "é",
        "Ünï",
        "ß",
        "Σ",
        "-",
        ".",
        ",",
        ":",
        "%",
        "https://x.y/z",
        "  ",
        " ",
        "\t",
        "\n",
        "zyx",
        "_",
        "42",
    ]
)
FIELD_TEXT = st.one_of(
    st.lists(PIECES | st.text(max_size=3), max_size=8).map(" ".join),
    st.lists(PIECES | st.text(max_size=3), max_size=8).map("".join),
    st.text(),
)
NAMES = st.lists(st.sampled_from(["Ann Lee", "Erik van der Berg", "Ł. Kaiser"]) | FIELD_TEXT)
CATEGORIES = st.lists(st.sampled_from(["cs.CL", "cs.LG", "math.AG", "math-ph", "hep-th", "CS"]))
ENTRIES = st.lists(
    st.builds(
        lambda i, title, abstract, note, tags, starred, read, authors, categories, arxiv: Entry(
            Paper(
                f"p{i:09d}",
                title,
                abstract,
                authors=tuple(authors),
                categories=tuple(categories),
                arxiv_id=arxiv,
            ),
            PaperState(starred, read, note, tuple(tags)),
        ),
        st.integers(0, 10**6),
        FIELD_TEXT,
        FIELD_TEXT,
        FIELD_TEXT | st.just(""),
        st.lists(FIELD_TEXT, max_size=2) | st.just([]),
        st.booleans(),
        st.booleans(),
        NAMES.map(lambda names: names[:3]),
        CATEGORIES.map(lambda cats: cats[:3]),
        st.sampled_from([None, "2403.01234"]),
    ),
    max_size=8,
    unique_by=lambda e: e.paper.id,
)
# A word or phrase, alone or limited to a field, maybe negated: what OR joins in SEARCH_TEXT.
FIELD_PREFIX = st.sampled_from(["", "", "title:", "abstract:", "note:"])
PHRASE = st.tuples(PIECES, PIECES).map(lambda pair: f'"{pair[0]} {pair[1]}"')
TEXT_TERM = st.builds(
    lambda minus, prefix, value: f"{minus}{prefix}{value}",
    st.sampled_from(["", "", "-"]),
    FIELD_PREFIX,
    PIECES.filter(lambda p: p.strip() != "" and '"' not in p) | PHRASE,
)
SEARCH_TEXT = st.one_of(
    st.lists(
        st.sampled_from(["-", '"', " ", "is:read", "has:note", "has:arxiv", "author:", "cat:"])
        | st.sampled_from(["cat:cs", "cat:cs.CL", "cat:math", "author:van", 'author:"van der"'])
        | st.sampled_from([" OR ", " OR", "OR ", "title:", "abstract:", "note:", "-title:"])
        | PIECES
        | st.text(max_size=3),
        max_size=5,
    ).map("".join),
    # A quoted phrase of two pieces: both may be in the text without being side by side.
    PHRASE,
    # Terms with fields, joined by spaces (AND) and OR, so OR-groups of every kind occur.
    st.lists(
        st.tuples(TEXT_TERM | st.sampled_from(["is:read", "-has:note", "cat:cs"]), st.booleans()),
        min_size=1,
        max_size=4,
    ).map(lambda terms: "".join(f"{t}{' OR ' if joined else ' '}" for t, joined in terms)),
)


@settings(max_examples=400, deadline=None)
@given(ENTRIES, st.lists(SEARCH_TEXT, min_size=1, max_size=4), st.integers(-1, 8))
def test_index_gives_the_plain_result(entries: list[Entry], texts: list[str], indexed: int) -> None:
    """Whatever is indexed, `search` equals testing every entry against its full text.

    `indexed` -1: nothing indexed (a cold start); n >= 0: the first n indexed, the rest tested by
    their text (searches index no more of them).
    """
    clear_cache()
    limit = search_rows._INDEX_ON_SEARCH
    search_rows._INDEX_ON_SEARCH = 0
    try:
        if indexed >= 0:
            prepare(entries[:indexed])
        for text in texts:
            try:
                query = parse_query(text)
            except QueryError:
                continue
            expected = [e for e in entries if query.matches(e)]
            assert search(entries, query) == expected
            assert search(entries[::-1], query) == expected[::-1]
            # A note edited after indexing is searched by its new text.
            edited = [e.with_state(note=text) for e in entries]
            assert search(edited, query) == [e for e in edited if query.matches(e)]
    finally:
        search_rows._INDEX_ON_SEARCH = limit
        clear_cache()


def assert_plain_results(entries: list[Entry], texts: list[str]) -> None:
    """`search` of each text that parses equals testing every entry against its full text."""
    for text in texts:
        try:
            query = parse_query(text)
        except QueryError:
            continue
        assert search(entries, query) == [e for e in entries if query.matches(e)]


@settings(max_examples=300, deadline=None)
@given(ENTRIES, st.lists(SEARCH_TEXT, min_size=1, max_size=4))
def test_token_tests_of_one_pass_and_a_character_class_give_the_plain_result(
    entries: list[Entry], texts: list[str]
) -> None:
    """With one token id tested by a pass and every other one in a character class (what a
    short needle held by many tokens gets at 100,000 papers), `search` still equals testing
    every entry against its full text."""
    saved = (search_index._MAX_IDS, search_index._CONFIRM_BY_TEXT_UP_TO, search_index._FEW_HITS)
    search_index._MAX_IDS, search_index._CONFIRM_BY_TEXT_UP_TO, search_index._FEW_HITS = 1, 0, 1
    clear_cache()
    try:
        prepare(entries)
        assert_plain_results(entries, texts)
    finally:
        search_index._MAX_IDS, search_index._CONFIRM_BY_TEXT_UP_TO, search_index._FEW_HITS = saved
        clear_cache()


@settings(max_examples=300, deadline=None)
@given(
    ENTRIES,
    st.lists(SEARCH_TEXT, min_size=1, max_size=4),
    st.sampled_from([(1, 16, 64), (2, 0, 10**6), (10**6, 10**6, 0)]),
)
def test_postings_give_the_plain_result(
    entries: list[Entry], texts: list[str], layout: tuple[int, int, int]
) -> None:
    """With the rows' postings built (what the app's warm-up does for the library), `search`
    still equals testing every entry against its full text, however the postings are laid
    out and read (bitmaps or positions; ids looked up or gathered; the papers left read)."""
    saved = (postings._BITMAP_SHARE, postings._LOOK_UP_BELOW, postings._READ_BELOW)
    postings._BITMAP_SHARE, postings._LOOK_UP_BELOW, postings._READ_BELOW = layout
    clear_cache()
    try:
        prepare(entries)
        build_postings(search_rows_of(entries))
        assert_plain_results(entries, texts)
    finally:
        postings._BITMAP_SHARE, postings._LOOK_UP_BELOW, postings._READ_BELOW = saved
        clear_cache()


@settings(max_examples=300, deadline=None)
@given(ENTRIES, SEARCH_TEXT, SEARCH_TEXT)
def test_narrowing_with_fields_and_or(entries: list[Entry], text: str, more: str) -> None:
    """Whenever a grown query says it narrows the previous one, filtering the previous result
    gives the full result (the app relies on it while the user types)."""
    clear_cache()
    try:
        prepare(entries[: len(entries) // 2])
        for previous_text, grown_text in ((text, text + more), (text, f"{text} OR {more}")):
            try:
                previous, grown = parse_query(previous_text), parse_query(grown_text)
            except QueryError:
                continue
            if grown.narrows(previous):
                assert search(search(entries, previous), grown) == search(entries, grown)
    finally:
        clear_cache()
