"""An import of many new papers builds their search index on two processes and saves it, so the
first session after it searches the index at once instead of scanning text (issue 13).

The imports run in a process of their own (tests/helpers/bulk_import.py) with the threshold
lowered to 20 papers and chunks of 5, the child slowed so that the parent tokenises chunks too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.bulk_import import special_papers

from readlist.cli_feeds import LoadedFile, import_files
from readlist.core.library import Library
from readlist.core.library.cache_files import cache_path
from readlist.core.search import bulk_index, query
from readlist.core.search import index as search_index
from readlist.core.search.index import TokenIndex

HELPER = Path(__file__).resolve().parents[1] / "helpers" / "bulk_import.py"


@pytest.fixture
def lib_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "data" / "library.json"


def bulk_import(lib_path: Path, first: int, count: int, *extra: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(HELPER), str(lib_path), str(first), str(count), *extra],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=dict(os.environ),
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def tokenised_in_first_session(lib_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many papers the app's warm-up tokenises when it starts on the library."""
    texts: list[bytes] = []
    real = search_index._tokens

    def counting(data: bytes) -> list[bytes]:
        texts.append(data)
        return real(data)

    with monkeypatch.context() as patched, Library.open(lib_path) as library:
        patched.setattr(search_index, "_tokens", counting)
        query.clear_cache()
        query.prepare(library.entries(), cache_key=library.path)
    return len(texts)


def search_ids(lib_path: Path, text: str) -> tuple[list[str], list[str]]:
    """The papers a search finds through the index loaded from the cache, and the definition's."""
    with Library.open(lib_path) as library:
        query.clear_cache()
        query.prepare(library.entries(), cache_key=library.path)
        parsed = query.parse_query(text)
        found = [e.id for e in query.search(library.entries(), parsed)]
        expected = [e.id for e in library.entries() if parsed.matches(e)]
    query.clear_cache()
    return found, expected


def saved_words_match_a_fresh_tokenisation(lib_path: Path) -> None:
    with Library.open(lib_path) as library:
        saved = TokenIndex()
        saved.load_saved(library.entries(), library.path)
        fresh = TokenIndex()
        for entry in library.entries():
            record = saved.record(entry.paper)
            assert record is not None and record[1] is not None, entry.id
            again = fresh.index(entry.paper)
            assert record[1] is not None and again[1] is not None
            assert set(saved.words(record[1])) == set(fresh.words(again[1])), entry.paper.title
            assert record[2] == again[2]


NEEDLES = ["qz3word", "qz57word", "über", "café naïve", "σδ10", "paper 12:", "q", '"(8)."']


def test_a_bulk_import_saves_every_token_so_the_first_session_tokenises_none(
    lib_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = bulk_import(lib_path, 0, 60, "--slow-child", "0.05")
    assert result["lines"] == ["bulk.txt: 60 papers, 60 new, 0 updated"]
    assert 1 <= result["parent_chunks"] < 12  # both sides tokenised: the renumbering ran
    assert result["tokenised_late"] == [0]  # every paper's tokens came from the two sides
    assert not result["children"]  # the child was waited for
    assert cache_path(lib_path, "index").exists()
    assert tokenised_in_first_session(lib_path, monkeypatch) == 0
    saved_words_match_a_fresh_tokenisation(lib_path)
    for needle in NEEDLES:
        found, expected = search_ids(lib_path, needle)
        assert found == expected and found, needle


def test_a_second_bulk_import_keeps_the_saved_tokens_and_indexes_changed_papers(
    lib_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bulk_import(lib_path, 0, 40, "--slow-child", "0.02")
    result = bulk_import(lib_path, 40, 40, "--slow-child", "0.02", "--change", "7")
    assert result["lines"] == ["bulk.txt: 41 papers, 40 new, 1 updated"]
    assert result["tokenised_late"] == [1]  # the changed paper, not a new one
    assert tokenised_in_first_session(lib_path, monkeypatch) == 0
    saved_words_match_a_fresh_tokenisation(lib_path)
    assert search_ids(lib_path, "quokkas")[0] == [special_papers(7, 1)[0].id]
    assert search_ids(lib_path, "qz7word") == ([], [])  # its old abstract is not found
    for needle in NEEDLES:
        found, expected = search_ids(lib_path, needle)
        assert found == expected and found, needle


def test_a_failed_import_builds_nothing_and_leaves_no_process(lib_path: Path) -> None:
    result = bulk_import(lib_path, 0, 60, "--slow-child", "0.05", "--fail")
    assert result["lines"] == ["failed: disk gone"]
    assert not result["children"]
    assert not cache_path(lib_path, "index").exists()


def test_an_import_that_cannot_start_the_second_process_imports_all_the_same(
    lib_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = bulk_import(lib_path, 0, 60, "--no-fork")
    assert result["lines"] == ["bulk.txt: 60 papers, 60 new, 0 updated"]
    assert not cache_path(lib_path, "index").exists()
    assert tokenised_in_first_session(lib_path, monkeypatch) == 60


def test_an_import_of_fewer_papers_than_a_bulk_builds_nothing(
    lib_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A daily import stays as fast as it was: the app's warm-up indexes its few new papers."""
    forked: list[int] = []
    monkeypatch.setattr(bulk_index, "_Build", lambda *a: forked.append(1))
    with Library.open(lib_path) as library:
        lines = import_files(library, [LoadedFile(special_papers(0, 50), "day.txt")])
    assert lines == ["day.txt: 50 papers, 50 new, 0 updated"]
    assert forked == []
    assert not cache_path(lib_path, "index").exists()
    assert tokenised_in_first_session(lib_path, monkeypatch) == 50
