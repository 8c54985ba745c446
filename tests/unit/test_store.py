"""The library file: what stock TinyDB sees, import upserts, ordering, ids, state changes."""

from __future__ import annotations

import dataclasses
import json
import stat
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tinydb import TinyDB

from readlist.core.errors import LibraryError
from readlist.core.library import Library, storage
from readlist.core.library.changes import content_unchanged, merge_content
from readlist.core.models import DOC_FIELDS, META_FIELDS, Paper

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helpers"))
from synthetic import make_papers


@pytest.fixture
def lib_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "library.json"


def stock_tinydb_docs(path: Path) -> dict[str, dict[str, object]]:
    """The papers as stock TinyDB reads them, by paper id."""
    db = TinyDB(path)
    try:
        return {doc["id"]: dict(doc) for doc in db.table("papers").all()}
    finally:
        db.close()


def test_stock_tinydb_reads_every_paper_with_exactly_the_library_fields(lib_path: Path) -> None:
    papers = make_papers(12, github_every=3)
    library = Library.open(lib_path)
    library.import_papers(papers, "synthetic.txt")
    first, second = papers[0].id, papers[1].id
    library.set_starred(first, True)
    library.set_note(first, "read §3 first")
    library.set_tags(second, ["RL", " agents ", "rl"])
    library.set_read(second, True)
    library.close()

    docs = stock_tinydb_docs(lib_path)
    assert set(docs) == {p.id for p in papers}
    for paper in papers:
        doc = docs[paper.id]
        # pasted text has none of the source's fields: they are stored only where set
        assert list(doc) == [name for name in DOC_FIELDS if name not in META_FIELDS]
        assert (doc["title"], doc["abstract"], doc["date"]) == (
            paper.title,
            paper.abstract,
            paper.date,
        )
        assert doc["github"] == paper.github
        assert doc["links"] == list(paper.links)
        assert doc["source"] == "synthetic.txt"
        assert datetime.fromisoformat(str(doc["added"])).utcoffset() is not None
    assert docs[first]["starred"] is True and docs[first]["note"] == "read §3 first"
    assert docs[second]["tags"] == ["rl", "agents"] and docs[second]["read"] is True
    assert docs[papers[2].id]["starred"] is False and docs[papers[2].id]["tags"] == []


def test_file_layout_is_a_tinydb_document_with_schema_and_feed_order_doc_ids(
    lib_path: Path,
) -> None:
    library = Library.open(lib_path)
    library.import_papers(make_papers(3), "a.txt")
    library.import_papers(make_papers(2, start=3), "b.txt")
    document = orjson.loads(lib_path.read_bytes())
    assert document["_readlist"] == {"1": {"schema": storage.SCHEMA}}
    assert list(document["papers"]) == ["1", "2", "3", "4", "5"]
    assert [e.seq for e in sorted(library.entries(), key=lambda e: e.seq)] == [1, 2, 3, 4, 5]


def test_reimport_adds_nothing_keeps_state_and_leaves_the_file_alone(lib_path: Path) -> None:
    papers = make_papers(20)
    library = Library.open(lib_path)
    first = library.import_papers(papers, "feed.txt")
    assert (first.total, first.new, first.updated) == (20, 20, 0)
    library.set_starred(papers[5].id, True)
    library.set_note(papers[6].id, "my note")
    library.compact()
    before = lib_path.read_bytes()

    again = library.import_papers(papers, "feed.txt")

    assert (again.source, again.total, again.new, again.updated) == ("feed.txt", 20, 0, 0)
    assert lib_path.read_bytes() == before
    reopened = Library.open(lib_path)
    assert len(reopened) == 20
    assert reopened.get(papers[5].id).state.starred
    assert reopened.get(papers[6].id).state.note == "my note"


def test_reimport_refreshes_a_github_link_that_appeared_later_but_never_state(
    lib_path: Path,
) -> None:
    papers = make_papers(10)
    library = Library.open(lib_path)
    library.import_papers(papers, "monday.txt")
    target = papers[4]
    library.update_state(target.id, starred=True, read=True, note="keep me", tags=["x"])
    entry_before = library.get(target.id)

    link = "https://github.com/someone/code"
    later = dataclasses.replace(
        target,
        abstract=target.abstract + f" Code: {link}",
        github=link,
        links=(link,),
        date="2024-04-30",
        source="tuesday.txt",
    )
    result = library.import_papers([*papers[:4], later, *make_papers(2, start=50)], "tuesday.txt")

    assert (result.total, result.new, result.updated) == (7, 2, 1)
    for reader in (library, Library.open(lib_path)):
        entry = reader.get(target.id)
        assert entry.paper.github == link and entry.paper.links == (link,)
        assert entry.paper.abstract.endswith(link)
        assert entry.paper.date == target.date  # the first day is kept
        assert entry.state == entry_before.state
        assert (entry.added, entry.seq) == (entry_before.added, entry_before.seq)
    assert stock_tinydb_docs(lib_path)[target.id]["github"] == link


def test_a_later_feed_without_the_link_does_not_erase_it(lib_path: Path) -> None:
    with_link = make_papers(3, github_every=1)
    library = Library.open(lib_path)
    library.import_papers(with_link, "a.txt")
    result = library.import_papers([dataclasses.replace(with_link[0], github=None)], "b.txt")
    assert result.updated == 0
    assert library.get(with_link[0].id).paper.github == with_link[0].github


def test_new_papers_get_the_next_feed_places_and_an_added_time(lib_path: Path) -> None:
    library = Library.open(lib_path)
    library.import_papers(make_papers(3), "a.txt")
    library.import_papers(make_papers(4, start=2), "b.txt")
    seqs = {e.paper.title.split(":")[0]: e.seq for e in library.entries()}
    assert seqs["Synthetic paper 5"] == 6 and seqs["Synthetic paper 0"] == 1
    added = datetime.fromisoformat(library.get(make_papers(1, start=5)[0].id).added)
    assert added.utcoffset() == timedelta(0)


def test_entries_are_newest_day_first_undated_last_feed_order_within_a_day(
    lib_path: Path,
) -> None:
    def paper(pid: str, date: str | None) -> Paper:
        return Paper(id=pid, title=f"Title {pid}", abstract="a", date=date)

    feed = [
        paper("aaaa000001", "2024-03-11"),
        paper("aaaa000002", None),
        paper("aaaa000003", "2024-03-12"),
        paper("aaaa000004", "2024-03-11"),
        paper("aaaa000005", "2024-03-12"),
    ]
    library = Library.open(lib_path)
    library.import_papers(feed, "f.txt")
    expected = ["aaaa000003", "aaaa000005", "aaaa000001", "aaaa000004", "aaaa000002"]
    assert [e.id for e in library.entries()] == expected
    assert [e.id for e in Library.open(lib_path).entries()] == expected


def test_resolve_by_unique_prefix(lib_path: Path) -> None:
    library = Library.open(lib_path)
    library.import_papers(
        [
            Paper(id="abcd111111", title="One", abstract="."),
            Paper(id="abcd222222", title="Two", abstract="."),
            Paper(id="ef01234567", title="Three", abstract="."),
        ],
        "f.txt",
    )
    assert library.resolve("ef01").id == "ef01234567"
    assert library.resolve(" ABCD1 ").id == "abcd111111"
    assert library.resolve("abcd222222").id == "abcd222222"
    with pytest.raises(LibraryError, match=r"ambiguous.*abcd111111, abcd222222"):
        library.resolve("abcd")
    with pytest.raises(LibraryError, match="too short"):
        library.resolve("ef0")
    with pytest.raises(LibraryError, match="no paper"):
        library.resolve("9999")


def test_state_changes_return_the_new_entry_and_survive_reopening(lib_path: Path) -> None:
    papers = make_papers(5)
    library = Library.open(lib_path)
    library.import_papers(papers, "f.txt")
    version = library.version
    entry = library.set_starred(papers[0].id, True)
    assert entry.state.starred and library.get(papers[0].id) is entry
    assert library.version > version
    library.set_tags(papers[1].id, ["B", "a", "b", ""])
    library.set_note(papers[2].id, "line one\nline two")
    library.update_state(papers[3].id, read=True, starred=True)
    assert library.pending() == 4

    reopened = Library.open(lib_path)  # no close: the journal is replayed
    assert reopened.get(papers[0].id).state.starred
    assert reopened.get(papers[1].id).state.tags == ("b", "a")
    assert reopened.get(papers[2].id).state.note == "line one\nline two"
    state = reopened.get(papers[3].id).state
    assert state.read and state.starred
    assert reopened.counts().starred == 2 and reopened.counts().unread == 4


def test_bad_state_changes_are_refused_without_writing(lib_path: Path) -> None:
    library = Library.open(lib_path)
    library.import_papers(make_papers(2), "f.txt")
    pid = library.entries()[0].id
    with pytest.raises(ValueError, match="not state fields"):
        library.update_state(pid, title="new title")
    with pytest.raises(TypeError):
        library.set_tags(pid, "not-a-list")
    with pytest.raises(KeyError):
        library.set_starred("0000000000", True)
    assert library.pending() == 0


def test_a_list_from_entries_is_not_changed_under_the_caller(lib_path: Path) -> None:
    papers = make_papers(4)
    library = Library.open(lib_path)
    library.import_papers(papers, "f.txt")
    shown = library.entries()
    snapshot = list(shown)
    library.set_starred(shown[2].id, True)
    assert shown == snapshot
    fresh = library.entries()
    assert fresh[2].state.starred and fresh[2].id == shown[2].id
    assert [e.id for e in fresh] == [e.id for e in shown]


def test_compact_folds_the_journal_into_the_file(lib_path: Path) -> None:
    papers = make_papers(3)
    library = Library.open(lib_path)
    library.import_papers(papers, "f.txt")
    library.set_starred(papers[1].id, True)
    journal = lib_path.with_name("library.json.journal")
    assert journal.stat().st_size > 0
    assert stock_tinydb_docs(lib_path)[papers[1].id]["starred"] is False

    library.compact()

    assert library.pending() == 0 and journal.stat().st_size == 0
    assert stock_tinydb_docs(lib_path)[papers[1].id]["starred"] is True


def test_setters_from_one_thread_while_another_compacts_lose_nothing(lib_path: Path) -> None:
    papers = make_papers(30)
    library = Library.open(lib_path)
    library.import_papers(papers, "f.txt")
    stop = threading.Event()

    def compact_repeatedly() -> None:
        while not stop.is_set():
            library.compact()

    worker = threading.Thread(target=compact_repeatedly)
    worker.start()
    try:
        for k in range(300):
            library.set_note(papers[k % 30].id, f"note {k}")
    finally:
        stop.set()
        worker.join()
    reopened = Library.open(lib_path)
    for i, paper in enumerate(papers):
        assert reopened.get(paper.id).state.note == f"note {270 + i}"


def test_new_library_is_private(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "library.json"
    library = Library.open(path)
    library.import_papers(make_papers(2), "f.txt")
    library.set_starred(library.entries()[0].id, True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for sibling in ("library.json.journal", "library.json.lock"):
        assert stat.S_IMODE((path.parent / sibling).stat().st_mode) == 0o600
    library.compact()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "library.json",
        "library.json.journal",
        "library.json.lock",
    ]


def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    Library.open(folder / "library.json")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert stat.S_IMODE((folder / "library.json").stat().st_mode) == 0o600


def test_a_hand_edited_file_out_of_feed_order_is_read_and_written_in_feed_order(
    lib_path: Path,
) -> None:
    lib_path.parent.mkdir()
    docs = {
        str(seq): {"id": f"id{seq:08d}", "title": f"T{seq}", "abstract": "a", "date": None}
        for seq in (3, 1, 2)
    }
    lib_path.write_bytes(orjson.dumps({"papers": docs}))  # as a user's own TinyDB script might
    library = Library.open(lib_path)
    assert [e.seq for e in library.entries()] == [1, 2, 3]
    library.set_starred("id00000002", True)
    library.compact()
    document = orjson.loads(lib_path.read_bytes())
    assert list(document["papers"]) == ["1", "2", "3"]
    assert document["papers"]["2"]["starred"] is True
    assert list(document["papers"]["2"]) == [n for n in DOC_FIELDS if n not in META_FIELDS]


def test_a_big_library_and_the_users_own_tables_survive_a_rewrite(lib_path: Path) -> None:
    lib_path.parent.mkdir()
    db = TinyDB(lib_path)
    db.table("reading_groups").insert({"name": "Friday club"})
    db.close()
    library = Library.open(lib_path)
    papers = make_papers(4100)  # more than one encoding chunk
    library.import_papers(papers, "big.txt")
    library.set_tags(papers[-1].id, ["last"])
    library.close()

    docs = stock_tinydb_docs(lib_path)
    assert len(docs) == 4100 and docs[papers[-1].id]["tags"] == ["last"]
    db = TinyDB(lib_path)
    assert db.table("reading_groups").all() == [{"name": "Friday club"}]
    db.close()


def test_a_symlinked_library_stays_a_link_to_the_real_file(tmp_path: Path) -> None:
    real = tmp_path / "synced" / "library.json"
    Library.open(real).import_papers(make_papers(2), "a.txt")
    link = tmp_path / "library.json"
    link.symlink_to(real)
    library = Library.open(link)
    library.import_papers(make_papers(2, start=2), "b.txt")
    library.set_starred(library.entries()[0].id, True)
    library.close()
    assert link.is_symlink() and len(stock_tinydb_docs(real)) == 4
    assert not (tmp_path / "library.json.journal").exists()


def test_notes_and_tags_with_any_text_are_saved_exactly(lib_path: Path) -> None:
    """Any text survives, except control characters and escape sequences, which never reach the
    terminal that shows the note later."""
    library = Library.open(lib_path)
    library.import_papers(make_papers(2), "f.txt")
    pid = library.entries()[0].id
    typed = 'line\nnext\r\n\t"quoted" \\ back \u2028 \x00 数学 🙂 [bold]x[/]\x1b[2J'
    note = 'line\nnext\n\t"quoted" \\ back \u2028  数学 🙂 [bold]x[/]'
    library.update_state(pid, note=typed, tags=["数学", "c++", "🙂\x07"])
    library.set_note(library.entries()[1].id, "half a pair \ud83d and one \udc00")
    for reader in (library, Library.open(lib_path)):
        assert reader.get(pid).state.note == note
        assert reader.get(pid).state.tags == ("数学", "c++", "🙂")
        assert reader.entries()[1].state.note == "half a pair \ufffd and one \ufffd"
    library.close()
    assert stock_tinydb_docs(lib_path)[pid]["note"] == note


def test_a_paper_text_that_cannot_be_saved_is_an_error_not_a_crash(lib_path: Path) -> None:
    library = Library.open(lib_path)
    library.import_papers(make_papers(2), "f.txt")
    before = lib_path.read_bytes()
    bad = Paper(id="bad0000001", title="Broken \udc80 title", abstract="x")
    with pytest.raises(LibraryError, match="could not save the library"):
        library.import_papers([bad], "f.txt")
    assert lib_path.read_bytes() == before and len(library) == 2


def test_a_tag_never_holds_a_comma(lib_path: Path) -> None:
    """Commas separate tags in the tags dialog and the exports, so `x,y` is two tags everywhere."""
    library = Library.open(lib_path)
    library.import_papers(make_papers(1), "f.txt")
    pid = library.entries()[0].id
    assert library.set_tags(pid, ["x,y", "Deep  Learning"]).state.tags == (
        "x",
        "y",
        "deep learning",
    )
    library.close()


# ----------------------------------------------------------------- the one-paper-per-line layout


def _written_library(lib_path: Path, count: int = 5) -> Library:
    library = Library.open(lib_path)
    library.import_papers(make_papers(count, github_every=2), "a.txt")
    library.set_tags(make_papers(1)[0].id, ["x", "y"])
    if count > 1:
        library.set_note(make_papers(2)[1].id, "line one\nline two")
    library.close()
    return library


def test_the_file_holds_one_paper_per_line_and_is_one_json_document(lib_path: Path) -> None:
    library = _written_library(lib_path)
    lines = lib_path.read_bytes().split(b"\n")
    assert lines[0] == b'{"papers":{'
    assert [line.split(b":", 1)[0] for line in lines[1:6]] == [b'"%d"' % n for n in range(1, 6)]
    assert lines[6].startswith(b'},"_readlist":') and lines[7] == b""
    document = orjson.loads(lib_path.read_bytes())
    assert [doc["id"] for doc in document["papers"].values()] == [
        e.id for e in sorted(library.entries(), key=lambda e: e.seq)
    ]
    assert set(stock_tinydb_docs(lib_path)) == {e.id for e in library.entries()}


@pytest.mark.parametrize("count", [0, 1, 3])
def test_every_layout_of_the_same_document_reads_the_same(lib_path: Path, count: int) -> None:
    """Line by line, or whole when another program (TinyDB, an editor) wrote the file."""
    library = _written_library(lib_path, count) if count else Library.open(lib_path)
    expected = {e.id: e for e in Library.open(lib_path).entries()}
    assert len(expected) == count
    document = orjson.loads(lib_path.read_bytes())
    for data in (
        orjson.dumps(document),
        orjson.dumps(document, option=orjson.OPT_INDENT_2),
        json.dumps(document, indent=1, ensure_ascii=True).encode(),
    ):
        lib_path.write_bytes(data)
        reopened = Library.open(lib_path)
        assert {e.id: e for e in reopened.entries()} == expected
        assert [e.id for e in reopened.entries()] == [e.id for e in library.entries()]


def test_entries_read_back_equal_the_ones_written(lib_path: Path) -> None:
    library = _written_library(lib_path, 6)
    reopened = Library.open(lib_path)
    for entry in library.entries():
        again = reopened.get(entry.id)
        assert again == entry and hash(again) == hash(entry) and repr(again) == repr(entry)
        assert type(again.paper) is Paper and type(again.paper.links) is tuple
        with pytest.raises(dataclasses.FrozenInstanceError):
            again.paper.title = "changed"  # type: ignore[misc]


def _lines(lib_path: Path) -> list[bytes]:
    return lib_path.read_bytes().split(b"\n")


DAMAGED = {
    "a line cut short": (lambda ls: [*ls[:2], ls[2][:40]], "truncated JSON"),
    "the closing line missing": (lambda ls: ls[:-2], "truncated JSON"),
    "a damaged line": (lambda ls: [ls[0], ls[1], b'"2":{"id": nope},', *ls[3:]], "not JSON"),
    "a trailing comma": (lambda ls: [*ls[:5], ls[5] + b",", *ls[6:]], "not JSON"),
    "a paper with no title": (
        lambda ls: [ls[0], b'"1":{"id":"abc","abstract":"x"},', *ls[2:]],
        "no text 'title'",
    ),
    "the same id twice": (
        lambda ls: [ls[0], ls[1], ls[1].replace(b'"1":', b'"2":', 1), *ls[3:]],
        "appears twice",
    ),
    "a newer schema": (
        lambda ls: [*ls[:-2], b'},"_readlist":{"1":{"schema":%d}}}' % (storage.SCHEMA + 1), b""],
        "newer readlist",
    ),
    "not UTF-8": (
        lambda ls: [ls[0], ls[1].replace(b"Synthetic", b"Synth\xffic"), *ls[2:]],
        "UTF-8",
    ),
}


@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_a_damaged_file_in_the_line_layout_is_refused_naming_it_and_left_alone(
    lib_path: Path, case: str
) -> None:
    _written_library(lib_path)
    damage, reason = DAMAGED[case]
    data = b"\n".join(damage(_lines(lib_path)))
    lib_path.write_bytes(data)
    with pytest.raises(LibraryError) as caught:
        Library.open(lib_path)
    message = str(caught.value)
    assert str(lib_path) in message and reason in message and "\n" not in message
    assert lib_path.read_bytes() == data


def test_lines_out_of_order_or_repeated_doc_ids_read_as_json_says(lib_path: Path) -> None:
    """JSON keeps the last of two equal keys; readlist sorts by document id: both as before."""
    library = _written_library(lib_path)
    ls = _lines(lib_path)
    swapped = [ls[0], ls[2], ls[1], *ls[3:]]
    lib_path.write_bytes(b"\n".join(swapped))
    assert Library.open(lib_path).entries() == library.entries()
    repeated = [ls[0], ls[1], ls[2].replace(b'"2":', b'"1":', 1), *ls[3:]]
    lib_path.write_bytes(b"\n".join(repeated))
    expected = orjson.loads(b"\n".join(repeated))["papers"]
    assert sorted(e.id for e in Library.open(lib_path).entries()) == sorted(
        doc["id"] for doc in expected.values()
    )


def test_the_users_own_tables_in_the_closing_line_are_kept(lib_path: Path) -> None:
    _written_library(lib_path)
    ls = _lines(lib_path)
    ls[-2] = ls[-2][:-1] + b',"groups":{"1":{"name":"Friday"}}}'
    lib_path.write_bytes(b"\n".join(ls))
    library = Library.open(lib_path)
    library.set_starred(library.entries()[0].id, True)
    library.close()
    assert orjson.loads(lib_path.read_bytes())["groups"] == {"1": {"name": "Friday"}}
    assert _lines(lib_path)[0] == b'{"papers":{'


_TEXTS = st.sampled_from(["", "a", "b"])
_MAYBE = st.sampled_from([None, "", "x", "y"])


@settings(max_examples=1500, deadline=None)
@given(
    st.tuples(_TEXTS, _TEXTS, _MAYBE, _MAYBE, st.sampled_from([(), ("u",)]), _TEXTS),
    st.tuples(_TEXTS, _TEXTS, _MAYBE, _MAYBE, st.sampled_from([(), ("u",)]), _TEXTS),
)
def test_content_unchanged_is_exactly_merge_content_changing_nothing(
    old_fields: tuple[Any, ...], new_fields: tuple[Any, ...]
) -> None:
    old, new = (Paper("id", *fields) for fields in (old_fields, new_fields))
    assert content_unchanged(old, new) == (merge_content(old, new) == old)


def test_a_file_readlist_wrote_is_read_line_by_line_not_whole(
    lib_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole-document reader holds the file's bytes and its decoded document at once (a
    677 MB peak for 100,000 papers): readlist's own files must never need it."""
    library = _written_library(lib_path, 4100)  # more than one encoding chunk
    expected = library.entries()

    def whole_document(path: Path, data: bytes) -> object:
        raise AssertionError("read whole")

    monkeypatch.setattr(storage, "decode_library", whole_document)
    assert Library.open(lib_path).entries() == expected
    lib_path.write_bytes(orjson.dumps(orjson.loads(lib_path.read_bytes())))
    with pytest.raises(AssertionError, match="read whole"):
        Library.open(lib_path)
