"""The triage keys in a real terminal: a saved search on `1`, `M` and its `y`, `u`, typed in
bursts (one tmux send-keys each, as a fast typist or a paste) as soon as the app appears.

Pilot presses key names; here tmux types the characters a terminal sends, so a key Textual
reports under another name would do nothing and the test would fail. The saved searches come
from a config file under a temporary XDG_CONFIG_HOME; the end state is read from the library file
with stock TinyDB.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from tinydb import TinyDB
from tooling import Terminal, installed_readlist, need_tool

from readlist.core.formats import read_feed
from readlist.core.library.journal import Journal
from readlist.core.search.query import parse_query, search

pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).resolve().parents[2] / "sample_feed.txt"
EXIT_MARK = "READLIST-EXITED"
CONFIG = """\
[searches]
merging = "merging"
broken = "is:maybe"
"""


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(need_tool("tmux"), f"readlist-triage-{os.getpid()}-{tmp_path.name}")
    yield term
    term.kill()


def burst(terminal: Terminal, *keys: str) -> None:
    """All `keys` in one tmux command: they reach the app in one read, with no pause."""
    terminal.run("send-keys", "-t", "t", *keys)


def merging_ids() -> set[str]:
    """The papers the saved search `merging` finds, by readlist's own search."""
    from readlist.core.models import Entry

    entries = [Entry(paper) for paper in read_feed(str(SAMPLE)).papers]
    return {entry.id for entry in search(entries, parse_query("merging"))}


def status_shows(screen: str, expected: str) -> bool:
    """The status line (the row above the footer) reads `expected`: notices stand above it."""
    lines = [line for line in screen.splitlines() if line.strip()]
    return len(lines) >= 2 and lines[-2].strip() == expected


def read_now(db: Path) -> set[str]:
    """The papers read now, the journal included, read without a lock or a write (the app is
    running: opening a Library here would fold its journal and tidy its files)."""
    flags = {doc["id"]: doc["read"] for doc in orjson.loads(db.read_bytes())["papers"].values()}
    for change in Journal(db.with_name(db.name + ".journal")).read_new():
        flags[change.id] = change.fields.get("read", flags[change.id])
    return {paper for paper, read in flags.items() if read}


def test_saved_search_mark_all_and_undo_typed_in_bursts(terminal: Terminal, tmp_path: Path) -> None:
    readlist = installed_readlist()
    db = tmp_path / "library.json"
    config = tmp_path / "xdg-config" / "readlist" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(CONFIG, encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    env = (
        "env -u COLUMNS -u LINES TERM=xterm-256color"
        f" HOME={shlex.quote(str(home))} XDG_CONFIG_HOME={shlex.quote(str(config.parents[1]))}"
    )
    terminal.start(
        f"{env} {shlex.quote(readlist)} --db {shlex.quote(str(db))} {shlex.quote(str(SAMPLE))};"
        f" echo {EXIT_MARK}=$?; sleep 60"
    )
    first = terminal.wait_for(lambda s: "86 papers · 86 unread · 0 starred" in s, "the list")
    assert "search 'broken' does not parse" in first  # the config warning at start
    wanted = merging_ids()
    count = len(wanted)
    assert 0 < count < 86
    shown = f"{count} of 86 · search: merging · sorted: relevance"
    marked = f"86 papers · {86 - count} unread · 0 starred · {shown}"
    unmarked = f"86 papers · 86 unread · 0 starred · {shown}"

    burst(terminal, "1", "M", "y")  # at once, right after the list appeared
    terminal.wait_for(lambda s: status_shows(s, marked), "the saved search's papers marked")
    assert read_now(db) == wanted

    burst(terminal, "u")
    after_undo = terminal.wait_for(lambda s: status_shows(s, unmarked), "the undo of the batch")
    assert f"Undid marking {count} papers read" in after_undo
    assert read_now(db) == set()

    burst(terminal, "M", "y", "2")
    screen = terminal.wait_for(lambda s: "Saved search 'broken' does not parse" in s, "2")
    assert status_shows(screen, marked)  # the bad saved search changed nothing

    burst(terminal, "q")
    final = terminal.wait_for(lambda s: EXIT_MARK in s, "readlist to exit")
    assert f"{EXIT_MARK}=0" in final
    stock = TinyDB(db)
    try:
        read = {paper["id"] for paper in stock.table("papers").all() if paper["read"]}
    finally:
        stock.close()
    assert read == wanted
