"""The installed `readlist` in a real terminal (tmux): kill -9 after a star, and hostile feeds.

A user sees the star on screen, then the terminal dies (SIGKILL, no clean exit, no compaction):
the star must be in the library. And a hostile feed must leave the terminal's screen intact.
"""

from __future__ import annotations

import os
import shlex
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile import hostile_feed
from tooling import Terminal, installed_readlist, need_tool

from readlist.core.library import Library

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_feed.txt"


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(need_tool("tmux"), f"readlist-rel-{os.getpid()}-{tmp_path.name}")
    yield term
    term.kill()


def start(tmux: Terminal, tmp_path: Path, *args: str) -> None:
    env = f"env -u COLUMNS -u LINES TERM=xterm-256color HOME={shlex.quote(str(tmp_path))}"
    tmux.start(f"exec {env} {shlex.quote(installed_readlist())} {shlex.join(args)}")


def test_a_star_seen_on_screen_survives_kill_9_of_the_app(tmux: Terminal, tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    start(tmux, tmp_path, "--db", str(db), str(SAMPLE))
    tmux.wait_for(lambda s: "86 papers · 86 unread · 0 starred" in s, "the app")
    pid = int(tmux.run("display-message", "-p", "-t", "t", "#{pane_pid}").strip())
    tmux.run("send-keys", "-t", "t", "s")
    tmux.wait_for(lambda s: "1 starred" in s, "the star on screen")
    os.kill(pid, signal.SIGKILL)  # before the app's 2 s compaction: only the journal has it
    first = Library.open(db).entries()[0]
    assert first.state.starred


def test_a_hostile_feed_leaves_the_real_screen_intact(tmux: Terminal, tmp_path: Path) -> None:
    """Escapes in a feed would clear the screen or recolour it; the frame must stay whole."""
    feed = tmp_path / "hostile.txt"
    feed.write_bytes(hostile_feed())
    start(tmux, tmp_path, "--db", str(tmp_path / "library.json"), str(feed))
    screen = tmux.wait_for(lambda s: "11 papers · 11 unread" in s, "the app")
    lines = screen.splitlines()
    assert "[bold]Bold claim[/] and [/] and [link=" in screen
    assert "[@click=app.quit]Click to quit[/]" in screen
    assert "Clipboard hijack" in screen and "Screen clear" in screen
    assert lines[3].startswith("╭") and lines[3].rstrip().endswith("╮")  # the frame is drawn
    assert any("search" in line for line in lines[:3])  # the search bar was not cleared away
