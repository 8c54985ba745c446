"""Sync when things go wrong: races, kill -9, a dirty folder, a remote that is down, hostile git
settings, a CRLF writer, a broken file, no git. Each ends with both machines' libraries equal,
readable by stock TinyDB, and every change present, or with one line, a distinct exit status and
nothing changed.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import time
from pathlib import Path

import pytest
from helpers.gitkit import (
    Machine,
    assert_same,
    git,
    ids,
    kill_group,
    make_machine,
    settle,
    two_machines,
    wait_for_process,
)

from readlist.core.library import Library
from readlist.core.sync import repo
from readlist.core.sync.git import Git, find_git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def test_two_machines_syncing_at_the_same_moment(tmp_path: Path) -> None:
    """Three rounds of both machines pushing at once: the loser of a race (its push rejected,
    or refused while the winner held the branch's lock on the remote) merges and pushes again."""
    a, b, _ = two_machines(tmp_path)
    pids = ids(a)
    for round_ in range(3):
        a.change(star=[pids[round_]], note={pids[10 + round_]: f"a{round_}"})
        b.change(read=[pids[round_]], note={pids[20 + round_]: f"b{round_}"})
        racing = [a.start_sync(), b.start_sync()]
        for process in racing:
            out, err = process.communicate(timeout=180)
            assert process.returncode == 0, (out, err)
    settle(a, b)
    papers = assert_same(a, b)
    for round_ in range(3):
        assert papers[pids[round_]]["starred"] and papers[pids[round_]]["read"]
        assert papers[pids[10 + round_]]["note"] == f"a{round_}"
        assert papers[pids[20 + round_]]["note"] == f"b{round_}"


def test_two_syncs_in_one_clone_wait_for_each_other(tmp_path: Path) -> None:
    a, b, _ = two_machines(tmp_path)
    pids = ids(a)
    b.change(star=[pids[1]])
    b.sync()
    a.change(star=[pids[0]])
    both = [a.start_sync(), a.start_sync()]
    for process in both:
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, (out, err)
    b.sync()
    papers = assert_same(a, b)
    assert papers[pids[0]]["starred"] and papers[pids[1]]["starred"]


def test_kill_9_during_the_merge_driver_then_a_sync_recovers(tmp_path: Path) -> None:
    a, b, _ = two_machines(tmp_path, papers=3000)  # a driver run long enough to be caught
    pids = ids(a)
    a.change(star=pids[:5])
    a.sync()
    b.change(note={pids[0]: "b's note"}, star=pids[10:12])
    b.sync("--offline")
    syncing = b.start_sync()
    assert wait_for_process("sync.driver .merge_file_") is not None
    time.sleep(0.1)
    kill_group(syncing)
    left = {p.name for p in b.folder.iterdir()} | {p.name for p in (b.folder / ".git").iterdir()}
    assert "index.lock" in left or any(n.startswith(".merge_file_") for n in left), left
    done = b.sync()  # recovers: stale lock and temp files removed, merged again
    a.sync()
    papers = assert_same(a, b)
    assert all(papers[p]["starred"] for p in [*pids[:5], *pids[10:12]])
    assert papers[pids[0]]["note"] == "b's note"
    assert not any(p.name.startswith(".merge_file_") for p in b.folder.iterdir())
    assert "removed index.lock" in done.stdout or "index.lock" not in left


def test_kill_9_during_the_push_then_a_sync_recovers(tmp_path: Path) -> None:
    a, b, remote = two_machines(tmp_path)
    pids = ids(a)
    hook = remote / "hooks" / "pre-receive"  # the server is slow to accept
    flag = tmp_path / "receiving"
    hook.write_text(f"#!/bin/sh\ntouch '{flag}'\nsleep 30\n", encoding="utf-8")
    hook.chmod(0o755)
    a.change(star=[pids[0]], note={pids[1]: "pushed after a crash"})
    syncing = a.start_sync()
    deadline = time.monotonic() + 60
    while not flag.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert flag.exists()
    kill_group(syncing)
    hook.unlink()
    done = a.sync()
    assert "pushed to origin/main" in done.stdout
    b.sync()
    papers = assert_same(a, b)
    assert papers[pids[0]]["starred"] and papers[pids[1]]["note"] == "pushed after a crash"


def test_an_interrupted_merge_is_undone_and_done_again_keeping_everything(tmp_path: Path) -> None:
    """A sync killed after git wrote MERGE_HEAD: the next one undoes that merge (keeping the
    merged file and anything written into it since) and merges again."""
    a, b, _ = two_machines(tmp_path)
    pids = ids(a)
    a.change(star=[pids[0]])
    a.sync()
    b.change(tags={pids[0]: ["b"]})
    b.sync("--offline")
    b.git("fetch", "--quiet", "origin")
    b.git("merge", "--no-ff", "--no-commit", "origin/main")  # as far as the killed sync got
    (b.folder / ".git" / "readlist-merging").write_text("x\n", encoding="utf-8")
    b.change(note={pids[2]: "written while the merge was pending"})
    done = b.sync()
    assert "undid the merge of a sync that was interrupted" in done.stdout
    a.sync()
    papers = assert_same(a, b)
    assert papers[pids[0]]["starred"] and papers[pids[0]]["tags"] == ["b"]
    assert papers[pids[2]]["note"] == "written while the merge was pending"


def test_a_merge_or_rebase_the_user_started_is_left_to_them(tmp_path: Path) -> None:
    a, b, _ = two_machines(tmp_path)
    a.change(star=[ids(a)[0]])
    a.sync()
    b.change(star=[ids(a)[1]])
    b.sync("--offline")
    b.git("fetch", "--quiet", "origin")
    b.git("merge", "--no-ff", "--no-commit", "origin/main")
    done = b.sync(expect=7)
    assert "a merge you started is in progress" in done.stderr
    assert (b.folder / ".git" / "MERGE_HEAD").exists()  # untouched


def test_a_dirty_working_tree_is_never_touched_or_committed(tmp_path: Path) -> None:
    a, b, _ = two_machines(tmp_path)
    pids = ids(a)
    (a.folder / "reading-plan.md").write_text("week 1\n", encoding="utf-8")
    a.git("add", "reading-plan.md")
    a.git("commit", "--quiet", "-m", "my own file")
    (a.folder / "reading-plan.md").write_text("week 1\nweek 2 (not committed)\n", encoding="utf-8")
    (a.folder / "scratch.txt").write_text("untracked\n", encoding="utf-8")
    b.change(star=[pids[0]])
    b.sync()
    a.change(note={pids[1]: "a"})
    a.sync()
    assert (a.folder / "reading-plan.md").read_text() == "week 1\nweek 2 (not committed)\n"
    assert (a.folder / "scratch.txt").read_text() == "untracked\n"
    status = a.git("status", "--porcelain")
    assert " M reading-plan.md" in status and "?? scratch.txt" in status
    touched = a.git("log", "--format=", "--name-only", "-3").split()
    assert set(touched) <= {"library.json", ".gitignore", ".gitattributes", "reading-plan.md"}
    assert "reading-plan.md" not in a.git("show", "--format=", "--name-only", "HEAD").split()
    # Staged changes of the user's: git refuses to merge; readlist changes nothing and says so.
    a.git("add", "reading-plan.md")
    b.change(star=[pids[2]])
    b.sync()
    a.change(note={pids[3]: "x"})  # a commit of A's own: a real merge, not a fast-forward
    a.sync("--offline")
    before = a.git("rev-parse", "HEAD")
    done = a.sync(expect=4)
    assert "reading-plan.md" in done.stderr and "nothing was changed" in done.stderr
    assert a.git("rev-parse", "HEAD") == before
    assert "M  reading-plan.md" in a.git("status", "--porcelain")
    a.git("restore", "--staged", "reading-plan.md")
    settle(a, b)
    papers = assert_same(a, b)
    assert papers[pids[0]]["starred"] and papers[pids[2]]["starred"]
    assert (papers[pids[1]]["note"], papers[pids[3]]["note"]) == ("a", "x")


def test_an_unreachable_remote_keeps_the_local_commit(tmp_path: Path) -> None:
    a, b, remote = two_machines(tmp_path)
    pid = ids(a)[4]
    a.git("remote", "set-url", "origin", str(tmp_path / "gone.git"))
    a.change(star=[pid])
    done = a.sync(expect=3)
    assert done.stderr.startswith("readlist: cannot reach ") and len(done.stderr.splitlines()) == 1
    assert f"star {pid}" in a.git("log", "-1", "--format=%s")
    a.git("remote", "set-url", "origin", str(remote))
    assert "pushed to origin/main" in a.sync().stdout
    b.sync()
    assert assert_same(a, b)[pid]["starred"]


HOSTILE = """[merge]
\tff = only
\tautostash = true
\tverifySignatures = true
\tconflictStyle = zdiff3
\tlog = true
[pull]
\trebase = true
\tff = only
[commit]
\tgpgsign = true
[tag]
\tgpgSign = true
[gpg]
\tprogram = false
[core]
\tautocrlf = true
\thooksPath = {hooks}
\teditor = false
\tpager = less
[color]
\tui = always
[push]
\tdefault = nothing
[init]
\tdefaultBranch = trunk
[log]
\tshowSignature = true
[rerere]
\tenabled = true
[diff]
\texternal = false
[status]
\tshowUntrackedFiles = all
"""


def test_hostile_user_git_config_does_not_break_sync(tmp_path: Path) -> None:
    """Settings a git user may well have. readlist skips the hooks --no-verify skips (documented),
    never signs, never autostashes, and keeps the library's line ends LF."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for name in ("pre-commit", "commit-msg", "pre-merge-commit", "pre-push"):
        (hooks / name).write_text("#!/bin/sh\necho refused by hook >&2\nexit 1\n")
        (hooks / name).chmod(0o755)
    a, _, remote = two_machines(tmp_path)
    b = make_machine(tmp_path, "hostile", HOSTILE.format(hooks=hooks))
    b.sync("clone", str(remote))
    pids = ids(a)
    a.change(star=[pids[0]], note={pids[1]: "a"})
    b.change(read=[pids[0]], note={pids[1]: "b"}, tags={pids[2]: ["x"]})
    a.sync()
    b.sync()
    a.sync()
    papers = assert_same(a, b)
    assert papers[pids[0]]["starred"] and papers[pids[0]]["read"]
    assert "a" in papers[pids[1]]["note"] and "b" in papers[pids[1]]["note"]
    assert b"\r\n" not in b.db.read_bytes()
    assert b.git("log", "-1", "--format=%G?").strip() in ("N", "")  # not signed


def test_a_crlf_writer_is_normalised_and_merged(tmp_path: Path) -> None:
    a, b, _ = two_machines(tmp_path)
    pids = ids(a)
    a.change(star=[pids[0]])
    a.db.write_bytes(a.db.read_bytes().replace(b"\n", b"\r\n"))  # an editor on Windows
    b.change(note={pids[1]: "b"})
    a.sync()
    assert "i/lf" in a.git("ls-files", "--eol", "library.json")  # stored with LF
    b.sync()
    a.change(read=[pids[2]])  # readlist writes the file again (LF)
    settle(a, b)
    papers = assert_same(a, b)
    assert papers[pids[0]]["starred"] and papers[pids[2]]["read"] and papers[pids[1]]["note"]


def test_a_remote_file_that_is_not_a_library_is_a_conflict_never_committed(
    tmp_path: Path,
) -> None:
    a, b, remote = two_machines(tmp_path)
    a.db.write_text('{"papers": {"1": "hand edited"}}\n', encoding="utf-8")
    a.git("commit", "--quiet", "-am", "broken by hand")
    a.git("push", "--quiet", "origin", "main")
    b.change(star=[ids(b)[0]])
    b.sync("--offline")
    before_head, before_file = b.git("rev-parse", "HEAD"), b.db.read_bytes()
    done = b.sync(expect=4)
    assert "not merged" in done.stderr and "nothing was changed or pushed" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert b.git("rev-parse", "HEAD") == before_head
    assert b.db.read_bytes() == before_file
    assert git(remote, "log", "-1", "--format=%s").strip() == "broken by hand"
    assert not (b.folder / ".git" / "MERGE_HEAD").exists()
    # A broken local file is never committed either.
    done = a.sync(expect=2)
    assert "nothing was committed" in done.stderr


def test_every_sync_rewrites_the_driver_command(tmp_path: Path) -> None:
    a, _, _ = two_machines(tmp_path)
    a.git("config", "merge.readlist.driver", "/old/venv/bin/python -m readlist... %O %A %B %P")
    assert "names another readlist" in a.readlist("sync", "status").stdout
    a.sync()
    driver = a.git("config", "--get", "merge.readlist.driver").strip()
    assert driver.endswith(" -m readlist.core.sync.driver %O %A %B %P")
    assert os.path.isabs(driver.split(" ")[0].strip("'"))
    tracked = a.git("ls-files").split()
    assert tracked == [".gitattributes", ".gitignore", "library.json"]
    for name in tracked:  # no command is versioned: only this clone's config names one
        text = a.git("show", f"HEAD:{name}")
        assert "-m readlist" not in text and sys.executable not in text


def test_loose_objects_are_stored_uncompressed_unless_the_user_chose_a_level(
    tmp_path: Path,
) -> None:
    """Each sync writes whole copies of the library as loose objects: readlist stores them
    uncompressed (deflating 17 MB at 10,000 papers costs more than the rest of a commit), but a
    level set in the clone's own config stays."""
    a, b, _ = two_machines(tmp_path)
    assert a.git("config", "--local", "--get", "core.looseCompression").strip() == "0"
    b.git("config", "--local", "core.looseCompression", "3")
    b.sync()
    assert b.git("config", "--local", "--get", "core.looseCompression").strip() == "3"


def test_loose_objects_past_the_limit_are_packed_in_the_background(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _, _ = two_machines(tmp_path)
    a.change(star=[ids(a)[0]])
    a.sync()  # a new version of the library, loose
    loose = int(_counted(a)["count"])
    assert loose > 0
    for key, value in a.env.items():  # this machine's git settings, for the in-process call
        monkeypatch.setenv(key, value)
    repository = Git(a.folder, find_git())
    monkeypatch.setattr(repo, "PACK_LOOSE_ABOVE_KIB", 10**9)
    assert not repo.pack_loose_objects(repository)
    monkeypatch.setattr(repo, "PACK_LOOSE_ABOVE_KIB", 0)
    assert repo.pack_loose_objects(repository)
    deadline = time.monotonic() + 60
    while int(_counted(a)["count"]) > 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    counted = _counted(a)
    assert counted["count"] == "0" and int(counted["in-pack"]) >= loose
    a.git("fsck", "--no-progress")
    a.change(read=[ids(a)[1]])
    a.sync()


def _counted(machine: Machine) -> dict[str, str]:
    lines = machine.git("count-objects", "-v").splitlines()
    return dict(line.split(": ", 1) for line in lines)


def test_no_git_or_an_old_git_is_exit_6(tmp_path: Path) -> None:
    a = make_machine(tmp_path, "a")
    with Library.open(a.db):
        pass
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    a.env["PATH"] = str(empty)
    done = a.readlist("sync", "init")
    assert done.returncode == 6 and "git is not installed" in done.stderr
    fake = empty / "git"
    fake.write_text("#!/bin/sh\necho 'git version 2.20.1'\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    done = a.readlist("sync")
    assert done.returncode == 6 and "git 2.20 is too old" in done.stderr


def test_a_missing_git_identity_is_one_line_saying_how_to_set_it(tmp_path: Path) -> None:
    a = make_machine(tmp_path, "a")
    (a.home / ".gitconfig").write_text("", encoding="utf-8")
    with Library.open(a.db):
        pass
    done = a.readlist("sync", "init")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "git config --global user.email" in done.stderr
