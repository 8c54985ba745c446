"""The search language: what a user typing in the search box or `readlist list` relies on."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator

import pytest

from readlist.core.models import Entry, Paper, PaperState, paper_id
from readlist.core.search import index as search_index
from readlist.core.search.query import (
    Query,
    QueryError,
    clear_cache,
    haystack,
    parse_query,
    prepare,
    search,
    search_positions,
)


def entry(
    title: str,
    abstract: str = "",
    *,
    date: str | None = "2024-03-12",
    github: str | None = None,
    starred: bool = False,
    read: bool = False,
    note: str = "",
    tags: tuple[str, ...] = (),
) -> Entry:
    paper = Paper(paper_id(title), title, abstract, date, github)
    return Entry(paper, PaperState(starred, read, note, tags))


DIFFUSION = entry(
    "Video Diffusion Models",
    "We train a large diffusion model on video. Code: https://github.com/a/vid",
    github="https://github.com/a/vid",
    starred=True,
    tags=("generative", "video models"),
)
BOTH = ["Video Diffusion Models", "Large Language Models Are Reasoners"]
LLM = entry(
    "Large Language Models Are Reasoners",
    "A large language model can reason step by step.",
    date="2024-03-11",
    read=True,
    note="Read for the reading group",
)
AGENTS = entry("Tool-Using Agents", "Agents call tools.", date=None, tags=("agents",))
ALL = [DIFFUSION, LLM, AGENTS]


def titles(query: str) -> list[str]:
    return [e.paper.title for e in search(ALL, parse_query(query))]


def test_empty_query_matches_everything_in_order() -> None:
    assert titles("") == [e.paper.title for e in ALL]
    assert titles("   ") == [e.paper.title for e in ALL]
    assert parse_query("").is_empty


def test_words_all_match_case_insensitive_substring() -> None:
    assert titles("DIFFUSION") == ["Video Diffusion Models"]
    assert titles("model large") == BOTH
    assert titles("diffus video") == ["Video Diffusion Models"]
    assert titles("diffusion reason") == []


def test_words_match_note_and_tags() -> None:
    assert titles("reading group") == ["Large Language Models Are Reasoners"]
    assert titles("generative") == ["Video Diffusion Models"]


def test_phrase_matches_words_together_only() -> None:
    assert titles('"large language"') == ["Large Language Models Are Reasoners"]
    assert titles('"language large"') == []
    assert titles('"large   LANGUAGE"') == ["Large Language Models Are Reasoners"]


def test_phrase_never_spans_two_fields() -> None:
    # The title ends with "Reasoners" and the abstract starts with "A large": not one phrase.
    assert titles('"reasoners a large"') == []


def test_exclusions() -> None:
    assert titles("-video") == ["Large Language Models Are Reasoners", "Tool-Using Agents"]
    assert titles('large -"language model"') == ["Video Diffusion Models"]
    assert titles("-") == titles("")


def test_state_operators() -> None:
    assert titles("is:starred") == ["Video Diffusion Models"]
    assert titles("is:unstarred") == ["Large Language Models Are Reasoners", "Tool-Using Agents"]
    assert titles("is:read") == ["Large Language Models Are Reasoners"]
    assert titles("is:unread") == ["Video Diffusion Models", "Tool-Using Agents"]
    assert titles("has:code") == ["Video Diffusion Models"]
    assert titles("has:note") == ["Large Language Models Are Reasoners"]
    assert titles("IS:Starred") == ["Video Diffusion Models"]


def test_blank_note_is_no_note() -> None:
    blank = entry("Blank", note="  \n ")
    assert not parse_query("has:note").matches(blank)


def test_tag_and_date_operators() -> None:
    assert titles("tag:agents") == ["Tool-Using Agents"]
    assert titles("tag:AGENTS") == ["Tool-Using Agents"]
    assert titles('tag:"video models"') == ["Video Diffusion Models"]
    assert titles("tag:video") == []  # a tag matches whole, not as a substring
    assert titles("date:2024-03-11") == ["Large Language Models Are Reasoners"]
    assert titles("date:2024-03") == BOTH
    assert titles("date:2023") == []


def test_negated_operators() -> None:
    assert titles("-is:read") == ["Video Diffusion Models", "Tool-Using Agents"]
    assert titles('-tag:"video models"') == [
        "Large Language Models Are Reasoners",
        "Tool-Using Agents",
    ]
    assert titles('is:"starred" date:"2024-03-12"') == ["Video Diffusion Models"]
    assert titles("-has:code -tag:agents") == ["Large Language Models Are Reasoners"]


def test_operators_combine_with_words() -> None:
    assert titles("is:unread model") == ["Video Diffusion Models"]
    assert titles("has:code language") == []


def test_unknown_prefix_is_a_plain_word() -> None:
    assert parse_query("foo:bar").words == ("foo:bar",)
    assert titles("https://github.com/a/vid") == ["Video Diffusion Models"]
    assert titles("code:") == ["Video Diffusion Models"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("is:nice", "is:nice"),
        ("is:", "is:"),
        ("has:pdf", "has:pdf"),
        ("tag:", "tag"),
        ('tag:"  "', "tag"),
        ("date:2024-13-01", "date:2024-13-01"),
        ("date:yesterday", "date:yesterday"),
        ("date:2024-02-30", "date:2024-02-30"),
        ('"open phrase', "quote"),
        ('word -"open', "quote"),
        ('tag:"open', "quote"),
        ("author:", "author"),
        ('author:"  "', "author"),
        ("cat:", "cat"),
        ("cat:.*", "cat"),
        ("has:arxive", "has:arxive"),
    ],
)
def test_malformed_queries_say_what_is_wrong(text: str, fragment: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message


def source_paper(
    title: str, authors: tuple[str, ...], categories: tuple[str, ...], arxiv_id: str | None
) -> Entry:
    paper = Paper(
        paper_id(title),
        title,
        "An abstract.",
        "2024-03-12",
        authors=authors,
        categories=categories,
        arxiv_id=arxiv_id,
    )
    return Entry(paper)


ATTENTION = source_paper(
    "Attention Is All You Need",
    ("Ashish Vaswani", "Noam  Shazeer"),
    ("cs.CL", "cs.LG"),
    "1706.03762",
)
STRINGS = source_paper(
    "Strings", ("Erik van der Berg", "Łukasz Kaiser"), ("hep-th", "math-ph"), "hep-th/9901001"
)
ALGEBRA = source_paper("Algebra", ("Ann Algebraist",), ("math.AG",), "2403.01234")
PASTED = source_paper("Pasted From A Page", (), (), None)
SOURCED = [ATTENTION, STRINGS, ALGEBRA, PASTED]


def sourced(query: str) -> list[str]:
    found = search(SOURCED, parse_query(query))
    assert found == [e for e in SOURCED if parse_query(query).matches(e)]
    return [e.paper.title for e in found]


def test_author_operator() -> None:
    assert sourced("author:vaswani") == ["Attention Is All You Need"]
    assert sourced("author:VASWANI") == ["Attention Is All You Need"]
    assert sourced("author:ash") == ["Attention Is All You Need"]  # any part of a name
    assert sourced('author:"noam shazeer"') == ["Attention Is All You Need"]  # spaces collapsed
    assert sourced('author:"van der"') == ["Strings"]
    assert sourced('author:"VAN   DER"') == ["Strings"]
    assert sourced("author:łukasz") == ["Strings"]
    assert sourced("author:an") == ["Attention Is All You Need", "Strings", "Algebra"]
    assert sourced("-author:an") == ["Pasted From A Page"]
    assert sourced("author:vaswani author:kaiser") == []  # both on one paper
    assert sourced("author:zzz") == []


def test_category_operator() -> None:
    assert sourced("cat:cs.CL") == ["Attention Is All You Need"]
    assert sourced("cat:CS.cl") == ["Attention Is All You Need"]
    assert sourced("cat:cs.LG") == ["Attention Is All You Need"]  # not only the primary
    for archive in ("cat:cs", "cat:cs.", "cat:cs.*", "cat:CS*"):
        assert sourced(archive) == ["Attention Is All You Need"], archive
    assert sourced("cat:cs.C") == []  # no partial names
    assert sourced("cat:c") == []
    assert sourced("cat:hep-th") == ["Strings"]
    assert sourced("cat:math") == ["Algebra"]  # math.AG, but not math-ph: another archive
    assert sourced("cat:math-ph") == ["Strings"]
    assert sourced("-cat:cs") == ["Strings", "Algebra", "Pasted From A Page"]
    assert parse_query("cat:cs.CL").filters == parse_query("cat:cs.cl").filters
    assert parse_query("cat:cs.*").filters == parse_query("cat:cs").filters


def test_has_arxiv_operator() -> None:
    assert sourced("has:arxiv") == ["Attention Is All You Need", "Strings", "Algebra"]
    assert sourced("-has:arxiv") == ["Pasted From A Page"]
    assert sourced("has:ARXIV cat:math author:ann") == ["Algebra"]


def test_new_operators_narrow_and_print() -> None:
    assert parse_query("x author:vaswani").narrows(parse_query("x"))
    assert not parse_query("x").narrows(parse_query("x cat:cs"))
    assert str(parse_query('-author:"van der"').filters[0]) == '-author:"van der"'
    assert str(parse_query("cat:cs.CL").filters[0]) == "cat:cs.cl"


@pytest.mark.usefixtures("indexed")
def test_operator_columns_agree_with_the_plain_definition() -> None:
    """The fast path keeps a 0/1 column per operator with the rows: a paper refreshed with
    authors (fetched after it was pasted) gets a new column, never the old one."""
    entries = [*SOURCED, *ALL]
    prepare(entries)
    for text in ["author:a model", "cat:cs -author:noam", "has:arxiv a", "-cat:math e"]:
        assert search(entries, parse_query(text)) == reference(entries, text), text
        assert search(entries, parse_query(text)) == reference(entries, text), text
    paper = PASTED.paper
    fetched = Entry(
        Paper(
            paper.id, paper.title, paper.abstract, authors=("Pat Paster",), arxiv_id="2403.09999"
        ),
        PASTED.state,
    )
    refreshed = [*SOURCED[:3], fetched]
    for text in ["author:paster", "has:arxiv", "-has:arxiv"]:
        search(SOURCED, parse_query(text))
        assert search(refreshed, parse_query(text)) == reference(refreshed, text), text


def test_words_are_the_positive_terms_for_highlighting() -> None:
    query = parse_query('Diffusion "Large Model" -video is:read diffusion')
    assert query.words == ("diffusion", "large model")


def test_matches_agrees_with_search() -> None:
    for text in ["model", "-video", "is:read", "has:code video", '"step by step"', "tag:agents"]:
        query = parse_query(text)
        assert [e for e in ALL if query.matches(e)] == search(ALL, query)


def test_search_keeps_the_order_given() -> None:
    reordered = [AGENTS, LLM, DIFFUSION]
    assert search(reordered, parse_query("a")) == reordered


def test_changed_entry_is_searched_by_its_new_text() -> None:
    assert not parse_query("favourite").matches(LLM)
    renoted = LLM.with_state(note="my favourite")
    assert parse_query("favourite").matches(renoted)
    assert haystack(LLM) != haystack(renoted)
    assert search([DIFFUSION, renoted], parse_query("favourite")) == [renoted]


def test_search_notices_a_list_changed_in_place() -> None:
    entries = [DIFFUSION, LLM]
    assert search(entries, parse_query("language")) == [LLM]
    entries[1] = AGENTS
    assert search(entries, parse_query("language")) == []
    result = search(ALL, parse_query("a"))
    result.reverse()
    assert search(result, parse_query("video")) == [DIFFUSION]


@pytest.mark.parametrize(
    ("grown", "previous", "narrows"),
    [
        ("lang", "lan", True),
        ("language model", "language", True),
        ('"large language"', "large", True),
        ("lan", "lang", False),
        ("model", "language", False),
        ("x -videos", "x -video", False),
        ("x -video", "x -videos", True),
        ("x is:read", "x", True),
        ("x", "x is:read", False),
        ("anything", "", True),
        ("is:read", "is:unread", False),
    ],
)
def test_narrows_only_when_every_match_matched_before(
    grown: str, previous: str, narrows: bool
) -> None:
    assert parse_query(grown).narrows(parse_query(previous)) is narrows


def test_narrowed_search_equals_full_search() -> None:
    steps = ["l", "la", "lar", "larg", "large", "large m", "large mo", "large model"]
    previous: Query = parse_query("")
    shown = list(ALL)
    for text in steps:
        query = parse_query(text)
        assert query.narrows(previous)
        shown = search(shown, query)
        assert shown == search(ALL, query)
        previous = query


# ---- the token index (readlist.core.search.index) ------------------------------------------------


@pytest.fixture
def indexed() -> Iterator[None]:
    """Each test starts from an empty index and leaves none behind for the next."""
    clear_cache()
    yield
    clear_cache()


def reference(entries: list[Entry], text: str) -> list[Entry]:
    """The plain definition: every entry tested against its full lower-cased text."""
    query = parse_query(text)
    return [e for e in entries if query.matches(e)]


INDEX_QUERIES = [
    "learning",
    "learn",
    "earning",
    "l",
    "e",
    "le",
    "zyxomancy",
    "tool-using",
    "-using",
    '"large language"',
    '"language large"',
    "model -video",
    "https://github.com/a/vid",
    "vid.",
    ".",
    "é",
    "ünï",
    "-l",
    "reading group",
    "is:unread diffusion has:code",
    "-is:read model",
    "tag:agents tools",
]


@pytest.mark.usefixtures("indexed")
@pytest.mark.parametrize("prepared", [0, 2, 4])
def test_index_agrees_with_the_plain_definition(prepared: int) -> None:
    entries = [
        *ALL,
        entry("Ünïcode — Title: Learning", "Unlearning, re-learning. Tool-using agents."),
    ]
    entries.append(
        entry("Plain", "Nothing here at all.", note="Learning notes", tags=("zyxomancy",))
    )
    prepare(entries[:prepared])  # none, some, or all of them indexed: the same answers
    for text in INDEX_QUERIES:
        assert search(entries, parse_query(text)) == reference(entries, text), text
        assert search(entries[::-1], parse_query(text)) == reference(entries[::-1], text), text


@pytest.mark.usefixtures("indexed")
def test_index_sees_a_changed_note_and_tags() -> None:
    prepare(ALL)
    assert search(ALL, parse_query("favourite")) == []
    renoted = LLM.with_state(note="My FAVOURITE paper", tags=("must read",))
    entries = [DIFFUSION, renoted, AGENTS]
    assert search(entries, parse_query("favourite")) == [renoted]
    assert search(entries, parse_query('"must read"')) == [renoted]
    assert search(entries, parse_query("-favourite")) == [DIFFUSION, AGENTS]
    cleared = renoted.with_state(note="", tags=())
    assert search([DIFFUSION, cleared, AGENTS], parse_query("favourite")) == []


@pytest.mark.usefixtures("indexed")
def test_index_sees_a_refreshed_abstract() -> None:
    """An import may replace a paper's content under the same id: the new text is searched."""
    prepare(ALL)
    paper = AGENTS.paper
    refreshed = Entry(
        Paper(paper.id, paper.title, "Agents call zyxomancy tools.", None), AGENTS.state
    )
    assert search([DIFFUSION, LLM, refreshed], parse_query("zyxomancy")) == [refreshed]
    assert search(ALL, parse_query("zyxomancy")) == []


@pytest.mark.usefixtures("indexed")
def test_slices_and_narrowing_with_the_index() -> None:
    many = [
        entry(f"Paper {i} on {'learning' if i % 3 else 'diffusion'}", f"Abstract {i}.")
        for i in range(60)
    ]
    prepare(many)
    query = parse_query("learning")
    slices = [many[i : i + 7] for i in range(0, len(many), 7)]
    whole = search(many, query)
    assert [e for part in slices for e in search(part, query)] == whole
    assert search(whole, parse_query("learning 4")) == reference(many, "learning 4")


# ---- field terms and OR (issue 13) --------------------------------------------------------------


def test_field_terms_look_in_one_field() -> None:
    assert titles("title:video") == ["Video Diffusion Models"]
    assert titles("title:large") == ["Large Language Models Are Reasoners"]
    assert titles("abstract:large") == BOTH  # the diffusion abstract says "a large diffusion"
    assert titles("abstract:tools") == ["Tool-Using Agents"]
    assert titles("title:tools") == []  # "Tool-Using": no "tools" in the title
    assert titles('title:"large language"') == ["Large Language Models Are Reasoners"]
    assert titles('TITLE:"LARGE   language"') == ["Large Language Models Are Reasoners"]
    assert titles("note:group") == ["Large Language Models Are Reasoners"]
    assert titles("note:generative") == []  # a tag, not the note
    assert titles("abstract:reading") == []  # only in the note


def test_field_terms_negate() -> None:
    assert titles("-title:video") == ["Large Language Models Are Reasoners", "Tool-Using Agents"]
    assert titles("-abstract:large") == ["Tool-Using Agents"]
    assert titles("models -title:reasoners") == ["Video Diffusion Models"]
    assert titles('-note:"reading group"') == ["Video Diffusion Models", "Tool-Using Agents"]


def test_a_field_term_finds_what_a_word_finds_in_that_field_only() -> None:
    paper = Paper(paper_id("Agents"), "Agents at work", "We study robots.")
    mixed = Entry(paper, PaperState(note="agents again, robots"))
    assert parse_query("title:agents").matches(mixed)
    assert not parse_query("abstract:agents").matches(mixed)
    assert parse_query("note:agents").matches(mixed)
    assert not parse_query("title:robots").matches(mixed)
    assert parse_query("abstract:robots note:robots").matches(mixed)


def test_or_joins_alternatives() -> None:
    assert titles("diffusion OR agents") == ["Video Diffusion Models", "Tool-Using Agents"]
    assert titles("diffusion OR zzz") == ["Video Diffusion Models"]
    assert titles("zzz OR yyy") == []
    assert titles("title:video OR tag:agents") == ["Video Diffusion Models", "Tool-Using Agents"]
    assert titles("is:read OR has:code") == BOTH
    assert titles("-video OR is:starred") == [e.paper.title for e in ALL]


def test_or_binds_tighter_than_the_space() -> None:
    # a b OR c = a AND (b OR c)
    assert titles("large video OR reason") == BOTH
    assert titles("large video OR tools") == ["Video Diffusion Models"]
    assert titles("video OR tools large") == ["Video Diffusion Models"]
    assert titles("video OR tools OR reason large") == BOTH
    unread = ["Video Diffusion Models", "Tool-Using Agents"]
    assert titles("is:unread diffusion OR agents") == unread
    assert titles("is:starred diffusion OR agents") == ["Video Diffusion Models"]


def test_or_half_typed_or_in_lower_case() -> None:
    assert titles("diffusion OR") == titles("diffusion")
    assert titles("OR diffusion") == titles("diffusion")
    assert titles("diffusion OR OR agents") == titles("diffusion OR agents")
    assert parse_query("diffusion or agents").words == ("diffusion", "or", "agents")
    assert parse_query('"OR"').words == ("or",)
    assert parse_query("-OR").words == ()  # a negated word "or", not an operator
    assert titles("diffusion OR -") == titles("diffusion")


def test_or_groups_in_words_filters_and_equality() -> None:
    query = parse_query("title:agent OR author:smith -survey")
    assert query.words == ("agent",)
    assert query.filters == ()  # author:smith is an alternative, not a requirement
    assert len(query.groups) == 2
    assert parse_query("a a") == parse_query("a")
    assert parse_query("a OR a") == parse_query("a")


@pytest.mark.parametrize("text", ["title:", 'abstract:"  "', "note:", "-title:"])
def test_field_term_without_a_word_is_an_error(text: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    assert text.strip("-").split(":")[0] in str(caught.value)


@pytest.mark.parametrize(
    ("grown", "previous", "narrows"),
    [
        ("title:lang", "lang", True),
        ("lang", "title:lang", False),
        ("title:language", "title:lang", True),
        ("abstract:lang", "title:lang", False),
        ("note:x", "x", True),
        ("-x", "-title:x", True),
        ("-title:x", "-x", False),
        ("diffusion OR flow", "diffusion OR flo", True),
        ("diffusion OR flo", "diffusion", False),
        ("diffusion", "diffusion OR flow", True),
        ("diffusion video", "diffusion OR flow", True),
        ("a b OR c", "a", True),
        ("is:read OR x", "is:read", False),
        ("is:read", "is:read OR x", True),
    ],
)
def test_narrows_with_fields_and_or(grown: str, previous: str, narrows: bool) -> None:
    assert parse_query(grown).narrows(parse_query(previous)) is narrows


@pytest.mark.usefixtures("indexed")
def test_fields_and_or_agree_with_the_plain_definition_on_the_index() -> None:
    entries = [
        *ALL,
        entry("Ünïcode — Title: Learning", "Unlearning, re-learning. Tool-using agents."),
        entry("Plain", "Nothing here at all.", note="Learning notes", tags=("zyxomancy",)),
    ]
    prepare(entries[:3])
    texts = [
        "title:learning",
        "abstract:learning",
        "note:learning",
        "-abstract:learn",
        'title:"language models"',
        "learning OR diffusion",
        "title:learn OR note:learn",
        "-title:learn OR has:code",
        "a title:l OR abstract:zzz",
        "zyxomancy OR abstract:agents is:unread",
    ]
    for text in texts:
        assert search(entries, parse_query(text)) == reference(entries, text), text
        assert search(entries[::-1], parse_query(text)) == reference(entries[::-1], text), text


@pytest.mark.usefixtures("indexed")
@pytest.mark.parametrize("noted", [False, True])
def test_typing_on_in_a_word_narrows_to_what_a_fresh_search_finds(
    noted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each key of a word tests only what the previous key kept, and once the word's tokens stop
    changing (`learnin`, `learning`: the same tokens as `learni`) it tests nothing again; a
    note that matches (its own text, not a token) is found at every step all the same."""
    entries = [
        entry("Learning to rank", "Unlearning in large models."),
        entry("Lessons", "Learnings from a year of agents."),
        entry("Leaves", "Green leaves fall."),
        entry("Other", "Nothing here.", note="learning notes" if noted else ""),
    ]
    prepare(entries)
    tested: list[str] = []
    for name in ("split", "held"):  # a token test run, whichever result it gives
        real = getattr(search_index.Test, name)

        def spied(test: search_index.Test, *args: object, real: object = real) -> object:
            tested.append(test.chars)
            return real(test, *args)  # type: ignore[operator]

        monkeypatch.setattr(search_index.Test, name, spied)
    within = None
    for text in ["l", "le", "lea", "learni", "learnin", "learning", "learnings"]:
        tested.clear()
        kept = search_positions(entries, parse_query(text), within)
        assert [entries[i] for i in kept] == reference(entries, text), text
        if text in ("learnin", "learning") and not noted:
            assert tested == [], text
        elif text not in ("l",):
            assert tested, text
        within = kept
    for text in ["learnings", "learning", "learning"]:  # afresh: every paper tested again
        kept = search_positions(entries, parse_query(text))
        assert [entries[i] for i in kept] == reference(entries, text), text


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("late", [False, True])
def test_a_token_test_splits_positions_as_a_plain_look_at_each_would(
    seed: int, late: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`Test.split` and `Test.held` against a plain test of each position, over every position
    and over some, with few misses and with many: ids tested one pass each; ids after those in
    one character class, once a pass finds few (`late`: only after every pass); and misses of
    a test of some of the ids handed back to be read (the text decides those)."""
    monkeypatch.setattr(search_index, "_MAX_IDS", 4)
    monkeypatch.setattr(search_index, "_FEW_HITS", 100 if late else 2)
    rng = random.Random(seed)
    tokens = ["".join(rng.sample("abcdefghij-.", rng.randint(1, 5))) for _ in range(400)]
    tokens[::100] = [""] * 4  # a paper the index could not hold
    cases = (["a"], ["a", "b"], list("abcdefgh"), ["j", "z"], list("-.abcdefgh"))
    for ids, read_up_to in itertools.product(cases, (0, 10_000)):
        monkeypatch.setattr(search_index, "_CONFIRM_BY_TEXT_UP_TO", read_up_to)
        test = search_index.Test.of([ord(i) for i in ids])
        for positions in (list(range(400)), sorted(rng.sample(range(400), 150)), [], [7]):
            hits = [p for p in positions if any(i in tokens[p] for i in ids)]
            found, undecided = test.split(tokens, positions)
            if len(ids) <= 4 or read_up_to == 0:  # every id tested
                assert (found, undecided) == (hits, []), (ids, positions)
            else:  # the text reads the positions no tested id holds
                tested = ids[:4]
                assert found == [p for p in positions if any(i in tokens[p] for i in tested)]
                assert undecided == [p for p in positions if p not in found]
            if test.complete:
                held = test.held(tokens, positions)
                assert held == hits
                assert held is not positions  # the caller's list is never handed back
