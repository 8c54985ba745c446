"""The entry and index caches: used only while they describe the library file exactly, never
trusted when stale, damaged or foreign, and private like the library."""

from __future__ import annotations

import dataclasses
import os
import stat
import time
from collections.abc import Iterable
from pathlib import Path

import pytest
from helpers.indexes import save_index
from helpers.synthetic import make_papers
from tinydb import TinyDB

from readlist.core.library import Library, entry_cache
from readlist.core.library.cache_files import cache_path
from readlist.core.library.storage import read_library
from readlist.core.models import Entry, Paper
from readlist.core.search import index as search_index
from readlist.core.search import index_cache, query, ranking
from readlist.core.search import rows as rows_module


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


def count_tokenising(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every text the index tokenises from now on, in order (the cache's whole point is to
    tokenise only what changed)."""
    tokenised: list[bytes] = []
    real_tokens = search_index._tokens

    def counting(data: bytes) -> list[bytes]:
        tokenised.append(data)
        return real_tokens(data)

    monkeypatch.setattr(search_index, "_tokens", counting)
    return tokenised


def test_the_index_is_reused_and_only_changed_papers_are_tokenised(
    lib_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    papers = new_library(lib_path, count=40)
    tokenised = count_tokenising(monkeypatch)

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


def test_a_search_waiting_for_the_saved_index_runs_before_the_rest_of_the_warm_up(
    lib_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the saved index is in, a search the user typed meanwhile runs first: the warm-up's
    next steps (looking every paper up, building the whole list's rows: ~0.1 s at 100,000
    papers) wait until searches have been quiet for a moment. Run at once, they held the GIL
    through the first search and made it 2-4 times slower."""
    new_library(lib_path, count=40)
    steps: list[tuple[str, float]] = []
    try:
        save_index(lib_path)
        with Library.open(lib_path) as library:
            index = query.search_index()
            real_records = index.records

            def records(papers: list[Paper]) -> list[search_index.Record | None]:
                steps.append(("records", time.monotonic()))
                return real_records(papers)

            def loaded() -> None:
                index.busy()  # what the app's search does while it waits for the load
                steps.append(("loaded", time.monotonic()))

            monkeypatch.setattr(index, "records", records)
            query.prepare(library.entries(), cache_key=library.path, loaded=loaded)
    finally:
        query.clear_cache()
    names = [name for name, _ in steps]
    assert names[0] == "loaded" and "records" in names
    after = next(at for name, at in steps if name == "records")
    assert after - steps[0][1] >= search_index._BACK_OFF_S * 0.9


@pytest.mark.parametrize("since", ["nothing", "a change, saved again", "an import"])
def test_rows_of_the_library_slices_come_from_the_loaded_index_as_saved(
    lib_path: Path, monkeypatch: pytest.MonkeyPatch, since: str
) -> None:
    """The app's first search waits for the rows of the library's slices: they take the
    loaded index's token strings in the library's order (no lookup a paper), papers new or
    changed since it was saved being not indexed yet. They are the rows a lookup builds, and
    searches through them find what the definition finds. The index is saved in the
    library's order, so a session after a change takes them so too."""
    papers = new_library(lib_path, count=40)
    edited = dataclasses.replace(papers[7], abstract="A fresh abstract about quokkas.")
    looked_up: list[int] = []
    try:
        with Library.open(lib_path) as library:
            query.clear_cache()
            query.prepare(library.entries(), cache_key=library.path)  # saves the index
        if since != "nothing":
            with Library.open(lib_path) as library:
                library.import_papers([edited, *make_papers(6, start=40)], "fix.txt")
        if since == "a change, saved again":
            with Library.open(lib_path) as library:
                query.clear_cache()
                query.prepare(library.entries(), cache_key=library.path)
        with Library.open(lib_path) as library:
            query.clear_cache()
            index = query.search_index()
            real_records = index.records

            def records(papers: list[Paper]) -> list[search_index.Record | None]:
                looked_up.append(len(papers))
                return real_records(papers)

            monkeypatch.setattr(index, "records", records)
            entries = library.entries()
            slices = [entries[i : i + 15] for i in range(0, len(entries), 15)]
            built = []

            def loaded() -> None:
                built.extend(query.search_rows(part, start=i * 15) for i, part in enumerate(slices))

            index.load_saved(entries, library.path)
            loaded()
            assert looked_up == []  # every slice's rows as loaded
            looked_up.clear()
            for part, rows in zip(slices, built, strict=True):
                fresh = query.search_rows(list(reversed(part)))  # a list of its own: looked up
                assert rows.tokens == fresh.tokens[::-1] and rows.bytesets == fresh.bytesets[::-1]
                for text in ("quokkas", "agent", "paper 12", "(7).", "paper 43", "q", "v"):
                    q = query.parse_query(text)
                    got = [part[i] for i in query.search_positions(part, q)]
                    assert got == [e for e in part if q.matches(e)], text
            assert looked_up  # the reversed copies were looked up
    finally:
        query.clear_cache()


def test_the_first_search_waits_for_the_loaded_lists_not_for_each_papers_record(
    lib_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The warm-up says the saved index is in before it files each paper's record (~45-75 ms
    at 100,000 papers, which the search typed at the first paint waited for too). A search
    meanwhile finds what the definition finds, through the slices' rows as loaded and through
    any other list (whose papers it then checks by text); its ranking reads the library's
    sample as loaded too (no other paper's text read), and ranks as it does later. Once the
    records are in, rows built meanwhile are built again with the index, and no text cached
    then is kept."""
    new_library(lib_path, count=40)
    texts = ("agent", "paper 12", "(7).", "q", "-agent", "zzz")
    during: dict[str, object] = {}
    scanned: list[str] = []
    real_text = search_index.content_text

    def counting(paper: Paper) -> str:
        scanned.append(paper.id)
        return real_text(paper)

    for module in (search_index, rows_module, ranking):
        monkeypatch.setattr(module, "content_text", counting)
    monkeypatch.setattr(ranking, "SAMPLE", 10)  # every 4th paper: a stride through the lists
    ones = query.parse_query("1")  # in 13 of the 40 papers: ranked
    try:
        save_index(lib_path)
        with Library.open(lib_path) as library:
            index = query.search_index()
            entries = library.entries()
            part, other = entries[:15], list(reversed(entries))

            def loaded() -> None:
                during["records"] = index.records([e.paper for e in entries])
                found = [e for e in entries if ones.matches(e)]
                scanned.clear()
                during["ranked"] = ranking.rank(found, ones, entries)
                during["scanned"] = list(scanned)
                query.search_rows(part, start=0)  # as the app builds its slices' rows
                for text in texts:
                    q = query.parse_query(text)
                    assert [part[i] for i in query.search_positions(part, q)] == [
                        e for e in part if q.matches(e)
                    ], text
                    assert query.search(other, q) == [e for e in other if q.matches(e)], text
                during["other"] = query.search_rows(other).unindexed

            query.prepare(entries, cache_key=library.path, loaded=loaded)
            assert during["records"] == [None] * 40  # not filed yet when the search ran
            found = [e for e in entries if ones.matches(e)]
            assert 0 < len(found) < 40
            # (a paper with a note is read for its weight; a scan of the sample reads them all)
            assert set(during["scanned"]) <= {e.id for e in found}  # type: ignore[arg-type]
            assert during["ranked"] == ranking.rank(found, ones, entries)
            assert during["other"]  # that list's papers were checked by their text then
            assert None not in index.records([e.paper for e in entries])
            assert query.search_rows(other).unindexed == []  # built again, with the index
            assert index._texts == {}  # the texts those checks cached are dropped
            for text in texts:
                q = query.parse_query(text)
                assert query.search(other, q) == [e for e in other if q.matches(e)], text
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


@pytest.mark.parametrize("ucs4", ["array", "codec"])
def test_the_index_cache_gives_back_every_token_string_exactly(
    lib_path: Path, monkeypatch: pytest.MonkeyPatch, ucs4: str
) -> None:
    """Token ids are code points up to 0x10FFFF, lone surrogates too: a chunk is stored as
    UTF-16 unless it holds a surrogate, then as UTF-32 (through an array of code points, or the
    codec where there is none), and read back exactly; a high and a low surrogate side by side
    stay two characters, never one."""
    if ucs4 == "codec":
        monkeypatch.setattr(index_cache, "_UCS4", None)
    monkeypatch.setattr(index_cache, "_CHUNK", 2)  # several chunks, each of its own width
    rows = [
        ("a", 1, "\u0100\u07ff", b"ab"),
        ("b", 2, "", b""),
        ("c", 3, "\U0010ffff\U0001f600x", b"z"),  # not BMP: still UTF-16
        ("d", 4, "\ud800", b""),  # lone surrogate: UTF-32
        ("é", 0xFFFFFFFF, "\ud83d\ude00\udfff", b"_09"),
        ("f", 6, "plain", b"x"),
        ("g", 7, "\x00\uffff\ue000", b"\x7f"),
    ]
    vocab = [b"w", b"\xff\xfe", b"x" * 300]
    assert index_cache.save(lib_path, vocab, {0: 3, 2: 1}, rows)
    cached = index_cache.load(lib_path)
    assert cached is not None
    assert cached.vocab == vocab and cached.df == {0: 3, 2: 1}
    assert cached.ids == [r[0] for r in rows]
    assert list(cached.crcs) == [r[1] for r in rows]
    assert cached.tokens == [r[2] for r in rows]
    assert cached.letters == [r[3] for r in rows]
    assert [len(t) for t in cached.tokens] == [len(r[2]) for r in rows]


def test_an_index_cache_with_a_paper_id_holding_a_newline_leaves_that_paper_out(
    lib_path: Path,
) -> None:
    rows = [("a\nb", 1, "x", b"a"), ("c", 2, "y", b"c")]
    assert index_cache.save(lib_path, [b"w"], {}, rows)
    cached = index_cache.load(lib_path)
    assert cached is not None and cached.ids == ["c"] and cached.tokens == ["y"]


def test_token_ids_in_the_surrogate_range_survive_the_index_cache(
    lib_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A vocabulary past 0xD800 tokens gives later tokens ids that are lone surrogates as
    characters: a second session takes them from the cache and finds the same papers."""
    many = Paper(id="many", title="Many words", abstract=" ".join(f"w{i}" for i in range(55_300)))
    later = Paper(id="later", title="Quokkas", abstract="A wombat and a quokka at dusk.")
    entries = [Entry(many), Entry(later), *(Entry(p) for p in make_papers(5))]
    tokenised = count_tokenising(monkeypatch)
    texts = ["quokka", "wombat", '"a quokka"', "w55299", "w1", "paper 3", "dusk."]

    def session() -> list[list[str]]:
        query.clear_cache()
        query.prepare(entries, cache_key=lib_path)
        found = []
        for text in texts:
            parsed = query.parse_query(text)
            result = [e.id for e in query.search(entries, parsed)]
            assert result == [e.id for e in entries if parsed.matches(e)], text
            found.append(result)
        return found

    try:
        first = session()
        record = query.search_index().record(later)
        assert record is not None and record[1] is not None
        assert any(0xD800 <= ord(c) <= 0xDFFF for c in record[1])
        tokenised.clear()
        assert session() == first
        assert [t for t in tokenised if b"\n" in t] == []  # every paper came from the cache
        again = query.search_index().record(later)
        assert again is not None and again[1] == record[1]
    finally:
        query.clear_cache()


def test_the_index_cache_serves_a_library_in_another_order_and_checks_each_paper(
    lib_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The saved order is the fast path; papers moved, added or changed since are looked up one
    by one (at C speed): only the new and the changed ones are tokenised."""
    papers = make_papers(30)
    entries = [Entry(p) for p in papers]
    tokenised = count_tokenising(monkeypatch)
    try:
        query.clear_cache()
        query.prepare(entries, cache_key=lib_path)
        changed = dataclasses.replace(papers[7], abstract="Now about quokkas only.")
        new = Paper(id="new", title="A wombat", abstract="Burrows.")
        moved = [Entry(changed), *reversed(entries[8:]), Entry(new), *entries[:7]]
        query.clear_cache()
        tokenised.clear()
        query.prepare(moved, cache_key=lib_path)
        assert sorted(t for t in tokenised if b"\n" in t) == sorted(
            f"{p.title}\n{p.abstract}".lower().encode() for p in (changed, new)
        )
        for text in ("quokkas", "wombat", "burrows", '"paper 7:"', "(7).", "(12)."):
            parsed = query.parse_query(text)
            found = [e.id for e in query.search(moved, parsed)]
            assert found == [e.id for e in moved if parsed.matches(e)], text
    finally:
        query.clear_cache()
