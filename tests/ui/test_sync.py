"""Sync from the app: a key and a palette entry, the result in a notification, sync_on_start and
sync_on_exit, and a sync run by another process showing up in the open app."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.gitkit import bare_remote, git, hermetic_env
from textual.pilot import Pilot

from readlist.app import ReadlistApp
from readlist.config import Config
from readlist.core.formats import read_feed
from readlist.core.library import Library
from readlist.core.sync.commands import run_clone, run_init, run_sync

from .conftest import SAMPLE, SIZE, notifications, settle

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.fixture
def synced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, Path]:
    """(this machine's library, another machine's, the remote), both set up and in sync."""
    home = tmp_path / "home"
    home.mkdir()
    gitconfig = home / ".gitconfig"
    gitconfig.write_text("[user]\n\tname = R\n\temail = r@example.org\n", encoding="utf-8")
    for key in ("HOME", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM"):
        monkeypatch.setenv(key, hermetic_env(home, gitconfig)[key])
    remote = bare_remote(tmp_path)
    here, there = tmp_path / "here" / "library.json", tmp_path / "there" / "library.json"
    with Library.open(here) as library:
        parsed = read_feed(str(SAMPLE))
        library.import_papers(parsed.papers, parsed.source)
    run_init(here, str(remote))
    run_clone(there, str(remote))
    return here, there, remote


async def wait_for(pilot: Pilot[None], condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.05)


async def test_the_sync_key_syncs_and_says_how_it_went(synced: tuple[Path, Path, Path]) -> None:
    here, there, _ = synced
    with Library.open(there) as other:
        pid = other.entries()[0].id
        other.set_starred(pid, True)
    run_sync(there)
    library = Library.open(here)
    app = ReadlistApp(library=library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not app.syncing)
        await settle(pilot)
        assert any(m.startswith("Synced: ") for m in notifications(app)), notifications(app)
        await wait_for(pilot, lambda: library.get(pid).state.starred)
        assert library.get(pid).state.starred
        keys = {description: keys for keys, description, _, _ in app.key_table()}
        assert keys["Sync the library with other machines (git)"] == "^s"  # and the palette
    library.close()


async def test_a_library_not_set_up_says_how_to_set_it_up(tmp_path: Path) -> None:
    library = Library.open(tmp_path / "alone" / "library.json")
    app = ReadlistApp(library=library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not app.syncing)
        await settle(pilot)
        (message,) = [m for m in notifications(app) if m.startswith("Sync failed")]
        assert "readlist sync init" in message
    library.close()


async def test_sync_on_start_and_on_exit(synced: tuple[Path, Path, Path]) -> None:
    here, _, remote = synced
    library = Library.open(here)
    pid = library.entries()[3].id
    app = ReadlistApp(library=library, config=Config(sync_on_start=True, sync_on_exit=True))
    async with app.run_test(size=SIZE) as pilot:
        # (`notify` posts a message: the notice arrives a moment after `syncing` goes False)
        synced = lambda: any(m.startswith("Synced: ") for m in notifications(app))  # noqa: E731
        await wait_for(pilot, lambda: not app.syncing and synced())
        assert synced(), notifications(app)
        library.set_note(pid, "written just before quitting")
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running)
    library.close()
    assert "note " + pid in git(remote, "log", "-1", "--format=%s")


async def test_a_sync_in_another_process_shows_up_in_the_open_app(
    synced: tuple[Path, Path, Path],
) -> None:
    here, there, _ = synced
    with Library.open(there) as other:
        pid = other.entries()[5].id
        other.set_note(pid, "from the workstation")
    run_sync(there)
    library = Library.open(here)
    app = ReadlistApp(library=library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        done = subprocess.run(
            [sys.executable, "-m", "readlist", "--db", str(here), "sync"],  # this test's git env
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        start = time.monotonic()
        await wait_for(pilot, lambda: library.get(pid).state.note == "from the workstation", 5)
        assert library.get(pid).state.note == "from the workstation"
        assert time.monotonic() - start < 2.5
    library.close()
