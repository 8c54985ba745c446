"""Read-only libraries and a full disk, as the app's user meets them.

tests/unit/test_durability.py checks the Library (real modes, a real file size limit) and
tests/ui/test_actions.py an app over a library flagged read-only by hand. Here the app runs over a
really read-only file or folder (in a child process that cannot override file modes, even as
root), and over a disk that fills up mid-session.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from appkit import SIZE, notifications, paper_list, settle, status, visible_rows, wait_until

import readlist.core.library.journal
import readlist.core.library.safe_files
from readlist.app import ReadlistApp
from readlist.core.formats import read_feed
from readlist.core.library import Library

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_feed.txt"
CHILD = Path(__file__).resolve().parent / "read_only_app.py"


def sample_library(path: Path) -> None:
    parsed = read_feed(str(SAMPLE))
    with Library.open(path) as library:
        library.import_papers(parsed.papers, parsed.source)


def run_child(path: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(CHILD), str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_library_opens_for_browsing_marked_and_s_changes_nothing(
    tmp_path: Path, what: str
) -> None:
    folder = tmp_path / "lib"
    path = folder / "library.json"
    sample_library(path)
    (folder / "library.json.lock").unlink()
    path.chmod(0o444)
    if what == "folder":
        folder.chmod(0o555)
    before = snapshot(folder)
    try:
        report = run_child(path)
    finally:
        folder.chmod(0o700)
    assert report["read_only"] is True
    assert report["status_before"] == "86 papers · 86 unread · 0 starred · READ-ONLY"
    assert report["status_after"] == report["status_before"]
    assert not report["row"].startswith("★") and report["starred_in_memory"] is False
    message = next(m for m in report["notifications"] if m.startswith("Not saved:"))
    assert "read-only" in message and "nothing was changed" in message
    assert snapshot(folder) == before  # no journal, no lock, no temp file, same bytes


class FullDisk:
    """Stands in for `os` in one store module: writes fill the disk (ENOSPC), or fsync fails."""

    def __init__(self, failing: str) -> None:
        self.failing = failing
        self.failures = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def write(self, fd: int, data: Any) -> int:
        if self.failing != "write":
            return os.write(fd, data)
        if len(data) > 16:
            return os.write(fd, bytes(data[: len(data) // 2]))  # short writes: nearly full...
        self.failures += 1
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # ...then full

    def fsync(self, fd: int) -> None:
        if self.failing == "fsync":
            self.failures += 1
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        os.fsync(fd)


@pytest.mark.parametrize("failing", ["write", "fsync"])
async def test_a_full_disk_during_a_star_is_said_not_shown_as_saved_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    path = tmp_path / "library.json"
    sample_library(path)
    library = Library.open(path)
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first, second = (e.id for e in paper_list(app).entries[:2])
        await pilot.press("s")  # saved while there is room
        await settle(pilot)
        file_before = path.read_bytes()
        journal = path.with_name(path.name + ".journal")
        journal_before = journal.read_bytes()

        full = FullDisk(failing)
        monkeypatch.setattr(readlist.core.library.journal, "os", full)
        monkeypatch.setattr(readlist.core.library.safe_files, "os", full)
        await pilot.press("j", "s")
        await settle(pilot)
        assert full.failures >= 1
        assert any(
            m.startswith("Not saved:") and "no space left on device" in m
            for m in notifications(app)
        ), notifications(app)
        assert not visible_rows(app)[1].startswith("★")
        assert visible_rows(app)[0].startswith("★")
        assert "1 starred" in status(app)
        assert not library.get(second).state.starred
        assert journal.read_bytes() == journal_before  # no torn half-line left behind

        # The compaction the first star scheduled also meets the full disk: said, file kept.
        await wait_until(
            pilot, 5, lambda: any("could not save the library" in m for m in notifications(app))
        )
        await settle(pilot)
        assert path.read_bytes() == file_before
        assert journal.read_bytes() == journal_before
        monkeypatch.undo()  # room again; the app compacts as it closes

    reopened = Library.open(path)
    assert reopened.get(first).state.starred
    assert not reopened.get(second).state.starred
    assert reopened.pending() == 0
    assert not list(tmp_path.glob(".library.json.*.tmp"))


async def test_a_save_error_naming_a_library_path_with_brackets_is_shown_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Error messages carry the library's path; a folder named like markup must not crash the app.

    (Found by this test: the toast parsed the path as markup and `[/]` raised MarkupError while
    rendering; fixed in ddee5f8 by notifying with markup=False.)
    """
    path = tmp_path / "papers [/] old" / "library.json"
    sample_library(path)
    library = Library.open(path)
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        monkeypatch.setattr(readlist.core.library.journal, "os", FullDisk("fsync"))
        await pilot.press("s")
        await settle(pilot)
        await pilot.pause(0.2)
        toasts = [str(toast.render()) for toast in app.screen.query("Toast")]
        assert any("papers [/] old" in text and "Not saved" in text for text in toasts), toasts
    library.close()


def test_set_and_import_on_a_read_only_library_exit_2_and_list_still_works(
    tmp_path: Path,
) -> None:
    path = tmp_path / "library.json"
    sample_library(path)
    first = Library.open(path).entries()[0].id
    path.chmod(0o444)
    before = snapshot(tmp_path)
    helpers = ROOT / "tests" / "helpers"
    code = (
        f"import sys; sys.path.insert(0, {str(helpers)!r}); "
        "from library_child import drop_permission_override; drop_permission_override(); "
        "from readlist.cli import main; "
        f"sys.exit(main(sys.argv[1:] + ['--db', {str(path)!r}]))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    refused = f"readlist: {path}: the library is read-only; nothing was changed\n"
    for args, expected in (
        (["set", first, "--star"], 2),
        (["import", str(SAMPLE)], 2),
        (["list", "is:unread"], 0),
    ):
        done = subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert done.returncode == expected, (args, done.stderr)
        if expected == 2:
            assert done.stderr == refused
    assert snapshot(tmp_path) == before
