"""Exports as the researcher's other tools read them: bibtexparser, the csv module, json."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from bibtexparser.entrypoint import parse_string
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from pylatexenc.latex2text import LatexNodes2Text  # type: ignore[import-untyped]

from readlist.cli import main
from readlist.core.formats.bibtex import citation_key, to_bibtex
from readlist.core.formats.csv_table import to_csv
from readlist.core.formats.export import FORMATS, export_entries
from readlist.core.formats.json_list import to_json
from readlist.core.formats.markdown import read_markdown, to_markdown
from readlist.core.library.changes import clean_state_fields
from readlist.core.models import DOC_FIELDS, Entry, Paper, PaperState, normalise_tags, paper_id

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_feed.txt"

HOSTILE_TITLES = [
    "Plain Title: A Study",
    "100% of {Braces} & $Money$ #1 under_score ~tilde^ caret \\backslash",
    "Unbalanced } brace { here }}",
    "Ünïcödé — “quotes” and 漢字 and emoji 🚀",
    '=HYPERLINK("http://evil") formula',
    'Commas, "quotes", and\nnewlines',
    "[bold]Rich[/] *markdown* `code` <b>html</b> | pipe",
]


def make(title: str, **state: object) -> Entry:
    paper = Paper(
        paper_id(title),
        title,
        "Abstract with 50% {odd} text & a link https://example.org/x_y.",
        "2024-03-12",
        "https://github.com/owner/repo",
        ("https://github.com/owner/repo", "https://example.org/x_y"),
        "feed.txt",
    )
    return Entry(paper, PaperState(**state), "2024-03-12T10:00:00+00:00", 1)  # type: ignore[arg-type]


ENTRIES = [
    make(title, starred=i % 2 == 0, read=i % 3 == 0, note=f"note {i}\nline two", tags=("ml", "x y"))
    for i, title in enumerate(HOSTILE_TITLES)
]


def latex_to_text(value: str) -> str:
    """What LaTeX would print; pylatexenc renders \\textasciicircum as U+02C6, LaTeX as ^."""
    text = str(LatexNodes2Text().latex_to_text(value)).replace("\u02c6", "^")
    return " ".join(text.split())


def test_bibtex_parses_back_with_every_title() -> None:
    library = parse_string(to_bibtex(ENTRIES))
    assert library.failed_blocks == []
    assert len(library.entries) == len(ENTRIES)
    for parsed, entry in zip(library.entries, ENTRIES, strict=True):
        assert parsed.entry_type == "misc"
        assert parsed.key == citation_key(entry)
        title = parsed.fields_dict["title"].value
        assert latex_to_text(title) == " ".join(entry.paper.title.split())
        assert parsed.fields_dict["year"].value == "2024"
        assert parsed.fields_dict["month"].value == "mar"
        assert parsed.fields_dict["url"].value == "https://github.com/owner/repo"
        assert latex_to_text(parsed.fields_dict["keywords"].value) == "ml, x y"
        assert latex_to_text(parsed.fields_dict["note"].value) == " ".join(entry.state.note.split())


def test_bibtex_keys_are_stable_unique_and_plain() -> None:
    keys = [citation_key(e) for e in ENTRIES]
    assert len(set(keys)) == len(keys)
    assert keys[0] == f"plain2024_{ENTRIES[0].id}"
    assert all(k.replace("_", "").isalnum() and k.isascii() for k in keys)
    renamed = ENTRIES[0].with_state(starred=False, note="changed", tags=["new"])
    assert citation_key(renamed) == keys[0]


def test_bibtex_without_date_or_links() -> None:
    bare = Entry(Paper(paper_id("The Bare Paper"), "The Bare Paper", ""), PaperState())
    (parsed,) = parse_string(to_bibtex([bare])).entries
    assert parsed.key == f"bare_{bare.id}"
    assert set(parsed.fields_dict) == {"title"}


def test_csv_is_rfc4180_and_reads_back() -> None:
    text = to_csv(ENTRIES)
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == DOC_FIELDS
    assert len(rows) == len(ENTRIES) + 1
    for row, entry in zip(rows[1:], ENTRIES, strict=True):
        record = dict(zip(DOC_FIELDS, row, strict=True))
        expected_title = entry.paper.title
        if expected_title.startswith("="):
            expected_title = "'" + expected_title  # never a live spreadsheet formula
        assert record["title"] == expected_title
        assert record["note"] == entry.state.note
        assert record["starred"] == ("true" if entry.state.starred else "false")
        assert record["tags"] == "ml; x y"


def test_json_is_the_list_json_documents() -> None:
    docs = json.loads(to_json(ENTRIES))
    assert docs == [e.to_doc() for e in ENTRIES]
    assert all(tuple(d) == DOC_FIELDS for d in docs)


def test_json_never_writes_raw_terminal_controls() -> None:
    title = "Title \x1b]52;c;ZXZpbA==\x07 \x9b2J \x7f é"
    entry = Entry(Paper(paper_id(title), title, ""), PaperState())
    text = to_json([entry])
    assert not any((ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F for c in text)
    assert "é" in text
    assert json.loads(text)[0]["title"] == title


def test_markdown_checklist() -> None:
    text = to_markdown(ENTRIES[:2])
    lines = text.splitlines()
    assert lines[0] == "# readlist: 2 papers"
    first, second = ENTRIES[0], ENTRIES[1]
    assert f"- [x] ⭐ {first.paper.title}" in lines  # read and starred
    assert "  - Code: <https://github.com/owner/repo>" in lines
    assert "  - Date: 2024-03-12" in lines
    assert "  - Tags: ml, x y" in lines
    note = lines.index("  - Note:")
    assert lines[note + 1 : note + 4] == ["", "    note 0", "    line two"]
    assert any(line.startswith("- [ ] ") and "Braces" in line for line in lines)
    assert second.state.read is False


def test_markdown_escapes_markup_in_titles() -> None:
    entry = ENTRIES[-1]
    text = to_markdown([entry])
    assert "\\[bold\\]Rich\\[/\\] \\*markdown\\* \\`code\\` \\<b\\>html\\</b\\> \\| pipe" in text


def test_unknown_format_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        export_entries(ENTRIES, "docx")
    assert set(FORMATS) == {"md", "bibtex", "csv", "json"}


# ----------------------------------------------------------------- the export subcommand


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "library.json"
    assert main(["import", "--db", str(path), str(SAMPLE)]) == 0
    capsys.readouterr()
    return path


def test_export_bibtex_to_file_has_every_sample_paper(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "papers.bib"
    assert main(["export", "--db", str(db), "--format", "bibtex", "-o", str(out)]) == 0
    library = parse_string(out.read_text(encoding="utf-8"))
    assert library.failed_blocks == []
    assert len(library.entries) == 86
    assert len({e.key for e in library.entries}) == 86


def test_export_query_to_stdout_as_a_subprocess(db: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "readlist", "export", "--db", str(db), "-f", "csv", "has:code"],
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout.decode("utf-8"), newline="")))
    assert len(rows) == 19
    assert all(row["github"].startswith("https://github.com/") for row in rows)


def test_export_errors_exit_2(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--db", str(db), "-f", "md", "is:bogus"]) == 2
    assert capsys.readouterr().err.startswith("readlist: is:bogus")
    missing = tmp_path / "no" / "such" / "folder" / "x.md"
    assert main(["export", "--db", str(db), "-f", "md", "-o", str(missing)]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert main(["export", "--db", str(db), "-f", "docx"]) == 2


# ----------------------------------------------------------------- Markdown read back


def test_markdown_reads_back_the_same_papers_and_state() -> None:
    entries = [
        *ENTRIES,
        Entry(Paper(paper_id("No Extras"), "No Extras", "Just words."), PaperState()),
    ]
    found = read_markdown(to_markdown(entries), "list.md")
    assert len(found) == len(entries)
    for (paper, state), entry in zip(found, entries, strict=True):
        assert paper.id == entry.id
        assert paper.title == " ".join(entry.paper.title.split())
        assert paper.abstract == entry.paper.abstract
        assert (paper.date, paper.github) == (entry.paper.date, entry.paper.github)
        assert state == entry.state
        assert paper.source == "list.md"


def test_markdown_title_starting_with_the_star_marker() -> None:
    title = "⭐ Stars: A Survey"
    unstarred = Entry(Paper(paper_id(title), title, ""), PaperState())
    starred = unstarred.with_state(starred=True)
    for entry in (unstarred, starred):
        ((paper, state),) = read_markdown(to_markdown([entry]), "list.md")
        assert (paper.title, state.starred) == (title, entry.state.starred)


def test_markdown_keeps_blank_lines_inside_a_note() -> None:
    entry = ENTRIES[0].with_state(note="first paragraph\n\nsecond, with [brackets]")
    ((_, state),) = read_markdown(to_markdown([entry]), "list.md")
    assert state.note == entry.state.note


def test_markdown_edited_by_hand_still_reads() -> None:
    text = (
        "# readlist: 2 papers\n\nSome words I added.\n\n"
        "- [X] ⭐ Edited Paper\n  - Tags: a, b\n  - Something else: ignored\n"
        "- [ ] Second \\*Paper\\*\n  - Date: not a date\n"
    )
    (first, first_state), (second, second_state) = read_markdown(text, "notes.md")
    assert (first.title, first_state.read, first_state.starred) == ("Edited Paper", True, True)
    assert first_state.tags == ("a", "b")
    assert (second.title, second.date, second_state.read) == ("Second *Paper*", None, False)


def test_markdown_import_into_a_fresh_library_restores_state(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["list", "--db", str(db), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)[3]["id"]
    for args in (["--star", "--tag", "to read"], ["--read", "--note", "line one\nline two"]):
        assert main(["set", "--db", str(db), first, *args]) == 0
    listing = tmp_path / "list.md"
    assert main(["export", "--db", str(db), "-f", "md", "-o", str(listing)]) == 0
    fresh = tmp_path / "fresh.json"
    capsys.readouterr()
    assert main(["import", "--db", str(fresh), str(listing)]) == 0
    assert capsys.readouterr().out == (
        "list.md: 86 papers, 86 new, 0 updated, state restored for 1\n"
    )
    keep = ("id", "title", "abstract", "date", "github", "links", "starred", "read", "note", "tags")
    views = []
    for path in (db, fresh):
        assert main(["list", "--db", str(path), "--json"]) == 0
        views.append([{k: d[k] for k in keep} for d in json.loads(capsys.readouterr().out)])
    assert views[0] == views[1]


# Text as a user or a feed may hold it: printable characters (controls are removed on import).
PRINTABLE_CHARS = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
PRINTABLE = st.text(PRINTABLE_CHARS, min_size=1, max_size=40)

#: Lines that look like Markdown, or like the export's own structure, as a note may hold them.
MARKDOWNISH = [
    *("- [x] Foo", "- [ ] ⭐ Bar", "- [X] baz", "* item", "1. first", "  - Note: x", "  - Note:"),
    *("  - Tags: a, b", "  - Abstract: y", "  - Code: <https://github.com/o/r>", "Note: n"),
    *("Tags: t", "Abstract: a", "```", "```python", "~~~", "~~~~", "# readlist: 2 papers"),
    *("# Heading", "## Sub", "**bold** and `code`", "> quote", "---", "===", "<!-- open"),
    *("\\*escaped\\*", "    indented code", "        deeper", "\tTabbed", "trailing  ", "", " "),
    *("    ", "\t", "\u2028", "\ufeff"),
]
NOTE_TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), whitelist_characters="\t"), max_size=30
)
NOTE_LINE = st.one_of(
    st.sampled_from(MARKDOWNISH),
    NOTE_TEXT,
    st.tuples(st.sampled_from(MARKDOWNISH), NOTE_TEXT).map("".join),
    st.tuples(st.sampled_from(["", " ", "  ", "    ", "\t", "  - ", "- [ ] "]), NOTE_TEXT).map(
        "".join
    ),
)
#: A note as the app stores it (`clean_state_fields`): any lines, nothing stripped.
NOTE = st.lists(NOTE_LINE, max_size=8).map(
    lambda lines: clean_state_fields({"note": "\n".join(lines)})["note"]
)


@settings(max_examples=300, deadline=None)
@given(
    title=PRINTABLE.filter(lambda t: t.strip()),
    note=NOTE,
    next_note=NOTE,
    tags=st.lists(PRINTABLE, max_size=3),
    starred=st.booleans(),
    read=st.booleans(),
)
def test_markdown_round_trip_property(
    title: str, note: str, next_note: str, tags: list[str], starred: bool, read: bool
) -> None:
    entry = Entry(
        Paper(paper_id(title), title, "An abstract.", "2024-03-12"),
        PaperState(starred, read, note, normalise_tags(tags)),
    )
    after = Entry(Paper(paper_id("Next"), "Next", "Its abstract."), PaperState(note=next_note))
    text = to_markdown([entry, after])
    ((paper, state), (next_paper, next_state)) = read_markdown(text, "list.md")
    # A notes app too sees two papers: nothing in a note ends its item or starts another.
    tokens = MarkdownIt("commonmark").parse(text)
    assert sum(t.type == "list_item_open" and t.level == 1 for t in tokens) == 2
    assert paper.title == " ".join(title.split())
    assert paper.id == entry.id
    assert (state.starred, state.read, state.tags) == (starred, read, entry.state.tags)
    assert state.note == note  # exactly: blank lines, indents, trailing spaces and tabs
    assert (paper.abstract, paper.date) == ("An abstract.", "2024-03-12")
    assert (next_paper.title, next_paper.abstract) == ("Next", "Its abstract.")
    assert next_state == after.state


def test_markdown_keeps_a_note_line_break_of_two_trailing_spaces() -> None:
    entry = ENTRIES[0].with_state(note="first line  \nsecond line  \nthird\twith a tab\t\nlast")
    ((_, state),) = read_markdown(to_markdown([entry]), "list.md")
    assert state.note == entry.state.note
