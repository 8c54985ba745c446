"""The plain-text copy of a Hugging Face "Daily Papers" page.

Shape: page chrome, a day line (`Mar 12`), then title / blank line / abstract / blank line,
repeated; a page may hold several days, each with its own chrome. Text is split into paragraphs
(runs of non-blank lines); day and chrome lines are separators wherever they stand. After a
separator, paragraphs alternate title, abstract. Length settles the doubtful cases: a title is at
most `TITLE_MAX` characters, so a longer paragraph where a title is due continues the last
abstract (and the notes name that paper, as the paragraph may have been a paper with a very long
title), and a short title-like paragraph followed by a long one starts a new paper.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from readlist.core.links import extract_links, github_link
from readlist.core.models import Paper, paper_id
from readlist.core.text import clean_text

#: Longest paragraph taken as a title; real titles stay well under 200 characters.
TITLE_MAX = 300

#: How many abstracts grown by a paragraph where a title was due the notes name one by one.
JOINED_NAMED = 5

_MONTH_NUMBERS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_MONTH = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)


def _separator_pattern(ws: str) -> str:
    """A day line or a chrome line, with `ws` as the class of whitespace allowed inside it."""
    day = rf"{_MONTH}\.?{ws}+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,?{ws}+(?P<year>\d{{4}}))?"
    iso = r"(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})"
    chrome = (
        rf"(?P<chrome>new|subscribe"
        rf"|get{ws}+trending{ws}+papers{ws}+in{ws}+your{ws}+email{ws}+inbox!"
        rf"|by{ws}*ak{ws}+and{ws}+the{ws}+research{ws}+community)"
    )
    return rf"(?:{day}|{iso}|{chrome})"


#: A whole paragraph that is a separator (used with fullmatch; may wrap over lines).
_SEPARATOR_PARAGRAPH = re.compile(r"\s*" + _separator_pattern(r"\s") + r"\s*", re.IGNORECASE)
#: Longer lines are never taken for separators on their own: matching every line of a
#: hard-wrapped abstract against `_SEPARATOR_PARAGRAPH` would cost more than the rest of parsing.
_LINE_MAX = 64
#: One or more blank (empty or whitespace-only) lines: the break between paragraphs.
_BLANK_LINES = re.compile(r"\n(?:[^\S\n]*\n)+")


@dataclass(frozen=True, slots=True)
class _Separator:
    """A day line (date set) or page chrome (date None): ends the paper being read."""

    date: str | None


_CHROME = _Separator(None)
_Token = str | _Separator


def _resolve_day(match: re.Match[str], today: datetime.date) -> _Separator | None:
    """The separator a match stands for, or None if it names no real date (`Feb 30`)."""
    if match.group("chrome"):
        return _CHROME
    try:
        if match.group("iy"):
            day = datetime.date(int(match["iy"]), int(match["im"]), int(match["id"]))
            return _Separator(day.isoformat())
        month, day_of_month = _MONTH_NUMBERS[match["mon"][:3].lower()], int(match["day"])
        if match.group("year"):
            return _Separator(datetime.date(int(match["year"]), month, day_of_month).isoformat())
    except ValueError:
        return None
    # No year: the latest such date not after today (Feb 29 may need up to 8 years back).
    for year in range(today.year, max(today.year - 9, 0), -1):
        try:
            candidate = datetime.date(year, month, day_of_month)
        except ValueError:
            continue
        if candidate <= today:
            return _Separator(candidate.isoformat())
    return None


def _tokenise(text: str, today: datetime.date) -> list[_Token]:
    """Paragraphs (stripped, inner newlines kept) and separators, in file order."""
    tokens: list[_Token] = []
    lines = text.split("\n")
    start = 0
    for number in [n for n, line in enumerate(lines) if 0 < len(line) <= _LINE_MAX]:
        match = _SEPARATOR_PARAGRAPH.fullmatch(lines[number])
        separator = _resolve_day(match, today) if match else None
        if separator is not None:
            _add_paragraphs("\n".join(lines[start:number]), today, tokens)
            tokens.append(separator)
            start = number + 1
    _add_paragraphs("\n".join(lines[start:]), today, tokens)
    return tokens


def _add_paragraphs(text: str, today: datetime.date, tokens: list[_Token]) -> None:
    """Split text without separator lines at blank lines; a paragraph may still be a wrapped one."""
    for block in _BLANK_LINES.split(text):
        paragraph = block.strip()
        if not paragraph:
            continue
        match = _SEPARATOR_PARAGRAPH.fullmatch(paragraph)
        separator = _resolve_day(match, today) if match else None
        tokens.append(paragraph if separator is None else separator)


def _looks_like_title(paragraph: str) -> bool:
    return len(paragraph) <= TITLE_MAX and not paragraph.endswith(".")


def _join_lines(paragraph: str) -> str:
    """A hard-wrapped paragraph as one line (no line in a paragraph is blank)."""
    return " ".join(map(str.strip, paragraph.split("\n"))) if "\n" in paragraph else paragraph


#: The id of a title with no letters or digits at all (`---`, `***`): not a paper.
_NO_TITLE_ID = paper_id("")


class _Collector:
    """Papers in file order, one per title (the first wins), and counts for the notes."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.papers: dict[str, Paper] = {}
        self.repeated = 0
        self.untitled = 0
        self.without_abstract = 0
        self.stray = 0
        self.joined: dict[str, tuple[int, int]] = {}  # id -> paragraphs, characters added

    def add(self, title: str, abstract: str, date: str | None) -> str | None:
        """Add a paper; return its id, or None if it was a repeat or has no real title."""
        key = paper_id(title)
        if key == _NO_TITLE_ID:
            self.untitled += 1
            return None
        if key in self.papers:
            self.repeated += 1
            return None
        self.papers[key] = self._paper(key, title, abstract, date)
        return key

    def extend(self, key: str, more: str) -> None:
        """Append a paragraph too long for a title to a paper's abstract, and remember it: it may
        have been a paper whose title is too long, which the user must hear about."""
        old = self.papers[key]
        self.papers[key] = self._paper(key, old.title, f"{old.abstract} {more}", old.date)
        paragraphs, added = self.joined.get(key, (0, 0))
        self.joined[key] = (paragraphs + 1, added + len(more))

    def _paper(self, key: str, title: str, abstract: str, date: str | None) -> Paper:
        links = tuple(extract_links(abstract))
        return Paper(key, title, abstract, date, github_link(links), links, self.source)

    def notes(self) -> list[str]:
        counts = (
            (self.repeated, "repeated title(s) imported once, keeping the first"),
            (self.without_abstract, "title(s) without an abstract skipped"),
            (self.stray, "paragraph(s) outside any paper skipped"),
            (self.untitled, "paper(s) without a usable title skipped"),
        )
        notes = [f"{self.source}: {count} {what}" for count, what in counts if count]
        return notes + self._joined_notes()

    def _joined_notes(self) -> list[str]:
        """One line per abstract that took in a paragraph where a title was due, naming the paper
        (up to `JOINED_NAMED` of them, so a feed of long abstracts is not a wall of notices)."""
        notes = []
        for key, (paragraphs, added) in list(self.joined.items())[:JOINED_NAMED]:
            what = "a paragraph" if paragraphs == 1 else f"{paragraphs} paragraphs"
            verb = "was" if paragraphs == 1 else "were"
            notes.append(
                f"{self.source}: {what} where a title was due, too long to be one (over "
                f"{TITLE_MAX} characters), {verb} joined to the abstract of "
                f'"{self.papers[key].title}" (+{added:,} characters)'
            )
        rest = sum(paragraphs for paragraphs, _ in list(self.joined.values())[JOINED_NAMED:])
        if rest:
            notes.append(
                f"{self.source}: {rest:,} more paragraph(s) where a title was due, too long to "
                "be one, joined to the abstract before them"
            )
        return notes


def parse_with_notes(text: str, source: str, today: datetime.date) -> tuple[list[Paper], list[str]]:
    """Papers in file order, and notes on what was skipped or cleaned."""
    # Each `in` test costs far less than a replace() that finds nothing in a large feed.
    normalised = text
    if "\r" in normalised:
        normalised = normalised.replace("\r\n", "\n").replace("\r", "\n")
    if "\ufeff" in normalised:
        normalised = normalised.replace("\ufeff", "")
    cleaned = clean_text(normalised, keep_lines=True)
    if "\t" in cleaned:
        cleaned = cleaned.replace("\t", " ")
    tokens = _tokenise(cleaned, today)
    found = _Collector(source)
    date: str | None = None
    title: str | None = None
    current: str | None = None  # the paper a continuation paragraph would extend
    for index, token in enumerate(tokens):
        if isinstance(token, _Separator):
            if title is not None:
                found.without_abstract += 1
            title, current = None, None
            date = token.date or date
        elif title is None:
            if len(token) <= TITLE_MAX:
                title = " ".join(token.split())
            elif current is not None:
                found.extend(current, _join_lines(token))
            else:
                found.stray += 1
        else:
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if (
                _looks_like_title(token)
                and isinstance(following, str)
                and len(following) > TITLE_MAX
            ):
                title = _title_continued(title, " ".join(token.split()), found)
            else:
                current = found.add(title, _join_lines(token), date)
                title = None
    if title is not None:
        found.without_abstract += 1
    notes = found.notes()
    if len(cleaned) != len(normalised):
        notes.append(f"{source}: control characters and terminal escape sequences removed")
    return list(found.papers.values()), notes


def _title_continued(title: str, more: str, found: _Collector) -> str:
    """Two short paragraphs before a long one: one title split by a blank line, if it fits."""
    joined = f"{title} {more}"
    if len(joined) <= TITLE_MAX and not _SEPARATOR_PARAGRAPH.fullmatch(joined):
        return joined
    found.without_abstract += 1
    return more


def parse(text: str, source: str, today: datetime.date) -> list[Paper]:
    """The papers of a Daily Papers feed, in file order, one per title (the first day wins)."""
    return parse_with_notes(text, source, today)[0]
