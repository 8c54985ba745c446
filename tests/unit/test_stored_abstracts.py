"""Abstracts of papers opened from the entry cache stay on disk until read: the text read back is
exactly the text saved, whatever happens to the cache file afterwards, and nothing leaks."""

from __future__ import annotations

import dataclasses
import gc
import os
import zlib
from pathlib import Path

import pytest
from helpers.synthetic import make_papers

from readlist.core.library import Library, entry_cache, text_store
from readlist.core.library.cache_files import cache_path
from readlist.core.library.storage import read_library
from readlist.core.library.text_store import CAN_STORE, MIN_STORED, StoredText
from readlist.core.models import ABSTRACT_SLOT, Entry, Paper, abstract_length
from readlist.core.search import index_cache

pytestmark = pytest.mark.skipif(not CAN_STORE, reason="os.pread is POSIX only")

LONG = "A study of attention in transformers with a long enough abstract to be stored. " * 3
ABSTRACTS = [
    LONG,
    "Short one.",
    "",
    "Non-ASCII: é, ß, 漢字, 🚀 and a combining mark é. " + LONG,
    LONG + "\U0001f600" * 40,
    "x" * MIN_STORED,  # the first size that is stored
    "y" * (MIN_STORED - 1),  # the last that is not
]


@pytest.fixture
def lib_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "data" / "library.json"


def with_abstracts(count: int = 40) -> list[Paper]:
    papers = make_papers(count)
    return [
        dataclasses.replace(p, abstract=ABSTRACTS[i]) if i < len(ABSTRACTS) else p
        for i, p in enumerate(papers)
    ]


def slot(paper: Paper) -> object:
    return ABSTRACT_SLOT.__get__(paper, Paper)


def crc(paper: Paper) -> int:
    return zlib.crc32(f"{paper.title}\n{paper.abstract}".encode("utf-8", "surrogatepass"))


def test_papers_opened_from_the_cache_read_back_every_abstract_exactly(lib_path: Path) -> None:
    papers = with_abstracts()
    with Library.open(lib_path) as library:
        library.import_papers(papers, "feed.txt")
    with Library.open(lib_path) as library:
        entries = library.entries()
        by_id = {e.id: e.paper for e in entries}
        for paper in papers:
            loaded = by_id[paper.id]
            assert loaded == paper and loaded.abstract == paper.abstract
            assert abstract_length(loaded) == len(paper.abstract)
            # the CRC the search index checks, saved with the text, is the text's
            assert index_cache.fingerprint(loaded) == crc(paper)
            long_enough = len(paper.abstract.encode()) >= MIN_STORED
            assert isinstance(slot(loaded), StoredText) is long_enough, paper.abstract[:20]


def test_fingerprints_of_many_papers_are_each_papers_own(lib_path: Path) -> None:
    """The session's check of every paper against the saved index takes the saved CRCs in runs:
    in library order, in any other order, and mixed with abstracts held in memory (short ones,
    and a paper changed in this session), each is still that paper's own."""
    papers = with_abstracts(60)
    with Library.open(lib_path) as library:
        library.import_papers(papers, "feed.txt")
    with Library.open(lib_path) as library:
        loaded = [e.paper for e in library.entries()]
    # The papers in the order the entry cache holds them (the library lists them in another).
    stored = sorted((p for p in loaded if isinstance(slot(p), StoredText)), key=lambda p: slot(p).i)
    assert len(stored) > 50
    changed = dataclasses.replace(loaded[10], abstract=LONG + " Changed.")
    for order in (
        loaded,
        loaded[::-1],
        stored,
        stored[20:],  # one run from the middle of a chunk
        stored[20:] + stored[:20],
        stored[::2],
        [*loaded[:10], changed, *loaded[11:]],
    ):
        assert list(index_cache.fingerprints(order)) == [crc(p) for p in order]
    assert list(index_cache.fingerprints([])) == []


def test_abstract_lengths_of_many_papers_are_each_papers_own(lib_path: Path) -> None:
    """Ranking takes every match's abstract length at once: stored, held in memory (short
    ones, a paper changed in this session) or both, each is that paper's own, in order."""
    papers = with_abstracts(60)
    with Library.open(lib_path) as library:
        library.import_papers(papers, "feed.txt")
    with Library.open(lib_path) as library:
        loaded = [e.paper for e in library.entries()]
    stored = [p for p in loaded if isinstance(slot(p), StoredText)]
    changed = dataclasses.replace(stored[3], abstract="Now short.")
    for order in (loaded, loaded[::-1], stored, [*stored[:3], changed, *stored[4:]], []):
        assert text_store.abstract_lengths(order) == [len(p.abstract) for p in order]


def test_a_lone_surrogate_in_an_abstract_survives_the_cache(lib_path: Path) -> None:
    paper = dataclasses.replace(make_papers(1)[0], abstract=LONG + "\ud800 end")
    lib_path.parent.mkdir(parents=True)
    lib_path.write_text("{}")
    sig = read_library(lib_path).sig
    assert sig is not None
    assert entry_cache.save(lib_path, [Entry(paper)], {}, sig, 2)
    loaded = entry_cache.load(lib_path)
    assert loaded is not None
    (entry,) = loaded.entries.values()
    assert isinstance(slot(entry.paper), StoredText)
    assert entry.paper.abstract == paper.abstract
    assert index_cache.fingerprint(entry.paper) == crc(paper)


def test_abstracts_stay_readable_after_the_cache_is_replaced_or_deleted(lib_path: Path) -> None:
    papers = with_abstracts()
    with Library.open(lib_path) as library:
        library.import_papers(papers, "feed.txt")
    library = Library.open(lib_path)
    try:
        held = {e.id: e.paper for e in library.entries()}
        assert isinstance(slot(held[papers[0].id]), StoredText)
        changed = dataclasses.replace(papers[0], abstract=LONG + " Revised.")
        library.import_papers([changed], "fix.txt")  # rewrites the file and its cache
        cache_path(lib_path, "entries").unlink()
        assert {i: p.abstract for i, p in held.items()} == {p.id: p.abstract for p in papers}
        assert library.get(papers[0].id).paper.abstract == changed.abstract
    finally:
        library.close()
    # the file written from papers whose abstracts were on disk holds every text
    stored = {e.id: e.paper.abstract for e in read_library(lib_path).entries.values()}
    assert stored == {
        p.id: (LONG + " Revised." if i == 0 else p.abstract) for i, p in enumerate(papers)
    }


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
def test_the_cache_file_is_closed_once_no_paper_needs_it(lib_path: Path) -> None:
    papers = with_abstracts()
    with Library.open(lib_path) as library:
        library.import_papers(papers, "feed.txt")
    gc.collect()
    before = open_fds()
    library = Library.open(lib_path)
    held = [library.get(p.id).paper for p in papers]
    library.close()
    del library
    gc.collect()
    assert open_fds() == before + 1  # the papers still read from it
    assert held[0].abstract == LONG
    del held
    gc.collect()
    assert open_fds() == before


def test_a_library_read_from_its_file_moves_its_abstracts_to_a_new_cache(lib_path: Path) -> None:
    """No current cache (another program wrote the file, a sync merged into it): the file is
    read, the cache written at once, and the abstracts just read are held on disk from then."""
    papers = with_abstracts()
    with Library.open(lib_path) as library:
        library.import_papers(papers, "feed.txt")
    cache_path(lib_path, "entries").unlink()
    with Library.open(lib_path) as library:
        loaded = {e.id: e.paper for e in library.entries()}
        assert isinstance(slot(loaded[papers[0].id]), StoredText)
        assert {i: p.abstract for i, p in loaded.items()} == {p.id: p.abstract for p in papers}
        assert all(index_cache.fingerprint(loaded[p.id]) == crc(p) for p in papers)
    cached = entry_cache.load(lib_path)  # written for the file as it is
    assert cached is not None
    assert {e.id: e.paper.abstract for e in cached.entries.values()} == {
        p.id: p.abstract for p in papers
    }
