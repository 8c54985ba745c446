"""Writers that hand papers to the researcher's other tools: notes apps, LaTeX, spreadsheets.

Each writer takes entries in the order to write them and returns the whole text, so the command
line and the app's `x` key share one implementation and a test can check the exact output. The
Markdown checklist is also read back (`read_markdown`), so a list kept in a notes app can be
imported into a fresh library with its stars, read marks, tags and notes.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from readlist.core.links import extract_links, github_link, github_repo_url
from readlist.core.models import DOC_FIELDS, Entry, Paper, PaperState, normalise_tags, paper_id
from readlist.core.text import clean_text

STAR_MARKER = "⭐"
"""Marks a starred paper in the Markdown checklist: `- [ ] ⭐ Title`."""

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


# ----------------------------------------------------------------- JSON


_RAW_CONTROLS = re.compile("[\x7f-\x9f]")


def to_json(entries: Sequence[Entry]) -> str:
    """A JSON array of library documents (exactly `DOC_FIELDS`), as `readlist list --json`.

    Non-ASCII text stays readable; DEL and C1 controls, which json leaves raw and a terminal could
    act on, are written as \\u escapes like the C0 controls.
    """
    text = json.dumps([e.to_doc() for e in entries], ensure_ascii=False, indent=2) + "\n"
    return _RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# ----------------------------------------------------------------- CSV

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    text = "; ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    # A cell starting like a formula would run in a spreadsheet (CSV injection); quote it away.
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(entries: Sequence[Entry]) -> str:
    """RFC 4180 CSV: a header row of `DOC_FIELDS`, one row per paper, CRLF line ends.

    Lists (links, tags) are joined with "; ". A cell that starts with =, +, -, @ gets a leading
    apostrophe so a spreadsheet shows it instead of evaluating it.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(DOC_FIELDS)
    for entry in entries:
        doc = entry.to_doc()
        writer.writerow([_csv_cell(doc[name]) for name in DOC_FIELDS])
    return buffer.getvalue()


# ----------------------------------------------------------------- Markdown

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


# ----------------------------------------------------------------- BibTeX

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_PATTERN = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIAL))
_KEY_STOPWORDS = frozenset({"a", "an", "the", "on", "of", "in", "for", "and", "to", "with", "is"})


def bibtex_escape(text: str) -> str:
    """Text safe inside a BibTeX braced value: LaTeX specials escaped, braces always balanced."""
    flat = " ".join(text.split())
    return _LATEX_PATTERN.sub(lambda m: _LATEX_SPECIAL[m.group(0)], flat)


def citation_key(entry: Entry) -> str:
    """A key that never changes for a paper: first significant title word, year, paper id.

    The id (derived from the title) makes it unique in any export; the word and year make it
    readable: `diffusion2024_3fa2b1c9de`.
    """
    ascii_title = unicodedata.normalize("NFKD", entry.paper.title).encode("ascii", "ignore")
    words = re.findall(r"[a-z0-9]+", ascii_title.decode("ascii").lower())
    word = next((w for w in words if w not in _KEY_STOPWORDS and not w.isdigit()), "paper")
    year = (entry.paper.date or "")[:4]
    return f"{word[:20]}{year if year.isdigit() else ''}_{entry.id}"


def _bib_url(entry: Entry) -> str | None:
    url = entry.paper.github or next(iter(entry.paper.links), None)
    if url is None:
        return None
    # A brace or whitespace would end or unbalance the field; percent-encode them.
    return url.replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def to_bibtex(entries: Sequence[Entry]) -> str:
    """One `@misc` per paper: title, year, month, url (GitHub link, else first link), abstract,
    note, keywords (the tags)."""
    blocks = []
    for entry in entries:
        paper, state = entry.paper, entry.state
        fields: list[tuple[str, str]] = [("title", "{" + bibtex_escape(paper.title) + "}")]
        if paper.date and len(paper.date) >= 7 and paper.date[:4].isdigit():
            fields.append(("year", paper.date[:4]))
            month = paper.date[5:7]
            if month.isdigit() and 1 <= int(month) <= 12:
                fields.append(("month", _MONTHS[int(month) - 1]))
        url = _bib_url(entry)
        if url:
            fields.append(("url", url))
        if paper.abstract.strip():
            fields.append(("abstract", bibtex_escape(paper.abstract)))
        if state.note.strip():
            fields.append(("note", bibtex_escape(state.note)))
        if state.tags:
            fields.append(("keywords", bibtex_escape(", ".join(state.tags))))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        blocks.append(f"@misc{{{citation_key(entry)},\n{body}\n}}\n")
    return "\n".join(blocks)


# ----------------------------------------------------------------- dispatch

FORMATS: dict[str, Callable[[Sequence[Entry]], str]] = {
    "md": to_markdown,
    "bibtex": to_bibtex,
    "csv": to_csv,
    "json": to_json,
}
"""Export format name (as `--format` takes it) -> writer."""

EXTENSIONS = {"md": ".md", "bibtex": ".bib", "csv": ".csv", "json": ".json"}


def export_entries(entries: Sequence[Entry], format_name: str) -> str:
    """The entries written in `format_name` (a key of FORMATS; ValueError otherwise)."""
    try:
        writer = FORMATS[format_name]
    except KeyError:
        known = ", ".join(FORMATS)
        raise ValueError(f"unknown export format {format_name!r}: use {known}") from None
    return writer(entries)
