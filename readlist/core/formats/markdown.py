"""The Markdown checklist: written for notes apps and read back by `readlist import`.

A list kept in a notes app can be imported into a fresh library with its stars, read marks,
tags and notes. One-line fields are escaped so they show as written; a note is the user's own
Markdown, so it is written as Markdown and renders as such inside its item.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from readlist.core.links import extract_links, github_link, github_repo_url
from readlist.core.models import Entry, Paper, PaperState, normalise_tags, paper_id
from readlist.core.text import clean_text

STAR_MARKER = "⭐"
"""Marks a starred paper in the Markdown checklist: `- [ ] ⭐ Title`."""

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def md_escape(text: str) -> str:
    """Backslash-escape Markdown syntax so a title shows as written (undo: drop each `\\`)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


NOTE_INDENT = "    "
"""What every line of a note is written after: the content column of the `  - Note:` item."""


def _note_block(note: str) -> list[str]:
    """The note as Markdown inside its `  - Note:` item, so a notes app renders it there.

    `  - Note:`, one empty line, then every line of the note (blank ones too) after
    `NOTE_INDENT`, exactly as stored: no escaping, trailing spaces and tabs kept. Four spaces is
    the content column of `  - Note:` in CommonMark, so the note's headings, lists, code spans and
    fences render inside the item, and a line the user indented by four more is indented code there
    as it would be on its own. The empty line starts the note as a new block: without it a first
    line `---` would turn `Note:` into a heading, and a first paragraph would join `Note:`'s. A
    blank note line is written as `NOTE_INDENT` alone, so it differs from that empty line and the
    reader restores leading and trailing blank lines. Lines are split on `\\n` only: a stored note
    holds no `\\r` (`clean_text`), and CommonMark breaks lines at nothing else.
    """
    return ["  - Note:", "", *(NOTE_INDENT + line for line in note.split("\n"))]


def to_markdown(entries: Sequence[Entry]) -> str:
    """A checklist: `- [x] Title` (read) / `- [ ] ⭐ Title` (starred), details indented below.

    Below each item, in this order and only when present: `Code:`, `Date:`, `Tags:` (comma
    separated, commas inside a tag escaped as `\\,`), `Note:`, `Abstract:`. Markdown syntax in
    titles, tags and abstracts is backslash-escaped; the note is not (see `_note_block`).
    """
    noun = "paper" if len(entries) == 1 else "papers"
    lines = [f"{MARKDOWN_HEADER} {len(entries)} {noun}", ""]
    for entry in entries:
        paper, state = entry.paper, entry.state
        box = "[x]" if state.read else "[ ]"
        star = f"{STAR_MARKER} " if state.starred else ""
        title = md_escape(" ".join(paper.title.split()))
        if title.startswith(STAR_MARKER):
            title = "\\" + title  # a title's own star is not the starred marker
        lines.append(f"- {box} {star}{title}")
        if paper.github:
            lines.append(f"  - Code: <{paper.github}>")
        if paper.date:
            lines.append(f"  - Date: {paper.date}")
        if state.tags:
            tags = ", ".join(md_escape(t).replace(",", "\\,") for t in state.tags)
            lines.append(f"  - Tags: {tags}")
        if state.note:
            lines.extend(_note_block(state.note))
        if paper.abstract.strip():
            lines.append(f"  - Abstract: {md_escape(' '.join(paper.abstract.split()))}")
    return "\n".join(lines) + "\n"


MARKDOWN_HEADER = "# readlist:"
"""The first line of a Markdown export; `is_markdown_export` looks for it."""

_ITEM = re.compile(r"^- \[(?P<box>[ xX])\] (?P<title>.*)$")
_DETAIL = re.compile(r"^  - (?P<name>Code|Date|Tags|Note|Abstract):(?: (?P<value>.*))?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def is_markdown_export(text: str) -> bool:
    """True when `text` starts like a `to_markdown` export (a BOM and blank lines allowed)."""
    return text.lstrip("\ufeff \t\r\n").startswith(MARKDOWN_HEADER)


def _unescape_split(text: str, separator: str | None = None) -> list[str]:
    """Drop Markdown backslash escapes; split on unescaped `separator` if given."""
    parts: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            current.append(text[i + 1])
            i += 2
            continue
        if separator is not None and char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    parts.append("".join(current))
    return parts


def _md_text(text: str) -> str:
    return " ".join(clean_text(_unescape_split(text)[0]).split())


@dataclass
class _Note:
    """The lines of one note while they are read (`read_markdown` says which lines belong)."""

    escaped: bool
    lines: list[str] = field(default_factory=list)
    gap: int = 0  # blank lines without the indent: note lines only if a note line follows

    def take(self, raw: str) -> bool:
        """Add `raw` to the note if it belongs there; False if the note ended before it."""
        if raw.startswith(NOTE_INDENT):
            body = raw[len(NOTE_INDENT) :]
            if self.lines:
                self.lines.extend([""] * self.gap)
            self.gap = 0
            self.lines.append(_unescape_split(body)[0] if self.escaped else body)
            return True
        if not raw.strip(" \t"):
            self.gap += 1
            return True
        return False

    def text(self) -> str:
        note = "\n".join(self.lines)
        return clean_text(note.strip() if self.escaped else note, keep_lines=True)


@dataclass
class _Item:
    """One checklist item while it is being read."""

    title: str
    read: bool
    starred: bool
    code: str = ""
    date: str | None = None
    tags: list[str] = field(default_factory=list)
    note: _Note | None = None
    abstract: str = ""

    def paper_and_state(self, source: str) -> tuple[Paper, PaperState]:
        links = extract_links(self.abstract)
        github = github_repo_url(self.code) if self.code else github_link(links)
        if github and github not in links:
            links.insert(0, github)
        paper = Paper(
            paper_id(self.title), self.title, self.abstract, self.date, github, tuple(links), source
        )
        note = self.note.text() if self.note else ""
        state = PaperState(self.starred, self.read, note, normalise_tags(self.tags))
        return paper, state


def _start_item(title: str, box: str) -> _Item:
    starred = title.startswith(STAR_MARKER + " ")
    if starred:
        title = title[len(STAR_MARKER) + 1 :]
    return _Item(title=_md_text(title), read=box != " ", starred=starred)


def _read_detail(item: _Item, name: str, value: str) -> None:
    if name == "Code":
        item.code = value.strip().strip("<>")
    elif name == "Date" and _DATE.match(value.strip()):
        item.date = value.strip()
    elif name == "Tags":
        item.tags = [tag.strip() for tag in _unescape_split(value, ",")]
    elif name == "Abstract":
        item.abstract = _md_text(value)


def _lines(text: str) -> list[str]:
    """The file's lines, broken where CommonMark breaks them (`\\n`, `\\r\\n`, `\\r`) and nowhere
    else, so a note's U+2028 stays inside its line."""
    text = text.lstrip("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def read_markdown(text: str, source: str) -> list[tuple[Paper, PaperState]]:
    """Papers and their state from a `to_markdown` checklist; items without a title are skipped.

    Lines the format does not know are ignored, so a list edited in a notes app still reads.
    A note comes in one of two forms, told apart by the `Note:` line. With nothing after the
    colon, it is the current form (`_note_block`): each following line that starts with
    `NOTE_INDENT` is a note line, taken as written after the indent, until a line that is neither
    so indented nor blank; so no note line can be taken for an item or a detail. Blank lines
    without the indent (an editor may trim `NOTE_INDENT` off a blank line) are blank note lines
    between note lines and dropped at either end. With text after the colon, it is the form
    written before notes stayed Markdown: that text is the first line, then lines indented by four
    spaces or empty, all backslash-escaped, the whole note stripped; the current form never puts
    text there, so the two cannot be confused.
    """
    items: list[_Item] = []
    note: _Note | None = None
    for raw in _lines(text):
        if note is not None and note.take(raw):
            continue
        note = None
        line = raw.rstrip()
        start = _ITEM.match(line)
        if start:
            items.append(_start_item(start.group("title"), start.group("box")))
            continue
        if not items:
            continue
        detail = _DETAIL.match(raw) or _DETAIL.match(line)
        if detail is None:
            continue
        name, value = detail.group("name"), detail.group("value") or ""
        if name != "Note":
            _read_detail(items[-1], name, value)
            continue
        note = _Note(escaped=bool(value.strip()))
        if note.escaped:
            note.lines.append(_unescape_split(value)[0])
        items[-1].note = note
    return [item.paper_and_state(source) for item in items if item.title]
