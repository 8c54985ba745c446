"""Sync's small pieces: git version and branch choice, the driver command, names, commit
messages, and the command line's exit statuses."""

from __future__ import annotations

import io
import shlex
from pathlib import Path

import pytest

from readlist.cli import build_parser, main
from readlist.core.library.documents import read_documents
from readlist.core.library.storage import encode_library
from readlist.core.models import Entry, Paper, PaperState, paper_id
from readlist.core.sync.commands import choose_branch
from readlist.core.sync.git import (
    EXIT_GIT_FAILED,
    EXIT_MERGE_FAILED,
    EXIT_NO_GIT,
    EXIT_PUSH_REJECTED,
    EXIT_UNREACHABLE,
    GitResult,
    SyncError,
    driver_command,
    parse_version,
)
from readlist.core.sync.repo import check_name, ensure_lines
from readlist.core.sync.summary import commit_message, describe_changes


def test_git_versions_are_read_from_any_build() -> None:
    assert parse_version("git version 2.39.5\n") == (2, 39)
    assert parse_version("git version 2.39.3 (Apple Git-146)") == (2, 39)
    assert parse_version("git version 2.45.1.windows.1") == (2, 45)
    assert parse_version("hub version 2.14") is None


def test_the_driver_command_is_this_python_quoted_for_the_shell(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.executable", "/home/me/my envs/venv/bin/python3")
    command = driver_command()
    assert shlex.split(command) == [
        "/home/me/my envs/venv/bin/python3",
        "-m",
        "readlist.core.sync.driver",
        "%O",
        "%A",
        "%B",
        "%P",
    ]


def test_the_remotes_branch_is_found_whatever_its_head_names() -> None:
    assert choose_branch("main", ["main", "dev"]) == "main"
    assert choose_branch("master", ["main"]) == "main"  # HEAD names a branch never pushed
    assert choose_branch(None, ["dev", "master"]) == "master"
    assert choose_branch("x", ["b", "a"]) == "a"
    assert choose_branch("master", []) is None


def test_library_names_git_cannot_name_plainly_are_refused() -> None:
    assert check_name(Path("/x/library.json")) == "library.json"
    for bad in ("my library.json", "lib[1].json", "*.json", ".hidden.json"):
        with pytest.raises(SyncError) as caught:
            check_name(Path("/x") / bad)
        assert caught.value.status == 2


def test_set_up_lines_are_added_once_keeping_the_users(tmp_path: Path) -> None:
    path = tmp_path / ".gitignore"
    path.write_text("*.pdf", encoding="utf-8")
    assert ensure_lines(path, "# readlist", ["/a", "/b"]) is True
    assert ensure_lines(path, "# readlist", ["/a", "/b"]) is False
    assert path.read_text(encoding="utf-8") == "*.pdf\n\n# readlist\n/a\n/b\n"


def test_gits_reason_is_its_last_error_line() -> None:
    err = (
        "hint: x\nfatal: '/gone.git' does not appear to be a git repository\nfatal: Could not read"
    )
    assert GitResult(128, b"", err).reason() == "Could not read"
    assert GitResult(1, b"", "").reason() == "exit status 1"


def _raw(*entries: Entry) -> object:
    data = b"".join(encode_library(Path("l"), list(entries), {}))
    return read_documents(Path("l"), io.BytesIO(data))


def _entry(n: int, seq: int, **state: object) -> Entry:
    title = f"An evaluation of long paper titles number {n}"
    return Entry(Paper(paper_id(title), title, "A."), PaperState(**state), "t", seq)  # type: ignore[arg-type]


def test_commit_messages_say_what_changed() -> None:
    before = _raw(_entry(1, 1), _entry(2, 2, starred=True))
    after = _raw(_entry(1, 1, starred=True, note="n"), _entry(2, 2), _entry(3, 3), _entry(4, 4))
    items = describe_changes(before, after)  # type: ignore[arg-type]
    one, two = _entry(1, 1).id, _entry(2, 2).id
    assert items == [
        f'star, note {one} "An evaluation of long..."',
        f'unstar {two} "An evaluation of long..."',
        "2 papers added",
    ]
    subject, body = commit_message(items, "fallback")
    assert subject == f"{items[0]}; and 2 more changes"  # what fits in 100 characters
    assert body == "\n".join(items)
    assert commit_message(items[2:], "fallback") == ("2 papers added", "")
    many = [f"star {n:010d}" for n in range(40)]
    subject, body = commit_message(many, "fallback")
    assert len(subject) <= 120 and subject.endswith("more changes") and len(body.splitlines()) == 40
    assert commit_message([], "fallback") == ("fallback", "")


def test_sync_commands_parse_and_the_help_lists_every_exit_status(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parser = build_parser()
    args = parser.parse_args(["--db", "x.json", "sync", "init", "git@host:lab/papers.git"])
    assert (args.command, args.sync_action, args.remote, args.db) == (
        "sync",
        "init",
        "git@host:lab/papers.git",
        "x.json",
    )
    assert parser.parse_args(["sync", "--offline"]).offline is True
    assert parser.parse_args(["sync", "status", "--db", "y.json"]).db == "y.json"
    assert main(["sync", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for status in (
        EXIT_UNREACHABLE,
        EXIT_MERGE_FAILED,
        EXIT_PUSH_REJECTED,
        EXIT_NO_GIT,
        EXIT_GIT_FAILED,
    ):
        assert f"; {status} " in text
