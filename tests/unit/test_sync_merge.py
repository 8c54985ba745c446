"""The per-field merge (merge.py, lines.py), the raw documents it works on, and the driver git runs.
The rules are those the README's "Several machines" section states."""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
import pytest
from tinydb import TinyDB

from readlist.core.errors import LibraryError
from readlist.core.library.documents import RawLibrary, encode_documents, read_documents
from readlist.core.library.storage import encode_library, read_library, stored_doc
from readlist.core.models import Entry, Paper, PaperState, paper_id
from readlist.core.sync import driver
from readlist.core.sync.lines import merge_lines
from readlist.core.sync.merge import NOTE_SEPARATOR, merge_libraries, merge_note

PATH = Path("library.json")


def entry(
    n: int, seq: int | None = None, added: str = "2024-01-01T00:00:00+00:00", **state: Any
) -> Entry:
    title = f"Paper number {n}"
    paper = Paper(paper_id(title), title, f"Abstract {n}.", date="2024-03-01", source="f.txt")
    return Entry(paper, PaperState(**state), added, n if seq is None else seq)


def raw(*entries: Entry, tables: dict[str, Any] | None = None) -> RawLibrary:
    data = b"".join(encode_library(PATH, list(entries), tables or {}))
    return read_documents(PATH, io.BytesIO(data))


def doc(result_docs: list[bytes], index: int) -> dict[str, Any]:
    value: dict[str, Any] = orjson.loads(result_docs[index])
    return value


def merged(base: RawLibrary, ours: RawLibrary, theirs: RawLibrary) -> list[dict[str, Any]]:
    result = merge_libraries(base, ours, theirs)
    swapped = merge_libraries(base, theirs, ours)
    assert (swapped.ids, swapped.docs) == (result.ids, result.docs), "depends on which is ours"
    return [orjson.loads(d) for d in result.docs]


def test_a_paper_only_one_side_changed_is_taken_as_it_is() -> None:
    base = raw(entry(1), entry(2))
    ours = raw(entry(1, starred=True, note="n", tags=("a",)), entry(2))
    result = merge_libraries(base, ours, base)
    assert result.docs == list(ours.docs.values()) and result.merged_papers == 0


def test_star_on_one_side_and_read_and_note_on_the_other_all_survive() -> None:
    base = raw(entry(1))
    (paper,) = merged(base, raw(entry(1, starred=True)), raw(entry(1, read=True, note="x")))
    assert (paper["starred"], paper["read"], paper["note"]) == (True, True, "x")


def test_yes_no_fields_changed_on_both_sides_agree() -> None:
    base = raw(entry(1, starred=True, read=True))
    (paper,) = merged(base, raw(entry(1, note="a")), raw(entry(1, starred=False, read=False)))
    assert (paper["starred"], paper["read"]) == (False, False)


def test_tags_merge_as_sets_in_base_order_then_alphabetical() -> None:
    base = raw(entry(1, tags=("keep", "drop-a", "drop-b", "also")))
    ours = raw(entry(1, tags=("keep", "drop-b", "also", "zeta", "new")))
    theirs = raw(entry(1, tags=("also", "keep", "drop-a", "alpha", "new")))
    (paper,) = merged(base, ours, theirs)
    assert paper["tags"] == ["keep", "also", "alpha", "new", "zeta"]


def test_links_merge_as_sets() -> None:
    def with_links(*links: str) -> Entry:
        e = entry(1)
        return replace(e, paper=replace(e.paper, links=links))

    base = raw(with_links("https://a", "https://b"))
    ours = raw(with_links("https://a", "https://c"))
    theirs = raw(with_links("https://b", "https://a", "https://d"))
    (paper,) = merged(base, ours, theirs)
    assert paper["links"] == ["https://a", "https://c", "https://d"]


@pytest.mark.parametrize(
    ("base", "ours", "theirs", "expected", "both_kept"),
    [
        ("a\nb\nc\n", "A\nb\nc\n", "a\nb\nC\n", "A\nb\nC\n", False),  # different lines: merged
        ("a\n", "a\nmore\n", "a\nmore\nand more\n", "a\nmore\nand more\n", False),  # contains
        ("old", "", "rewritten", "rewritten", False),  # a cleared note loses to an edit
        ("x", "mine", "yours", f"mine\n\n{NOTE_SEPARATOR}\n\nyours", True),
    ],
)
def test_note_changed_on_both_sides(
    base: str, ours: str, theirs: str, expected: str, both_kept: bool
) -> None:
    assert merge_note(base, ours, theirs) == (expected, both_kept)
    assert merge_note(base, theirs, ours) == (expected, both_kept)


def test_merge_lines_conflicts_only_on_the_same_lines() -> None:
    assert merge_lines("1\n2\n3\n", "1\n2\n3\n4\n", "0\n1\n2\n3\n") == "0\n1\n2\n3\n4\n"
    assert merge_lines("1\n2\n3\n", "1\nX\n3\n", "1\nY\n3\n") is None
    assert merge_lines("1\n2\n3\n", "1\nX\n3\n", "1\nX\n3\n") == "1\nX\n3\n"
    assert merge_lines("", "a\n", "") == "a\n"


def test_a_note_changed_on_both_sides_is_reported() -> None:
    result = merge_libraries(raw(entry(1)), raw(entry(1, note="a")), raw(entry(1, note="b")))
    assert result.reports == [
        f'note of {entry(1).id} "Paper number 1": changed on both sides, both versions kept'
    ]


def content(n: int, **fields: Any) -> Entry:
    e = entry(n)
    return replace(e, paper=replace(e.paper, **fields))


def test_content_changed_on_both_sides_is_chosen_the_same_way_on_every_machine() -> None:
    base = raw(content(1, upvotes=3))
    ours = raw(content(1, title="Paper number 1: the long title", upvotes=10, date="2024-02-01"))
    theirs = raw(content(1, title="Paper number 1!", upvotes=7, date="2024-03-05", doi="10.1/x"))
    (paper,) = merged(base, ours, theirs)
    assert paper["title"] == "Paper number 1: the long title"  # the fuller
    assert paper["upvotes"] == 10  # the larger
    assert paper["date"] == "2024-02-01"  # the earlier
    assert paper["doi"] == "10.1/x"  # one side only


def test_a_paper_added_on_both_sides_is_one_paper_with_both_states() -> None:
    base = raw(entry(1))
    ours = raw(entry(1), entry(2, added="2024-02-02T00:00:00+00:00", starred=True, note="a"))
    theirs = raw(entry(1), entry(2, added="2024-02-01T00:00:00+00:00", read=True, note="b"))
    papers = merged(base, ours, theirs)
    assert len(papers) == 2
    assert papers[1]["starred"] and papers[1]["read"]
    assert papers[1]["added"] == "2024-02-01T00:00:00+00:00"
    assert papers[1]["note"] == f"a\n\n{NOTE_SEPARATOR}\n\nb"


def test_removed_on_one_side() -> None:
    base = raw(entry(1), entry(2), entry(3))
    ours = raw(entry(1), entry(3))  # removed 2
    theirs = raw(entry(1), entry(2, starred=True))  # removed 3, starred 2
    result = merge_libraries(base, ours, theirs)
    assert result.ids == [entry(1).id, entry(2).id]  # 2 was changed: kept; 3 was not: gone
    assert result.reports == [
        f'kept {entry(2).id} "Paper number 2": removed on one side, changed on the other'
    ]
    assert merge_libraries(base, ours, raw(entry(1), entry(3))).ids == [entry(1).id, entry(3).id]


def test_order_is_the_base_then_new_papers_by_added_then_place() -> None:
    base = raw(entry(5, seq=1), entry(4, seq=2))
    ours = raw(
        entry(5, seq=1),
        entry(4, seq=2),
        entry(9, seq=3, added="2024-05"),
        entry(8, seq=4, added="2024-05"),
    )
    theirs = raw(entry(5, seq=1), entry(4, seq=2), entry(7, seq=3, added="2024-04"))
    result = merge_libraries(base, ours, theirs)
    assert result.ids == [entry(n).id for n in (5, 4, 7, 9, 8)]
    data = b"".join(encode_documents(PATH, result.docs, result.other_tables))
    assert [e.seq for e in read_documents_entries(data)] == [1, 2, 3, 4, 5]


def read_documents_entries(data: bytes) -> list[Entry]:
    from readlist.core.library.storage import library_from_document

    return list(library_from_document(PATH, orjson.loads(data)).entries.values())


def test_other_tables_merge_whole() -> None:
    base = raw(tables={"mine": {"1": {"a": 1}}})
    ours = raw(tables={"mine": {"1": {"a": 2}}, "new": {"1": {}}})
    assert merge_libraries(base, ours, base).other_tables == {
        "mine": {"1": {"a": 2}},
        "new": {"1": {}},
    }


# ----------------------------------------------------------------- documents


def test_raw_documents_are_the_stored_documents(tmp_path: Path) -> None:
    entries = [entry(1, starred=True, note='q"uote\n'), entry(2, tags=("x",))]
    data = b"".join(encode_library(PATH, entries, {"t": {"1": {}}}))
    docs = read_documents(PATH, io.BytesIO(data))
    assert docs.docs == {e.id: orjson.dumps(stored_doc(e)) for e in entries}
    assert docs.seqs == {e.id: e.seq for e in entries} and docs.other_tables == {"t": {"1": {}}}
    # A file in another layout (CRLF line ends, TinyDB's own) gives the same documents.
    assert read_documents(PATH, io.BytesIO(data.replace(b"\n", b"\r\n"))).docs == docs.docs
    tinydb_file = tmp_path / "tiny.json"
    db = TinyDB(str(tinydb_file))
    for e in entries:
        db.table("papers").insert(e.to_doc())
    db.close()
    with open(tinydb_file, "rb") as handle:
        assert read_documents(tinydb_file, handle).docs == docs.docs


def test_a_newer_schema_or_a_damaged_file_is_refused() -> None:
    newer = b'{"papers":{\n},"_readlist":{"1":{"schema":99}}}\n'
    with pytest.raises(LibraryError, match="newer readlist"):
        read_documents(PATH, io.BytesIO(newer))
    with pytest.raises(LibraryError):
        read_documents(PATH, io.BytesIO(b'{"papers": [1, 2]}'))
    assert read_documents(PATH, io.BytesIO(b"")).docs == {}  # TinyDB's empty file


# ----------------------------------------------------------------- the driver


def write(path: Path, *entries: Entry) -> Path:
    path.write_bytes(b"".join(encode_library(path, list(entries), {})))
    return path


def test_the_driver_merges_into_ours_and_stock_tinydb_reads_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = write(tmp_path / "base", entry(1), entry(2))
    ours = write(tmp_path / "ours", entry(1, starred=True), entry(2, note="a"))
    theirs = write(tmp_path / "theirs", entry(1, note="t"), entry(2, note="b"), entry(3))
    assert driver.main([str(base), str(ours), str(theirs), "library.json"]) == 0
    db = TinyDB(str(ours), access_mode="r")
    papers = {d["id"]: d for d in db.table("papers").all()}
    db.close()
    assert (
        len(papers) == 3 and papers[entry(1).id]["starred"] and papers[entry(1).id]["note"] == "t"
    )
    assert "both versions kept" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_file_that_is_not_a_library_is_left_as_a_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = write(tmp_path / "base", entry(1))
    ours = write(tmp_path / "ours", entry(1, starred=True))
    theirs = tmp_path / "theirs"
    theirs.write_text('{"papers": {"1": "edited by hand"}}\n', encoding="utf-8")
    assert driver.main([str(base), str(ours), str(theirs), "library.json"]) == 1
    text = ours.read_text(encoding="utf-8")
    assert "<<<<<<<" in text and ">>>>>>>" in text  # for a person to look at, never committed
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "left as a conflict" in err
    with pytest.raises(LibraryError):
        read_library(ours)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_bad_paper_from_one_side_is_never_merged_into_a_clean_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hand edit that keeps the file's layout but breaks one paper (a yes/no as text): the
    merge would take that side's paper as it is; the check of the result refuses it."""
    base = write(tmp_path / "base", entry(1), entry(2))
    ours = write(tmp_path / "ours", entry(1, starred=True), entry(2))
    theirs = write(tmp_path / "theirs", entry(1), entry(2))
    theirs.write_bytes(theirs.read_bytes().replace(b'"read":false', b'"read":"yes"', 1))
    before = ours.read_bytes()
    assert driver.main([str(base), str(ours), str(theirs), "library.json"]) == 1
    assert "'read' is not true/false" in capsys.readouterr().err
    assert ours.read_bytes() != before and b"<<<<<<<" in ours.read_bytes()
