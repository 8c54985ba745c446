"""Two readlist processes (or two open apps) on one library: nothing lost, changes seen."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import filelock
import orjson
import pytest
from helpers.children import start_child
from helpers.synthetic import make_papers
from tinydb import TinyDB

from readlist.core.library import Library, opening, safe_files, storage
from readlist.core.library import library as store


def new_library(path: Path, count: int = 30) -> list[str]:
    library = Library.open(path)
    library.import_papers(make_papers(count), "synthetic.txt")
    library.close()
    return [p.id for p in make_papers(count)]


def test_two_processes_changing_papers_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    shared, count = ids[20], 120
    own = {"A": ids[0:5], "B": ids[5:10]}
    children = [start_child("hammer", path, name, shared, str(count), *own[name]) for name in own]
    for child in children:
        out, _ = child.communicate(timeout=120)
        assert child.returncode == 0 and json.loads(out)["event"] == "done"

    library = Library.open(path)
    for name, papers in own.items():
        for j, pid in enumerate(papers):
            last = count - len(papers) + j  # the last k that touched this paper
            state = library.get(pid).state
            assert state.starred == (last % 2 == 0), (name, pid)
            assert state.tags == (name.lower(), f"k{last}"), (name, pid)
    assert library.get(shared).state.note in (f"A-{count - 1}", f"B-{count - 1}")
    assert library.pending() == 0  # both closed: everything is in the TinyDB file

    db = TinyDB(path)
    docs = {d["id"]: d for d in db.table("papers").all()}
    db.close()
    assert len(docs) == 30
    for entry in library.entries():
        doc = docs[entry.id]
        assert (doc["starred"], doc["note"], tuple(doc["tags"])) == (
            entry.state.starred,
            entry.state.note,
            entry.state.tags,
        )


def test_an_open_library_sees_another_processs_change_after_refresh(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    library = Library.open(path)
    shown = library.entries()
    version = library.version
    assert library.refresh() is False and library.version == version

    child = start_child("star", path, ids[7])
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ok"
    child.kill()
    child.wait(timeout=10)

    assert library.refresh() is True
    assert library.version > version
    assert library.get(ids[7]).state.starred
    assert next(e for e in library.entries() if e.id == ids[7]).state.starred
    assert not next(e for e in shown if e.id == ids[7]).state.starred  # the old list is intact
    assert library.refresh() is False


def test_refresh_sees_a_compaction_and_an_import_by_someone_else(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    mine, theirs = Library.open(path), Library.open(path)

    theirs.set_note(ids[1], "from the other app")
    theirs.compact()  # the file is replaced and the journal emptied
    assert mine.refresh() is True
    assert mine.get(ids[1]).state.note == "from the other app"

    theirs.import_papers(make_papers(5, start=100), "more.txt")
    assert mine.refresh() is True
    assert len(mine) == 35 and len(mine.entries()) == 35

    theirs.set_tags(ids[2], ["x"])
    assert mine.refresh() is True
    assert mine.get(ids[2]).state.tags == ("x",)
    assert mine.pending() == 1


def test_two_open_apps_merge_changes_per_field_and_the_last_writer_wins(
    tmp_path: Path,
) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    first, second = Library.open(path), Library.open(path)

    first.set_starred(ids[3], True)
    after_second = second.set_read(ids[3], True)  # reads first's star before writing
    assert after_second.state.starred and after_second.state.read

    first.set_note(ids[3], "first's note")
    second.set_note(ids[3], "second's note")
    first.refresh()
    for library in (first, second, Library.open(path)):
        state = library.get(ids[3]).state
        assert (state.starred, state.read, state.note) == (True, True, "second's note")


def test_a_change_waits_for_another_writer_holding_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    library = Library.open(path)
    other_writer = filelock.FileLock(str(path) + ".lock", thread_local=False)
    other_writer.acquire()
    done = threading.Event()

    def star() -> None:
        library.set_starred(ids[0], True)
        done.set()

    worker = threading.Thread(target=star)
    worker.start()
    try:
        time.sleep(0.3)
        assert not done.is_set()
        assert library.refresh() is False  # refresh never blocks the UI for long
    finally:
        other_writer.release()
    worker.join(timeout=10)
    assert done.is_set() and Library.open(path).get(ids[0]).state.starred


def test_the_file_is_valid_json_whenever_another_process_looks(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    child = start_child("hammer", path, "A", ids[20], "150", *ids[:10])
    reads = 0
    while child.poll() is None:
        document = orjson.loads(path.read_bytes())
        assert len(document["papers"]) == 30
        reads += 1
    child.communicate(timeout=60)
    assert child.returncode == 0 and reads > 0


def interleave_with_compaction(
    monkeypatch: pytest.MonkeyPatch, during_write: Callable[[], object]
) -> None:
    """Run `during_write` while a compaction is writing its temp file (no lock held then)."""

    def write_temp_then_interfere(path: Path, pieces: Iterable[bytes]) -> str:
        tmp = safe_files.write_temp(path, pieces)
        during_write()
        return tmp

    monkeypatch.setattr(store, "write_temp", write_temp_then_interfere)


def test_changes_made_while_a_compaction_writes_stay_in_the_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    library, other = Library.open(path), Library.open(path)
    library.set_note(ids[0], "folded")

    def change_meanwhile() -> None:
        library.set_starred(ids[1], True)  # this process, e.g. the UI thread
        other.set_note(ids[2], "from another process")

    interleave_with_compaction(monkeypatch, change_meanwhile)
    library.compact()

    assert library.pending() == 1 and library.get(ids[1]).state.starred
    assert library.refresh() is True and library.get(ids[2]).state.note == "from another process"
    journal = (tmp_path / "library.json.journal").read_bytes().splitlines()
    assert [orjson.loads(line)["id"] for line in journal] == [ids[1], ids[2]]
    db = TinyDB(path)
    note = next(d for d in db.table("papers").all() if d["id"] == ids[0])["note"]
    db.close()
    assert note == "folded"
    other.refresh()
    for reader in (Library.open(path), other):
        state = {pid: reader.get(pid).state for pid in ids[:3]}
        assert state[ids[0]].note == "folded" and state[ids[1]].starred
        assert state[ids[2]].note == "from another process"


def test_a_compaction_overtaken_by_an_import_leaves_the_import_standing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    library, other = Library.open(path), Library.open(path)
    library.set_tags(ids[4], ["kept"])
    interleave_with_compaction(
        monkeypatch, lambda: other.import_papers(make_papers(3, start=500), "new.txt")
    )
    library.compact()
    assert not list(tmp_path.glob(".library.json.*.tmp"))
    reopened = Library.open(path)
    assert len(reopened) == 33 and reopened.get(ids[4]).state.tags == ("kept",)
    assert library.refresh() is True and len(library) == 33


def test_refresh_rereads_a_file_replaced_again_while_it_was_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    mine, theirs = Library.open(path), Library.open(path)
    theirs.set_note(ids[0], "first compaction")
    theirs.compact()
    calls: list[Path] = []

    def read_then_someone_compacts_again(file: Path) -> storage.LoadedFile:
        loaded = storage.read_library(file)
        if not calls:
            theirs.set_note(ids[1], "second compaction")
            theirs.compact()
        calls.append(file)
        return loaded

    monkeypatch.setattr(opening, "read_library", read_then_someone_compacts_again)
    assert mine.refresh() is True
    assert len(calls) == 2  # the parse done before locking was stale, so it read again
    assert mine.get(ids[0]).state.note == "first compaction"
    assert mine.get(ids[1]).state.note == "second compaction"
