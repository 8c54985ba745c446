"""Two readlists open on one library: each sees the other's changes within 2 s, nothing is lost.

tests/unit/test_concurrency.py checks two `Library` objects and processes; tests/ui/test_layout.py
checks one app seeing a `Library` write. Here two whole apps run side by side, and an app runs
while `readlist set` changes the library from a shell.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from appkit import SIZE, detail_text, paper_list, settle, status, visible_rows, wait_until
from textual.widgets import TextArea
from tinydb import TinyDB

from readlist.app import ReadlistApp
from readlist.core.formats import read_feed
from readlist.core.library import Library

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_feed.txt"
WITHIN = 2.0  # seconds an open app may take to show another's change


def sample_library(path: Path) -> None:
    parsed = read_feed(str(SAMPLE))
    with Library.open(path) as library:
        library.import_papers(parsed.papers, parsed.source)


def stock_states(path: Path) -> dict[str, dict[str, object]]:
    db = TinyDB(path)
    try:
        return {d["id"]: dict(d) for d in db.table("papers").all()}
    finally:
        db.close()


async def test_two_open_apps_see_each_others_changes_and_the_last_writer_wins(
    tmp_path: Path,
) -> None:
    path = tmp_path / "library.json"
    sample_library(path)
    lib_a, lib_b = Library.open(path), Library.open(path)
    app_a, app_b = ReadlistApp(lib_a), ReadlistApp(lib_b)
    async with app_a.run_test(size=SIZE) as a, app_b.run_test(size=SIZE) as b:
        await settle(a)
        await settle(b)
        first = paper_list(app_a).entries[0].id

        await a.press("s")  # A stars the first paper: B shows it without a restart
        await wait_until(b, WITHIN, lambda: visible_rows(app_b)[0].startswith("★"))
        assert "1 starred" in status(app_b)

        await b.press("m")  # B marks the same paper read (another field): A keeps both
        await wait_until(a, WITHIN, lambda: lib_a.get(first).state.read)
        assert lib_a.get(first).state.starred and lib_b.get(first).state.starred
        assert "85 unread" in status(app_a)

        # Different papers at once: A stars the second, B the third, before either refreshes.
        await a.press("j", "s")
        await b.press("j", "j", "s")
        await wait_until(a, WITHIN, lambda: "3 starred" in status(app_a))
        await wait_until(b, WITHIN, lambda: "3 starred" in status(app_b))

        # The same field from both: the note written last is the one both end with.
        await a.press("j", "a")  # both on the third paper now
        await a.press(*"note from A")
        await a.press("ctrl+s")
        await settle(a)
        await b.press("a")
        app_b.screen.query_one(TextArea).text = "note from B"
        await b.press("ctrl+s")
        await settle(b)
        third = paper_list(app_b).current
        current_a = paper_list(app_a).current
        assert third is not None and current_a is not None and current_a.id == third.id
        assert lib_b.get(third.id).state.note == "note from B"
        await wait_until(a, WITHIN, lambda: lib_a.get(third.id).state.note == "note from B")
        note_b = "note from B"
    docs = stock_states(path)  # both apps closed (compacted): stock TinyDB reads every change
    assert len(docs) == 86
    assert docs[first]["starred"] is True and docs[first]["read"] is True
    assert sum(bool(d["starred"]) for d in docs.values()) == 3
    assert docs[third.id]["note"] == note_b


async def test_an_open_app_shows_a_readlist_set_from_a_shell_within_two_seconds(
    tmp_path: Path,
) -> None:
    path = tmp_path / "library.json"
    sample_library(path)
    library = Library.open(path)
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = paper_list(app).entries[2]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        command = ["set", "--db", str(path), target.id[:6], "--star", "--note", "from the shell"]
        shell = subprocess.run(
            [sys.executable, "-m", "readlist", *command, "--tag", "cli"],
            capture_output=True,
            env=env,
            timeout=30,
            check=False,
        )
        assert shell.returncode == 0, shell.stderr
        waited = await wait_until(pilot, WITHIN, lambda: visible_rows(app)[2].startswith("★"))
        assert waited < WITHIN
        assert "1 starred" in status(app)
        await pilot.press("j", "j")
        await settle(pilot)
        assert "cli" in detail_text(app)
        await pilot.press("m")  # the app's own change on top of the shell's
        await settle(pilot)
    docs = stock_states(path)
    doc = docs[target.id]
    assert (doc["starred"], doc["read"], doc["note"], doc["tags"]) == (
        True,
        True,
        "from the shell",
        ["cli"],
    )


async def test_an_open_app_shows_papers_imported_from_a_shell_within_two_seconds(
    tmp_path: Path,
) -> None:
    """`readlist import` rewrites the whole file; the open app picks the new file up and keeps
    its own unsaved-to-file (journal-only) star."""
    path = tmp_path / "library.json"
    sample_library(path)
    library = Library.open(path)
    app = ReadlistApp(library)
    feed = tmp_path / "more.txt"
    feed.write_text(
        "Mar 13\n\nA brand new paper from the shell\n\nIts abstract.\n\n"
        "Another new paper\n\nAnother abstract.\n",
        encoding="utf-8",
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")  # in the journal only: the import must fold it in, not drop it
        await settle(pilot)
        starred = paper_list(app).entries[0].id
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        shell = subprocess.run(
            [sys.executable, "-m", "readlist", "import", "--db", str(path), str(feed)],
            capture_output=True,
            env=env,
            timeout=30,
            check=False,
        )
        assert shell.returncode == 0, shell.stderr
        await wait_until(pilot, WITHIN, lambda: status(app).startswith("88 papers"))
        assert "A brand new paper from the shell" in visible_rows(app)[0]
        assert library.get(starred).state.starred and "1 starred" in status(app)
    docs = stock_states(path)
    assert len(docs) == 88 and docs[starred]["starred"] is True
