"""The terms of the search language, one at a time: what each means, and how each is read.

`query.py` puts terms together (AND, OR) and searches fast; this module is the plain meaning of a
single term, which every fast path must agree with (`Text.matches`, `Filter.predicate`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from readlist.core.models import Entry
from readlist.core.search.index import content_text, extra_text, squash


class QueryError(ValueError):
    """A malformed query; the message is one line saying what is wrong."""

    def __init__(self, message: str) -> None:
        # One line whatever was typed or pasted: a newline or a control character in the query
        # is shown escaped, never as itself.
        super().__init__("".join(c if c.isprintable() else repr(c)[1:-1] for c in message))


_IS_VALUES = ("starred", "unstarred", "read", "unread")
_HAS_VALUES = ("code", "note", "arxiv")
FILTER_OPERATORS = ("is", "has", "tag", "date", "author", "cat")
#: Fields a word can be limited to; "" (no prefix) is any of them, and the tags.
TEXT_FIELDS = ("title", "abstract", "note")
#: The word between two terms that makes them alternatives (in capitals, as in most engines).
OR = "OR"


def haystack(entry: Entry) -> str:
    """The lower-cased text `entry` is searched in (title, abstract, note, tags), one per line.

    Built on demand, not cached: `search` uses the token index and keeps no full texts (only
    those of papers not indexed yet).
    """
    return f"{content_text(entry.paper)}\n{extra_text(entry)}"


def field_text(entry: Entry, field: str) -> str:
    """The lower-cased text of one field (`title`, `abstract`, `note`), or of all of them ("")."""
    if field == "title":
        return squash(entry.paper.title).lower()
    if field == "abstract":
        return squash(entry.paper.abstract).lower()
    if field == "note":
        return squash(entry.state.note).lower()
    return haystack(entry)


@dataclass(frozen=True, slots=True)
class Text:
    """A word or phrase to find in a paper's text: in any field (`field` ""), or in one.

    `value` is lower-case with runs of whitespace as one space, so it holds no line break and
    never spans two fields (each is its own line of the haystack).
    """

    field: str
    value: str
    negated: bool = False

    def matches(self, entry: Entry) -> bool:
        """The plain definition: a substring of the field's lower-cased text (or not, negated)."""
        return (self.value in field_text(entry, self.field)) is not self.negated

    def __str__(self) -> str:
        value = f'"{self.value}"' if " " in self.value else self.value
        prefix = f"{self.field}:" if self.field else ""
        return f"{'-' if self.negated else ''}{prefix}{value}"


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

    def matches(self, entry: Entry) -> bool:
        return self.predicate()(entry)

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


Term = Text | Filter


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


def _make_text(field: str, raw: str, negated: bool) -> Text:
    value = " ".join(raw.split()).lower()
    if not value:
        raise QueryError(f'{field}: needs a word, e.g. {field}:agent or {field}:"large language"')
    return Text(field, value, negated)


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


def read_terms(text: str) -> list[Term | None]:
    """The terms of `text` in order, None standing for each `OR` between them.

    Raises QueryError if a known operator has a bad value or a quote is left open. An empty
    phrase and a lone `-` (half typed) give nothing; an unknown prefix (`foo:bar`, a URL) is an
    ordinary word.
    """
    items: list[Term | None] = []
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
            if word == OR and not negated:
                items.append(None)
                continue
            operator, colon, raw = word.partition(":")
            operator = operator.lower()
            if colon and (operator in FILTER_OPERATORS or operator in TEXT_FIELDS):
                if not raw and i < size and text[i] == '"':
                    raw, i = _read_quoted(text, i)
                if operator in TEXT_FIELDS:
                    items.append(_make_text(operator, raw, negated))
                else:
                    items.append(_make_filter(operator, raw, negated))
                continue
            term = word.lower()
        if term:
            items.append(Text("", term, negated))
    return items
