"""The search language shared by the app's search box and `readlist list` / `export` / `related`.

A query is parsed once per keystroke and then tested against every paper, so the costly part is
kept small: titles and abstracts are searched through a token index (`search_index`, built by
`prepare` in the app's warm-up worker) instead of a scan of their full text; operators are
tested from a 0/1 column kept per entry list, before any text; notes and tags are tested as text.
`Query.narrows` lets a caller filter the previous result instead of the whole library when the
user only typed more. `Query.matches` is the plain definition every search must agree with.

Syntax: terms separated by spaces must all match (AND); `OR` (in capitals) between two terms
makes them alternatives, and binds tighter than the space: `a b OR c` is a AND (b OR c), as in
most search engines. There are no parentheses (a query is an AND of OR-groups).
    word            substring of the title, abstract, note or tags (case-insensitive)
    "a phrase"      the same for a phrase (inner whitespace collapsed to one space)
    -word -"a b"    excludes papers containing it
    title:WORD      the word (or title:"a phrase") in the title only; abstract:WORD and
                    note:WORD likewise in the abstract, in the note
    a OR b          papers matching a, b or both (`diffusion OR flow`, `title:agent OR
                    author:smith`); an OR with nothing on one side is ignored (half typed)
    is:starred is:unstarred is:read is:unread
    has:code        the paper has a GitHub link;  has:note  the note is not blank
    has:arxiv       the paper has an arXiv id
    tag:NAME        the paper carries tag NAME (tag:"two words" for a tag with a space)
    date:YYYY-MM-DD the paper's day (date:YYYY-MM and date:YYYY match a month / a year)
    author:NAME     an author's name contains NAME, any case (author:"van der" with a space)
    cat:NAME        a category is NAME, any case (cat:cs.CL); an archive alone matches each of
                    its categories: cat:cs (or cat:cs. or cat:cs.*) matches cs.CL and cs.LG,
                    cat:math matches math.AG but not math-ph (another archive); no partial
                    names: cat:cs.C matches nothing
    -is:read ...    any operator or field term can be negated with a leading minus
An unknown prefix such as `foo:bar` or `https://...` is an ordinary word, and so is a lower-case
`or`; `"OR"` finds the letters "or".
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress, filterfalse, repeat
from operator import attrgetter, contains, itemgetter
from pathlib import Path

from readlist.core.models import Entry, Paper, gc_paused
from readlist.core.search.index import TokenIndex, squash
from readlist.core.search.rows import RowCache, Rows, content_matches
from readlist.core.search.terms import (
    Filter,
    QueryError,
    Term,
    Text,
    field_text,
    haystack,
    read_terms,
)

__all__ = [
    "MATCH_ALL",
    "Filter",
    "Query",
    "QueryError",
    "Term",
    "Text",
    "clear_cache",
    "haystack",
    "parse_query",
    "picked",
    "positions_in",
    "prepare",
    "search",
    "search_positions",
]

Group = tuple[Term, ...]  # alternatives: a paper matches the group if it matches any of them

_INDEX = TokenIndex()
_ROWS = RowCache(_INDEX)


def prepare(
    entries: Iterable[Entry],
    cache_key: Path | None = None,
    loaded: Callable[[], object] | None = None,
) -> None:
    """Build the token index ahead of the first search (e.g. in a worker after the library loads).

    With `cache_key` (the library's path) the tokens saved by the last session are reused, so
    only new or changed papers are tokenised (`index_cache`). Tokenising costs ~60-80 us a paper
    (7-9 s for 100,000 papers, 0.6-0.8 s for 10,000); up to 20,000 papers, their texts are cached
    first so searches run at full-scan speed meanwhile. Without it a search tests every paper's
    text, built on demand. `loaded` is called once the saved tokens are taken (or found missing),
    before any paper is tokenised: a search that waits for it instead of scanning text waits
    ~0.3 s at 100,000 papers, a scan takes 0.85-1.2 s.
    """
    listed = list(entries)
    _INDEX.add(listed, cache_key, loaded)
    _ROWS.drop_unindexed()  # they hold texts the index has just made redundant
    _INDEX.wait_for_quiet()  # ~0.1 s at 100,000 papers: after the searches typed meanwhile
    with gc_paused():  # ~200,000 new containers at 100,000 papers: GC passes cost ~30%
        _ROWS.rows(listed)  # and the first search over a copy of this list finds its rows built


def clear_cache() -> None:
    """Forget every cached haystack (e.g. when a library is closed)."""
    _ROWS.clear()
    _INDEX.clear()


def search_rows(entries: Sequence[Entry], start: int | None = None, step: int = 1) -> Rows:
    """The rows a search of `entries` walks (token strings, user texts): ranking and related
    papers read the same ones instead of building their own. `start`, `step`: see
    `RowCache.rows`."""
    return _ROWS.rows(entries, start, step)


def search_index() -> TokenIndex:
    """The token index every search shares."""
    return _INDEX


def _test(term: Term) -> Callable[[Entry], bool]:
    return term.predicate() if isinstance(term, Filter) else term.matches


def _cost(group: Group) -> tuple[int, int]:
    """Cheap groups first: one operator (a column), then words, longest (rarest) first, then
    exclusions, then OR-groups. The order changes the time a search takes, never its result."""
    if len(group) > 1:
        return (3, 0)
    term = group[0]
    if isinstance(term, Filter):
        return (0, 0)
    return (2, 0) if term.negated else (1, -len(term.value))


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query, an AND of OR-groups; build one with `parse_query`."""

    groups: tuple[Group, ...] = ()
    tests: tuple[tuple[Callable[[Entry], bool], ...], ...] = field(
        init=False, repr=False, compare=False, default=()
    )
    order: tuple[int, ...] = field(init=False, repr=False, compare=False, default=())

    def __post_init__(self) -> None:
        tests = tuple(tuple(map(_test, group)) for group in self.groups)
        object.__setattr__(self, "tests", tests)
        order = sorted(range(len(self.groups)), key=lambda i: _cost(self.groups[i]))
        object.__setattr__(self, "order", tuple(order))

    @property
    def texts(self) -> tuple[Text, ...]:
        """The positive word and phrase terms, each once, in the order typed: what ranks."""
        found = (t for g in self.groups for t in g if isinstance(t, Text) and not t.negated)
        return tuple(dict.fromkeys(found))

    @property
    def words(self) -> tuple[str, ...]:
        """The positive words and phrases, lower-case, for highlighting matches."""
        return tuple(dict.fromkeys(t.value for t in self.texts))

    @property
    def filters(self) -> tuple[Filter, ...]:
        """The operator terms every match must satisfy (those alone in their group)."""
        return tuple(g[0] for g in self.groups if len(g) == 1 and isinstance(g[0], Filter))

    @property
    def is_empty(self) -> bool:
        """True when the query matches every paper."""
        return not self.groups

    @property
    def has_text(self) -> bool:
        """True when some term is tested against text (not only operators)."""
        return any(isinstance(t, Text) for g in self.groups for t in g)

    def matches(self, entry: Entry) -> bool:
        return all(any(test(entry) for test in tests) for tests in self.tests)

    def narrows(self, previous: Query) -> bool:
        """True when every paper matching self is known to match `previous`.

        Then a search may filter the previous result instead of the whole library. The check is
        conservative: a False answer only means "search everything".
        """
        return all(any(_group_implies(g, p) for g in self.groups) for p in previous.groups)


def _group_implies(group: Group, other: Group) -> bool:
    """Matching `group` (any of its terms) implies matching `other` (one of its terms)."""
    return all(any(_implies(term, alternative) for alternative in other) for term in group)


def _implies(term: Term, other: Term) -> bool:
    if isinstance(term, Filter) or isinstance(other, Filter):
        return term == other
    if term.negated != other.negated:
        return False
    if not term.negated:  # a text holding the longer word holds every part of it
        return other.value in term.value and other.field in ("", term.field)
    # Lacking a shorter text implies lacking every text that contains it.
    return term.value in other.value and term.field in ("", other.field)


def parse_query(text: str) -> Query:
    """Parse `text`; raise QueryError if a known operator has a bad value or a quote is open."""
    groups: list[Group] = []
    current: list[Term] = []
    joined = False  # an OR came after the last term
    for item in read_terms(text):
        if item is None:
            joined = bool(current)
            continue
        if current and not joined:
            groups.append(tuple(current))
            current = []
        if item not in current:
            current.append(item)
        joined = False
    if current:
        groups.append(tuple(current))
    return Query(tuple(dict.fromkeys(groups)))


MATCH_ALL = Query()


def search(entries: Sequence[Entry], query: Query) -> list[Entry]:
    """The entries matching `query`, in the order given."""
    if query.is_empty:
        return list(entries)
    if not query.has_text:
        result = list(entries)
        for tests in query.tests:
            if len(tests) == 1:
                result = list(filter(tests[0], result))
            else:
                result = [entry for entry in result if any(test(entry) for test in tests)]
        return result
    _INDEX.busy()
    try:
        return _search(entries, query)
    finally:
        _INDEX.busy()


def search_positions(
    entries: Sequence[Entry], query: Query, within: list[int] | None = None
) -> list[int]:
    """The positions in `entries` of those matching `query` (which must have words), in order.

    With `within`, only those positions are tested: the result of a query this one narrows, in
    the same list. Narrowing this way reuses the list's search rows, where searching a new list
    of the earlier matches built rows for it first (~60 ms for 57,000 papers)."""
    return positions_in(_ROWS.rows(entries), query, within)


def positions_in(rows: Rows, query: Query, within: list[int] | None = None) -> list[int]:
    """`search_positions` over rows already at hand (`search_rows`): the app keeps each slice's
    rows of a search for ranking its matches, instead of asking for them again."""
    _INDEX.busy()
    try:
        kept = list(range(len(rows.snapshot))) if within is None else within
        return _positions(rows, query, kept)
    finally:
        _INDEX.busy()


def _search(entries: Sequence[Entry], query: Query) -> list[Entry]:
    rows = _ROWS.rows(entries)
    snapshot = rows.snapshot
    kept = _positions(rows, query, list(range(len(snapshot))))
    return picked(snapshot, kept)


def picked(entries: Sequence[Entry], positions: list[int]) -> list[Entry]:
    """The entries at `positions`, at C speed (`itemgetter`: ~2x `map` for 100,000)."""
    if len(positions) == len(entries):
        return list(entries)  # every position kept (a first letter)
    if len(positions) > 1:
        return list(itemgetter(*positions)(entries))
    return [entries[i] for i in positions]


def _positions(rows: Rows, query: Query, kept: list[int]) -> list[int]:
    for index in query.order:
        if not kept:
            break
        group, tests = query.groups[index], query.tests[index]
        if len(group) == 1:
            kept = _keep(group[0], tests[0], rows, kept)
            continue
        # Each alternative is tested only on the positions no earlier one matched.
        hits: set[int] = set()
        rest = kept
        for term, test in zip(group, tests, strict=True):
            if rest:
                hits.update(_keep(term, test, rows, rest))
                rest = list(filterfalse(hits.__contains__, rest))
        kept = list(compress(kept, map(hits.__contains__, kept)))
    return kept


def _keep(term: Term, test: Callable[[Entry], bool], rows: Rows, kept: list[int]) -> list[int]:
    """The positions of `kept` (in order) that match `term`."""
    if isinstance(term, Filter):
        # A 0/1 column per operator, kept with the rows (the app searches the same list on
        # every keystroke).
        column = rows.columns.get(term)
        if column is None:
            column = rows.columns[term] = bytes(map(test, rows.snapshot))
        if len(kept) == len(rows.snapshot):
            return list(compress(kept, column))
        return list(compress(kept, map(column.__getitem__, kept)))
    found = text_positions(term, rows, kept)
    if not term.negated:
        return found
    hits = set(found)
    return list(filterfalse(hits.__contains__, kept))


_TITLE = attrgetter("title")
_ABSTRACT = attrgetter("abstract")


def _holding(
    needle: str, papers: list[Paper], positions: list[int], part: Callable[[Paper], str]
) -> list[int]:
    """The positions whose paper's `part` (title or abstract), lower-cased, holds `needle`.

    At C speed: a needle with no space cannot straddle the whitespace `squash` collapses, so
    only a phrase needs it.
    """
    texts: Iterable[str] = map(str.lower, map(part, map(papers.__getitem__, positions)))
    if " " in needle:
        texts = map(squash, texts)
    return list(compress(positions, map(contains, texts, repeat(needle))))


def text_positions(term: Text, rows: Rows, positions: list[int]) -> list[int]:
    """The positions (of those given, in order) whose field holds `term.value` (negation aside)."""
    needle = term.value
    if term.field == "note":
        snapshot = rows.snapshot
        wanted = None if len(positions) == len(snapshot) else set(positions)
        return [
            i
            for i in rows.extras
            if (wanted is None or i in wanted) and needle in field_text(snapshot[i], "note")
        ]
    found = content_matches(_INDEX, needle, rows, positions)
    papers = rows.papers
    if term.field == "title":
        return _holding(needle, papers, found, _TITLE)
    if term.field == "abstract":
        # The needle holds no line break, so a title-and-abstract match is in one of the two:
        # only those with it in the title need their abstract read.
        in_title = _holding(needle, papers, found, _TITLE)
        if not in_title:
            return found
        dropped = set(in_title).difference(_holding(needle, papers, in_title, _ABSTRACT))
        return list(filterfalse(dropped.__contains__, found))
    extra = [i for i, text in rows.extras.items() if needle in text]
    if extra:
        # The few notes and tags that match, merged in where missing: a set of every match
        # and a pass over every position cost ~0.2 ms a slice of 4,000 on every key.
        more = [i for i in extra if _holds(positions, i) and not _holds(found, i)]
        if more:
            found = sorted(found + more)
    return found


def _holds(ordered: list[int], value: int) -> bool:
    """Whether the increasing list `ordered` holds `value`."""
    at = bisect_left(ordered, value)
    return at < len(ordered) and ordered[at] == value
