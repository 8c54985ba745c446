"""A library readlist cannot read is never touched: every command stops with one line and status 2.

The store's own tests (tests/unit/test_durability.py) check `Library.open`; these check what a user
meets: `readlist`, `readlist open/import/list/set/export`, in-process and as real processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from appkit import SIZE, notifications, settle, wait_until

import readlist.app
from readlist.cli import main
from readlist.core.library import Library

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_feed.txt"

#: name -> (file content, words the error line must contain)
CORRUPT: dict[str, tuple[bytes, str]] = {
    "truncated JSON": (b'{"papers": {"1": {"id": "abc", "title": "A', "truncated JSON"),
    "not JSON": (b"Mar 12\n\nA paper title\n\nAn abstract.\n", "not JSON"),
    "binary": (bytes(range(256)) * 4, "not JSON"),
    "JSON list": (b"[1, 2, 3]", "not a readlist library"),
    "JSON null": (b"null", "not a readlist library"),
    "papers is a list": (b'{"papers": [{"id": "x"}]}', "not a readlist library"),
    "paper of wrong type": (b'{"papers": {"1": "just text"}}', "not a readlist library"),
    "tags not a list": (
        b'{"papers": {"1": {"id": "a", "title": "t", "abstract": "x", "tags": "ml"}}}',
        "not a readlist library",
    ),
    "unknown schema 99": (b'{"_readlist": {"1": {"schema": 99}}, "papers": {}}', "schema 99"),
    "schema as text": (b'{"_readlist": {"1": {"schema": "1"}}, "papers": {}}', "schema"),
}

#: Every way a user reaches the library (the app itself must not start).
COMMANDS: dict[str, list[str]] = {
    "readlist": [],
    "readlist FEED": [str(SAMPLE)],
    "open": ["open"],
    "import": ["import", str(SAMPLE)],
    "list": ["list"],
    "list --json": ["list", "--json", "model"],
    "list --sort relevance": ["list", "--sort", "relevance", "model"],
    "related": ["related", "abcd"],
    "set": ["set", "abcd", "--star", "--note", "x"],
    "export": ["export", "-f", "md"],
    "fetch": ["fetch", "--date", "2026-11-30"],  # refused before any request
    "add": ["add", "2403.01234"],
}


@pytest.fixture(autouse=True)
def app_must_not_start(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def refuse(self: object) -> None:
        raise AssertionError("the app was started over a library that could not be read")

    monkeypatch.setattr(readlist.app.ReadlistApp, "run", refuse)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def folder_listing(folder: Path) -> dict[str, bytes]:
    """Every file beside the library and its bytes; the empty lock file may come and go."""
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.endswith(".lock")
    }


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_every_command_refuses_a_corrupt_library_in_one_line_and_leaves_it_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, command: str
) -> None:
    data, reason = CORRUPT[case]
    folder = tmp_path / "lib"
    folder.mkdir()
    path = folder / "library.json"
    path.write_bytes(data)
    before = folder_listing(folder)
    status = main(["--db", str(path), *COMMANDS[command]])
    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("readlist: ")
    assert str(path) in err and reason in err, err
    assert folder_listing(folder) == before  # same bytes, no journal, no temp file
    assert path.read_bytes() == data


def test_export_to_a_file_over_a_corrupt_library_writes_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "library.json"
    path.write_bytes(CORRUPT["unknown schema 99"][0])
    target = tmp_path / "out.bib"
    assert main(["export", "--db", str(path), "-f", "bibtex", "-o", str(target)]) == 2
    assert not target.exists()
    assert "schema 99" in capsys.readouterr().err


def test_a_damaged_journal_stops_every_command_and_nothing_is_rewritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad journal line followed by good ones is damage, not a torn tail: touch nothing."""
    path = tmp_path / "library.json"
    assert main(["import", "--db", str(path), str(SAMPLE)]) == 0
    first = Library.open(path).entries()[0].id
    journal = path.with_name(path.name + ".journal")
    journal.write_bytes(
        b'{"id": "%s", "set": {"starred": true}}\n' % first.encode()
        + b"garbage that is not a change\n"
        + b'{"id": "%s", "set": {"read": true}}\n' % first.encode()
    )
    capsys.readouterr()
    before = folder_listing(tmp_path)
    for args in COMMANDS.values():
        assert main(["--db", str(path), *args]) == 2, args
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "damaged journal line" in err and str(journal) in err
        assert folder_listing(tmp_path) == before


def run_readlist(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color"}
    return subprocess.run(
        [sys.executable, "-m", "readlist", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize("case", ["truncated JSON", "unknown schema 99"])
def test_bare_readlist_on_a_corrupt_library_exits_2_before_the_app_starts(
    tmp_path: Path, case: str
) -> None:
    """As a real process: no traceback, no screen drawn (no escape sequence), status 2, quickly."""
    data, reason = CORRUPT[case]
    path = tmp_path / "library.json"
    path.write_bytes(data)
    started = time.monotonic()
    done = run_readlist("--db", str(path))
    assert time.monotonic() - started < 15
    assert done.returncode == 2
    err = done.stderr.decode()
    assert err.startswith("readlist: ") and err.count("\n") == 1 and reason in err, err
    assert b"\x1b" not in done.stdout + done.stderr  # Textual never took the terminal
    assert path.read_bytes() == data


def test_subcommands_as_real_processes_exit_2_and_leave_the_file(tmp_path: Path) -> None:
    data, _ = CORRUPT["unknown schema 99"]
    path = tmp_path / "library.json"
    path.write_bytes(data)
    for args in (["import", "-"], ["list"], ["set", "abcd", "--read"], ["export", "-f", "json"]):
        done = run_readlist(args[0], "--db", str(path), *args[1:], stdin=SAMPLE.read_bytes())
        assert done.returncode == 2, args
        assert b"Traceback" not in done.stderr and done.stderr.count(b"\n") == 1
        assert done.stdout == b""
    assert path.read_bytes() == data
    assert list(folder_listing(tmp_path)) == ["library.json"]


async def test_an_open_app_never_overwrites_a_library_damaged_under_it(tmp_path: Path) -> None:
    """Another program garbles the file while the app is open: said, and left as it is at exit."""
    path = tmp_path / "library.json"
    assert main(["import", "--db", str(path), str(SAMPLE)]) == 0
    library = Library.open(path)
    app = readlist.app.ReadlistApp(library)
    garbage = b'{"papers": {"1": {"id": "abc", "title": "half'
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")  # a change waiting in the journal, to be compacted soon
        path.write_bytes(garbage)
        await wait_until(pilot, 5, lambda: any("truncated JSON" in m for m in notifications(app)))
        await pilot.press("j", "s")
        await settle(pilot)
        assert any(m.startswith("Not saved:") for m in notifications(app))
        await pilot.pause(2.5)  # past the compaction delay
    assert path.read_bytes() == garbage
