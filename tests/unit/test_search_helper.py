"""The search helper: a forked process that answers searches from the saved index, exactly as
a search here would, until it is closed."""

from __future__ import annotations

import gc
import os
import threading
from pathlib import Path

import pytest
from helpers.indexes import save_index
from helpers.synthetic import make_papers

from readlist.app import ReadlistApp
from readlist.core.library import Library
from readlist.core.search import helper as helper_module
from readlist.core.search import query
from readlist.core.search.helper import SearchHelper
from readlist.core.search.ranking import rank
from readlist.screens import main as main_module

TEXTS = ("agent", "paper 1", "-agent", "q", "(7).", "is:unread paper", "zzz", "paper OR 12")


@pytest.fixture
def lib_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "library.json"
    with Library.open(path) as library:
        library.import_papers(make_papers(60, github_every=4), "synthetic.txt")
        library.set_note(library.entries()[3].id, "a note on paper 1 things")
        library.set_starred(library.entries()[5].id, True)
    return path


def started(library: Library, size: int) -> SearchHelper:
    helper = SearchHelper.start(library, size)
    assert helper is not None, f"no helper: threads {threading.enumerate()}"
    return helper


def test_the_helper_finds_and_ranks_what_a_search_here_does(lib_path: Path) -> None:
    """Each slice's matches are the definition's, in order; their ranking is `rank`'s; an
    answer narrowed to an earlier one's positions equals a fresh one."""
    try:
        save_index(lib_path)
        with Library.open(lib_path) as library:
            entries = library.entries()
            slices = [entries[at : at + 20] for at in range(0, len(entries), 20)]
            helper = started(library, 20)
            try:
                for text in TEXTS:
                    answer = helper.ask(text, True, None)
                    assert answer is not None
                    positions, order = answer
                    q = query.parse_query(text)
                    found = [
                        part[i] for part, kept in zip(slices, positions, strict=True) for i in kept
                    ]
                    assert found == [e for e in entries if q.matches(e)], text
                    ranked = found if order is None else [found[i] for i in order]
                    assert ranked == rank(found, q, entries), text
                wide = helper.ask("paper", False, None)
                narrow = helper.ask("paper 1", False, wide[0] if wide else None)
                assert narrow == helper.ask("paper 1", False, None)
                assert narrow is not None and narrow[1] is None
            finally:
                helper.close()
    finally:
        query.clear_cache()
    assert not helper.running
    assert helper.ask("agent", False, None) is None
    with pytest.raises(ChildProcessError):
        os.waitpid(helper.pid, os.WNOHANG)  # reaped


def test_no_helper_without_a_saved_index(lib_path: Path) -> None:
    with Library.open(lib_path) as library:
        assert SearchHelper.start(library, 20) is None


def test_a_helper_that_ended_answers_none_and_searches_run_here(lib_path: Path) -> None:
    """A helper killed from outside (out of memory, say) gives no answer, and no error."""
    try:
        save_index(lib_path)
        with Library.open(lib_path) as library:
            helper = started(library, 20)
            os.kill(helper.pid, 9)
            assert helper.ask("agent", False, None) is None
            assert not helper.running
    finally:
        query.clear_cache()


def test_a_helper_closed_again_sends_no_signal_to_its_old_pid(
    lib_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once reaped, the helper's pid may be given to another process: closing again (the app
    closes it when its index is in, and again when it ends) must not signal that pid."""
    try:
        save_index(lib_path)
        with Library.open(lib_path) as library:
            helper = started(library, 20)
            helper.close()
            signalled: list[tuple[int, int]] = []
            monkeypatch.setattr(helper_module.os, "kill", lambda *a: signalled.append(a))
            helper.close()
            assert signalled == []
            assert helper.ask("agent", False, None) is None
    finally:
        query.clear_cache()


def test_an_app_made_and_dropped_ends_its_helper(
    lib_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An app that is never run (or is dropped without unmounting) does not keep its helper
    process until the program exits."""
    monkeypatch.setattr(main_module, "SMALL_SCAN", 10)  # 60 papers: a helper
    try:
        save_index(lib_path)
        with Library.open(lib_path) as library:
            app = ReadlistApp(library)
            helper = app.search_helper
            assert helper is not None and helper.running
            del app
            gc.collect()
            assert not helper.running
            with pytest.raises(ChildProcessError):
                os.waitpid(helper.pid, os.WNOHANG)  # reaped
    finally:
        query.clear_cache()
