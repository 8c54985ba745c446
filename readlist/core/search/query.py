"""The search language shared by the app's search box and `readlist list` / `export`.

A query is parsed once per keystroke and then tested against every paper, so the costly part is
kept small: titles and abstracts are searched through a token index (`search_index`, built by
`prepare` in the app's warm-up worker) instead of a scan of their full text; operators are
tested from a 0/1 column kept per entry list, before any text; notes and tags are tested as text.
`Query.narrows` lets a caller filter the previous result instead of the whole library when the
user only typed more. `Query.matches` is the plain definition every search must agree with.

Syntax (terms are ANDed):
    word            substring of the title, abstract, note or tags (case-insensitive)
    "a phrase"      the same for a phrase (inner whitespace collapsed to one space)
    -word -"a b"    excludes papers containing it
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
    -is:read ...    any operator can be negated with a leading minus
An unknown prefix such as `foo:bar` or `https://...` is an ordinary word.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path

from readlist.core.models import Entry
from readlist.core.search.index import TokenIndex, content_text, extra_text
from readlist.core.search.rows import RowCache, Rows, content_matches


class QueryError(ValueError):
    """A malformed query; the message is one line saying what is wrong."""

    def __init__(self, message: str) -> None:
        # One line whatever was typed or pasted: a newline or a control character in the query
        # is shown escaped, never as itself.
        super().__init__("".join(c if c.isprintable() else repr(c)[1:-1] for c in message))


_IS_VALUES = ("starred", "unstarred", "read", "unread")
_HAS_VALUES = ("code", "note", "arxiv")
_OPERATORS = ("is", "has", "tag", "date", "author", "cat")

_INDEX = TokenIndex()
_ROWS = RowCache(_INDEX)


def haystack(entry: Entry) -> str:
    """The lower-cased text `entry` is searched in (title, abstract, note, tags), one per line.

    Built on demand, not cached: `search` uses the token index and keeps no full texts (only
    those of papers not indexed yet).
    """
    return f"{content_text(entry.paper)}\n{extra_text(entry)}"


def prepare(entries: Iterable[Entry], cache_key: Path | None = None) -> None:
    """Build the token index ahead of the first search (e.g. in a worker after the library loads).

    With `cache_key` (the library's path) the tokens saved by the last session are reused, so
    only new or changed papers are tokenised (`index_cache`). Tokenising costs ~60-80 us a paper
    (7-9 s for 100,000 papers, 0.6-0.8 s for 10,000); up to 20,000 papers, their texts are cached
    first so searches run at full-scan speed meanwhile. Without it a search tests every paper's
    text, built on demand.
    """
    listed = list(entries)
    _INDEX.add(listed, cache_key)
    _ROWS.clear()  # rows built during the warm-up hold texts the index has just made redundant
    _ROWS.rows(listed)  # and the first search over a copy of this list finds its rows built


def clear_cache() -> None:
    """Forget every cached haystack (e.g. when a library is closed)."""
    _ROWS.clear()
    _INDEX.clear()


def _has_note(entry: Entry) -> bool:
    return bool(entry.state.note.strip())


_STATE_TESTS: dict[tuple[str, str], Callable[[Entry], bool]] = {
    ("is", "starred"): lambda e: e.state.starred,
    ("is", "unstarred"): lambda e: not e.state.starred,
    ("is", "read"): lambda e: e.state.read,
    ("is", "unread"): lambda e: not e.state.read,
    ("has", "code"): lambda e: e.paper.github is not None,
    ("has", "note"): _has_note,
    ("has", "arxiv"): lambda e: e.paper.arxiv_id is not None,
}


@dataclass(frozen=True, slots=True)
class Filter:
    """One operator term such as `is:read` or `-tag:ml`; `value` is already normalised."""

    operator: str
    value: str
    negated: bool = False

    def predicate(self) -> Callable[[Entry], bool]:
        """A fast test for this term (a plain function, no attribute dispatch per paper)."""
        test = _STATE_TESTS.get((self.operator, self.value)) or self._value_test()
        if not self.negated:
            return test

        def negated(entry: Entry) -> bool:
            return not test(entry)

        return negated

    def _value_test(self) -> Callable[[Entry], bool]:
        value = self.value
        archive = value + "."

        def has_tag(entry: Entry) -> bool:
            return value in entry.state.tags

        def on_day(entry: Entry) -> bool:
            date = entry.paper.date
            return date is not None and date.startswith(value)

        def by_author(entry: Entry) -> bool:
            return any(value in " ".join(name.split()).lower() for name in entry.paper.authors)

        def in_category(entry: Entry) -> bool:
            return any(
                c.lower() == value or c.lower().startswith(archive) for c in entry.paper.categories
            )

        tests = {"tag": has_tag, "date": on_day, "author": by_author, "cat": in_category}
        return tests[self.operator]

    def __str__(self) -> str:
        value = f'"{self.value}"' if " " in self.value else self.value
        return f"{'-' if self.negated else ''}{self.operator}:{value}"


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query; build one with `parse_query`."""

    needles: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    filters: tuple[Filter, ...] = ()
    tests: tuple[Callable[[Entry], bool], ...] = field(
        init=False, repr=False, compare=False, default=()
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "tests", tuple(f.predicate() for f in self.filters))

    @property
    def words(self) -> tuple[str, ...]:
        """The positive words and phrases, lower-case, for highlighting matches."""
        return self.needles

    @property
    def is_empty(self) -> bool:
        """True when the query matches every paper."""
        return not (self.needles or self.excluded or self.filters)

    def matches(self, entry: Entry) -> bool:
        for test in self.tests:
            if not test(entry):
                return False
        if not (self.needles or self.excluded):
            return True
        text = haystack(entry)
        return all(n in text for n in self.needles) and not any(n in text for n in self.excluded)

    def narrows(self, previous: Query) -> bool:
        """True when every paper matching self is known to match `previous`.

        Then a search may filter the previous result instead of the whole library. The check is
        conservative: a False answer only means "search everything".
        """
        if not all(any(p in n for n in self.needles) for p in previous.needles):
            return False
        # Lacking a shorter text implies lacking every text that contains it.
        if not all(any(m in p for m in self.excluded) for p in previous.excluded):
            return False
        return set(previous.filters) <= set(self.filters)


def _normalise_date(value: str) -> str:
    formats = {4: "%Y", 7: "%Y-%m", 10: "%Y-%m-%d"}
    fmt = formats.get(len(value))
    try:
        if fmt is None or not value.isascii():
            raise ValueError(value)
        datetime.datetime.strptime(value, fmt)
    except ValueError:
        raise QueryError(f"date:{value} is not a date: use YYYY-MM-DD (or YYYY-MM, YYYY)") from None
    return value


def _normalise_category(raw: str) -> str:
    """`cs.CL` -> `cs.cl`; `cs`, `cs.` and `cs.*` -> `cs` (the archive, matching its categories)."""
    value = raw.strip().lower()
    for ending in (".*", "*", "."):
        value = value.removesuffix(ending)
    return value


def _make_filter(operator: str, raw: str, negated: bool) -> Filter:
    if operator == "is":
        value = raw.lower()
        if value not in _IS_VALUES:
            shown = value or "(nothing)"
            raise QueryError(f"is:{shown} is not known: use is:{', is:'.join(_IS_VALUES)}")
    elif operator == "has":
        value = raw.lower()
        if value not in _HAS_VALUES:
            shown = value or "(nothing)"
            raise QueryError(f"has:{shown} is not known: use has:{', has:'.join(_HAS_VALUES)}")
    elif operator == "tag":
        value = " ".join(raw.split()).lower()
        if not value:
            raise QueryError("tag: needs a tag name, e.g. tag:ml")
    elif operator == "author":
        value = " ".join(raw.split()).lower()
        if not value:
            raise QueryError('author: needs a name, e.g. author:hinton or author:"van der"')
    elif operator == "cat":
        value = _normalise_category(raw)
        if not value:
            raise QueryError("cat: needs an arXiv category, e.g. cat:cs.CL or cat:cs")
    else:
        value = _normalise_date(raw.strip())
    return Filter(operator, value, negated)


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    """The text between the quote at `start` and its closing quote, and the index after it."""
    end = text.find('"', start + 1)
    if end < 0:
        raise QueryError('open quote: a phrase must end with a closing "')
    return text[start + 1 : end], end + 1


def _read_bare(text: str, start: int) -> int:
    """The index where a bare word starting at `start` ends (whitespace or a quote)."""
    end = start
    while end < len(text) and not text[end].isspace() and text[end] != '"':
        end += 1
    return end


def parse_query(text: str) -> Query:
    """Parse `text`; raise QueryError if a known operator has a bad value or a quote is open."""
    needles: list[str] = []
    excluded: list[str] = []
    filters: list[Filter] = []
    i, size = 0, len(text)
    while i < size:
        if text[i].isspace():
            i += 1
            continue
        negated = text[i] == "-"
        if negated:
            i += 1
            if i >= size or text[i].isspace():
                continue  # a lone "-" (e.g. half typed) excludes nothing
        if text[i] == '"':
            phrase, i = _read_quoted(text, i)
            term = " ".join(phrase.split()).lower()
        else:
            end = _read_bare(text, i)
            word = text[i:end]
            i = end
            operator, colon, raw = word.partition(":")
            operator = operator.lower()
            if colon and operator in _OPERATORS:
                if not raw and i < size and text[i] == '"':
                    raw, i = _read_quoted(text, i)
                filters.append(_make_filter(operator, raw, negated))
                continue
            term = word.lower()
        if term:
            target = excluded if negated else needles
            if term not in target:
                target.append(term)
    return Query(tuple(needles), tuple(excluded), tuple(filters))


MATCH_ALL = Query()


def search(entries: Sequence[Entry], query: Query) -> list[Entry]:
    """The entries matching `query`, in the order given."""
    if query.is_empty:
        return list(entries)
    if not (query.needles or query.excluded):
        result = list(entries)
        for test in query.tests:
            result = [entry for entry in result if test(entry)]
        return result
    _INDEX.busy()
    try:
        return _search(entries, query)
    finally:
        _INDEX.busy()


def _search(entries: Sequence[Entry], query: Query) -> list[Entry]:
    rows = _ROWS.rows(entries)
    snapshot = rows.snapshot
    kept = list(range(len(snapshot)))
    # Operators first, from a 0/1 column per operator kept with the rows (the app searches the
    # same list on every keystroke); then the longest needle, usually the rarest.
    for term, test in zip(query.filters, query.tests, strict=True):
        column = rows.columns.get(term)
        if column is None:
            column = rows.columns[term] = bytes(map(test, snapshot))
        if len(kept) == len(snapshot):
            kept = list(compress(kept, column))
        else:
            kept = list(compress(kept, map(column.__getitem__, kept)))
    for needle in sorted(query.needles, key=len, reverse=True):
        kept = _keep(needle, rows, kept, wanted=True)
    for needle in query.excluded:
        kept = _keep(needle, rows, kept, wanted=False)
    return list(map(snapshot.__getitem__, kept))


def _keep(needle: str, rows: Rows, positions: list[int], *, wanted: bool) -> list[int]:
    """The positions whose text contains `needle` (or, not `wanted`, does not), in order."""
    if not positions:
        return positions
    found = content_matches(_INDEX, needle, rows, positions)
    extra = [i for i, text in rows.extras.items() if needle in text]
    if extra:
        hits = set(found).union(extra)
        found = list(compress(positions, map(hits.__contains__, positions)))
    if wanted:
        return found
    hits = set(found)
    return [i for i in positions if i not in hits]
