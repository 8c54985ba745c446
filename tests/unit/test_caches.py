"""The entry and index caches: used only while they describe the library file exactly, never
trusted when stale, damaged or foreign, and private like the library."""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Iterable
from pathlib import Path

import pytest
from helpers.synthetic import make_papers
from tinydb import TinyDB

from readlist.core.library import Library, entry_cache
from readlist.core.library.cache_files import cache_path
from readlist.core.library.storage import read_library
from readlist.core.models import Entry, Paper
from readlist.core.search import index as search_index
from readlist.core.search import index_cache, query


@pytest.fixture
def lib_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "data" / "library.json"


def docs(entries: Iterable[Entry]) -> dict[str, dict[str, object]]:
    """Every stored field of each entry, by paper id."""
    return {e.id: e.to_doc() | {"seq": e.seq} for e in entries}


def new_library(path: Path, count: int = 30) -> list[Paper]:
    papers = make_papers(count, github_every=4)
    with Library.open(path) as library:
        library.import_papers(papers, "synthetic.txt")
        library.set_starred(papers[0].id, True)
        library.set_note(papers[1].id, "line one\nline two")
        library.set_tags(papers[2].id, ["rl", "agents"])
    return papers


def test_a_closed_library_reopens_from_its_cache_with_exactly_the_file_content(
    lib_path: Path,
) -> None:
    new_library(lib_path)
    cached = entry_cache.load(lib_path)
    assert cached is not None and cached.cached
    from_file = read_library(lib_path)
    assert docs(cached.entries.values()) == docs(from_file.entries.values())
    assert cached.sig == from_file.sig
    with Library.open(lib_path) as library:
        assert docs(library.entries()) == docs(from_file.entries.values())


def test_a_library_changed_by_another_writer_is_read_from_the_file_not_the_cache(
    lib_path: Path,
) -> None:
    papers = new_library(lib_path)
    assert entry_cache.load(lib_path) is not None
    db = TinyDB(lib_path)  # stock TinyDB rewrites the file: a new mtime and size
    db.table("papers").update({"title": "Edited by hand"}, doc_ids=[1])
    db.close()
    assert entry_cache.load(lib_path) is None
    with Library.open(lib_path) as library:
        assert library.get(papers[0].id).paper.title == "Edited by hand"


@pytest.mark.parametrize("damage", ["cut", "garbage", "empty", "other-format"])
def test_a_damaged_cache_is_ignored(lib_path: Path, damage: str) -> None:
    new_library(lib_path)
    target = cache_path(lib_path, "entries")
    data = target.read_bytes()
    damaged = {
        "cut": data[: len(data) // 2],
        "garbage": data[:40] + b"\xff" * 200 + data[240:],
        "empty": b"",
        "other-format": b"readlist entry cache 0\n" + data[23:],
    }[damage]
    target.write_bytes(damaged)
    assert entry_cache.load(lib_path) is None
    with Library.open(lib_path) as library:
        assert docs(library.entries()) == docs(read_library(lib_path).entries.values())


def test_a_cache_for_another_library_is_not_used(lib_path: Path) -> None:
    new_library(lib_path)
    other = lib_path.with_name("other.json")
    other.write_bytes(lib_path.read_bytes())
    os.utime(other, ns=(lib_path.stat().st_atime_ns, lib_path.stat().st_mtime_ns))
    cache_path(other, "entries").write_bytes(cache_path(lib_path, "entries").read_bytes())
    assert entry_cache.load(other) is None  # it names the first library, and its inode


def test_caches_are_private(lib_path: Path) -> None:
    papers = new_library(lib_path)
    query.clear_cache()
    with Library.open(lib_path) as library:
        query.prepare(library.entries(), cache_key=library.path)
    query.clear_cache()
    assert papers
    folder = cache_path(lib_path, "entries").parent
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for kind in ("entries", "index"):
        assert stat.S_IMODE(cache_path(lib_path, kind).stat().st_mode) == 0o600


def test_the_index_is_reused_and_only_changed_papers_are_tokenised(
    lib_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    papers = new_library(lib_path, count=40)
    tokenised: list[bytes] = []
    real_tokens = search_index._tokens

    def counting(data: bytes) -> list[bytes]:
        tokenised.append(data)
        return real_tokens(data)

    monkeypatch.setattr(search_index, "_tokens", counting)

    def search_all(text: str) -> list[str]:
        with Library.open(lib_path) as library:
            query.clear_cache()
            query.prepare(library.entries(), cache_key=library.path)
            return [e.id for e in query.search(library.entries(), query.parse_query(text))]

    try:
        first = search_all('"paper 12:"')
        assert len(tokenised) >= 40  # the first session indexes every paper
        tokenised.clear()
        assert search_all('"paper 12:"') == first == [papers[12].id]
        assert [t for t in tokenised if b"\n" in t] == []  # no paper tokenised again

        changed = dataclasses.replace(papers[5], abstract="A fresh abstract about quokkas.")
        with Library.open(lib_path) as library:
            library.import_papers([changed], "fix.txt")
        tokenised.clear()
        assert search_all("quokkas") == [changed.id]
        assert len([t for t in tokenised if b"\n" in t]) == 1  # only the changed paper
        assert search_all('"(5)."') == []  # its old abstract is not searched any more
        assert search_all('"(6)."') == [papers[6].id]
    finally:
        query.clear_cache()


def test_a_damaged_index_cache_is_ignored(lib_path: Path) -> None:
    new_library(lib_path)
    with Library.open(lib_path) as library:
        query.clear_cache()
        query.prepare(library.entries(), cache_key=library.path)
        expected = [e.id for e in query.search(library.entries(), query.parse_query("agent"))]
    target = cache_path(lib_path, "index")
    target.write_bytes(target.read_bytes()[:-50])
    assert index_cache.load(lib_path) is None
    try:
        with Library.open(lib_path) as library:
            query.clear_cache()
            query.prepare(library.entries(), cache_key=library.path)
            found = [e.id for e in query.search(library.entries(), query.parse_query("agent"))]
        assert found == expected and expected
    finally:
        query.clear_cache()


def test_searches_before_the_index_is_ready_hold_a_bounded_text_cache_and_find_the_same(
    lib_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the bound (20,000 papers in use; 5 here) texts are lower-cased per search instead of
    held: at 100,000 papers holding them all was ~165 MB, over the memory budget."""
    new_library(lib_path, count=40)
    monkeypatch.setattr(search_index, "_CACHE_TEXTS_UP_TO", 5)
    query.clear_cache()
    try:
        with Library.open(lib_path) as library:
            entries = library.entries()
            for text in ("agent", '"paper 12:"', "-vision (3)", "line two", "rl"):
                parsed = query.parse_query(text)
                expected = [e.id for e in entries if parsed.matches(e)]
                assert [e.id for e in query.search(entries, parsed)] == expected, text
                assert [e.id for e in query.search(entries[:4], parsed)] == expected_in(
                    expected, entries[:4]
                )
            assert len(query._INDEX._texts) <= 5
    finally:
        query.clear_cache()


def expected_in(ids: list[str], entries: list[Entry]) -> list[str]:
    wanted = set(ids)
    return [e.id for e in entries if e.id in wanted]


def test_caches_of_a_deleted_library_are_removed_when_another_is_saved(lib_path: Path) -> None:
    other = lib_path.with_name("other.json")
    new_library(lib_path)
    new_library(other)
    with Library.open(other) as library:
        query.clear_cache()
        query.prepare(library.entries(), cache_key=library.path)
    query.clear_cache()
    folder = cache_path(lib_path, "entries").parent
    stranger = folder / "notes.txt"
    stranger.write_text("not a cache")
    assert cache_path(other, "index").exists()
    other.unlink()
    with Library.open(lib_path) as library:
        library.set_read(library.entries()[0].id, True)  # closing writes a new entry cache
    assert not cache_path(other, "entries").exists()
    assert not cache_path(other, "index").exists()
    assert entry_cache.load(lib_path) is not None
    assert stranger.read_text() == "not a cache"


def test_closing_after_another_writer_never_caches_what_this_process_holds(
    lib_path: Path,
) -> None:
    papers = new_library(lib_path)
    cache_path(lib_path, "entries").unlink()
    library = Library.open(lib_path)  # holds the old title in memory
    db = TinyDB(lib_path)
    db.table("papers").update({"title": "Edited by hand"}, doc_ids=[1])
    db.close()
    library.close()
    cached = entry_cache.load(lib_path)
    assert cached is None or cached.entries[papers[0].id].paper.title == "Edited by hand"
    with Library.open(lib_path) as reopened:
        assert reopened.get(papers[0].id).paper.title == "Edited by hand"
