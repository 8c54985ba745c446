"""The installed `readlist` in a real terminal: tmux runs it, the test types and reads the screen.

It imports sample_feed.txt into a temporary library, searches, stars, annotates and quits, then
checks the library file with stock TinyDB, the way any other tool would read it.
"""

from __future__ import annotations

import os
import re
import shlex
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tinydb import TinyDB
from tooling import Terminal, installed_readlist, need_tool

from readlist.core.formats.markdown import read_markdown

pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).resolve().parents[2] / "sample_feed.txt"
EXIT_MARK = "READLIST-EXITED"


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(need_tool("tmux"), f"readlist-e2e-{os.getpid()}-{tmp_path.name}")
    yield term
    term.kill()


def test_search_star_annotate_quit(terminal: Terminal, tmp_path: Path) -> None:
    readlist = installed_readlist()
    db = tmp_path / "library.json"
    home = tmp_path / "home"
    home.mkdir()
    # COLUMNS/LINES from the test runner would override the real 120x40 window size.
    env = (
        "env -u COLUMNS -u LINES TERM=xterm-256color"
        f" HOME={shlex.quote(str(home))} VISUAL=true EDITOR=true"
    )
    command = (
        f"{env} {shlex.quote(readlist)} --db {shlex.quote(str(db))} {shlex.quote(str(SAMPLE))};"
        f" echo {EXIT_MARK}=$?; sleep 60"
    )
    terminal.start(command)
    terminal.wait_for(lambda s: "86 papers · 86 unread · 0 starred" in s, "the list")
    time.sleep(1.0)  # the first frame can come before the app reads keys

    terminal.keys("/")
    terminal.literal("model merging")
    shown = terminal.wait_for(lambda s: " of 86" in s, "search results")
    assert "Merging" in shown
    terminal.keys("Enter", "s")
    terminal.wait_for(lambda s: "1 starred" in s, "the star in the status line")

    # Typed at once, as a fast typist or a paste: no key may be lost or come after the save.
    terminal.keys("a")
    terminal.literal("Compare with [bold]TIES[/] merging")
    terminal.keys("C-s")
    terminal.wait_for(lambda s: "Note saved" in s, "the note to be saved")
    # The notice and the detail pane's new note can land in different frames (and the notice
    # can lie over the note's line for a while): wait for the note itself.
    after = terminal.wait_for(lambda s: "[bold]TIES[/]" in s, "the note in the detail pane")
    assert "★•✎" in after  # starred, unread, with a note
    assert "[bold]TIES[/]" in after  # the detail pane shows the note as text, not markup

    shown = int(re.search(r"(\d+) of 86", after).group(1))  # type: ignore[union-attr]
    export = tmp_path / "shown.md"
    terminal.keys("x")
    terminal.wait_for(lambda s: f"Export {shown} papers" in s, "the export dialog")
    terminal.keys("Enter", "C-u")
    terminal.literal(str(export))
    terminal.keys("Enter")
    done = terminal.wait_for(lambda s: f"Exported {shown} papers to" in s, "the export")
    assert export.exists(), done
    exported = read_markdown(export.read_text(encoding="utf-8"), "e2e")
    assert len(exported) == shown
    assert [state.note for _, state in exported if state.note] == [
        "Compare with [bold]TIES[/] merging"
    ]

    terminal.keys("q")
    final = terminal.wait_for(lambda s: EXIT_MARK in s, "readlist to exit")
    assert f"{EXIT_MARK}=0" in final

    db_file = TinyDB(db)
    try:
        papers = db_file.table("papers").all()
    finally:
        db_file.close()
    assert len(papers) == 86
    starred = [p for p in papers if p["starred"]]
    assert len(starred) == 1
    assert "merging" in (starred[0]["title"] + starred[0]["abstract"]).lower()
    assert starred[0]["note"] == "Compare with [bold]TIES[/] merging"


def test_e_hands_the_terminal_to_the_editor_and_back(terminal: Terminal, tmp_path: Path) -> None:
    readlist = installed_readlist()
    db = tmp_path / "library.json"
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "written in the editor\\n" >> "$1"\n', encoding="utf-8")
    editor.chmod(0o755)
    command = (
        f"env -u COLUMNS -u LINES TERM=xterm-256color HOME={shlex.quote(str(tmp_path))}"
        f" VISUAL={shlex.quote(str(editor))} {shlex.quote(readlist)} --db {shlex.quote(str(db))}"
        f" {shlex.quote(str(SAMPLE))}; echo {EXIT_MARK}=$?; sleep 60"
    )
    terminal.start(command)
    terminal.wait_for(lambda s: "86 papers" in s, "the list")
    time.sleep(1.0)
    terminal.keys("e")
    back = terminal.wait_for(lambda s: "written in the editor" in s, "the note in the detail")
    assert "86 papers · 86 unread · 0 starred" in back  # the app resumed and redrew itself
    terminal.keys("q")
    assert f"{EXIT_MARK}=0" in terminal.wait_for(lambda s: EXIT_MARK in s, "readlist to exit")
    db_file = TinyDB(db)
    try:
        notes = [p["note"] for p in db_file.table("papers").all() if p["note"]]
    finally:
        db_file.close()
    assert notes == ["written in the editor"]
