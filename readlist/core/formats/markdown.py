"""The Markdown checklist: written for notes apps and read back by `readlist import`.

A list kept in a notes app can be imported into a fresh library with its stars, read marks,
tags and notes.
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


def to_markdown(entries: Sequence[Entry]) -> str:
    """A checklist: `- [x] Title` (read) / `- [ ] ⭐ Title` (starred), details indented below.

    Below each item, in this order and only when present: `Code:`, `Date:`, `Tags:` (comma
    separated, commas inside a tag escaped as `\\,`), `Note:` (continuation lines indented by four
    spaces), `Abstract:`. Markdown syntax in the text is backslash-escaped.
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
        if state.note.strip():
            # Lines keep their trailing spaces: two of them are a Markdown line break.
            note_lines = [md_escape(line) for line in state.note.strip().splitlines()]
            lines.append(f"  - Note: {note_lines[0]}")
            lines.extend(f"    {line}" if line else "" for line in note_lines[1:])
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
    return clean_text(_unescape_split(text)[0]).strip()


@dataclass
class _Item:
    """One checklist item while it is being read."""

    title: str
    read: bool
    starred: bool
    code: str = ""
    date: str | None = None
    tags: list[str] = field(default_factory=list)
    note: list[str] = field(default_factory=list)
    abstract: str = ""

    def paper_and_state(self, source: str) -> tuple[Paper, PaperState]:
        links = extract_links(self.abstract)
        github = github_repo_url(self.code) if self.code else github_link(links)
        if github and github not in links:
            links.insert(0, github)
        paper = Paper(
            paper_id(self.title), self.title, self.abstract, self.date, github, tuple(links), source
        )
        note = clean_text("\n".join(self.note).strip(), keep_lines=True)
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
    elif name == "Note":
        item.note = [_unescape_split(value)[0]]
    elif name == "Abstract":
        item.abstract = _md_text(value)


def read_markdown(text: str, source: str) -> list[tuple[Paper, PaperState]]:
    """Papers and their state from a `to_markdown` checklist; items without a title are skipped.

    Lines the format does not know are ignored, so a list edited in a notes app still reads.
    """
    items: list[_Item] = []
    in_note = False
    for raw in text.lstrip("\ufeff").splitlines():
        line = raw.rstrip()  # but a note's lines keep their trailing spaces (a line break)
        start = _ITEM.match(line)
        if start:
            items.append(_start_item(start.group("title"), start.group("box")))
            in_note = False
            continue
        if not items:
            continue
        detail = _DETAIL.match(raw) or _DETAIL.match(line)
        if detail:
            in_note = detail.group("name") == "Note"
            _read_detail(items[-1], detail.group("name"), detail.group("value") or "")
        elif in_note and (line.startswith("    ") or not line):
            items[-1].note.append(_unescape_split(raw[4:] if line else "")[0])
        else:
            in_note = False
    return [item.paper_and_state(source) for item in items if item.title]
