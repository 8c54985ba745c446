"""The common sync (changes here not committed yet, origin moved on) is merged in process and
committed once on top of origin's commit: the same library as the usual commit + merge, one new
version of the file instead of two, and an interruption at any step loses nothing."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers.gitkit import Machine, assert_same, git, ids, two_machines

from readlist.core.sync import git as sync_git
from readlist.core.sync.commands import run_sync

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def library_versions(remote: Path) -> int:
    """How many versions of library.json origin's history holds."""
    listed = git(remote, "rev-list", "--objects", "--all").splitlines()
    return sum(1 for line in listed if line.endswith(" library.json"))


def copy_of(machine: Machine, remote: Path, tmp_path: Path, name: str) -> Machine:
    """The same machine at this moment, syncing with its own copy of origin."""
    folder, origin = tmp_path / f"lib-{name}", tmp_path / f"{name}.git"
    shutil.copytree(machine.folder, folder)
    shutil.copytree(remote, origin)
    git(folder, "remote", "set-url", "origin", str(origin), env=machine.env)
    return dataclasses.replace(machine, name=name, db=folder / machine.db.name)


def test_changes_not_committed_yet_go_on_top_of_origin_in_one_commit(tmp_path: Path) -> None:
    a, b, remote = two_machines(tmp_path)
    pids = ids(a)
    a.change(star=[pids[0]], note={pids[1]: "from a"}, tags={pids[2]: ["x", "y"]})
    b.change(read=[pids[0]], note={pids[1]: "from b"}, tags={pids[2]: ["y", "z"]})
    a.sync()
    pushed_by_a = a.git("rev-parse", "HEAD").strip()
    usual = copy_of(b, remote, tmp_path, "b-usual")
    usual.sync("--offline")  # a commit of B's own: the usual way (commit, merge, push)
    usual.sync()
    versions = library_versions(remote)

    done = b.sync()
    assert f"committed: read {pids[0]}" in done.stdout
    assert "from origin/main" in done.stdout and "pushed to origin/main" in done.stdout
    assert b.git("log", "-1", "--format=%P").split() == [pushed_by_a]  # linear, on A's commit
    assert b.git("status", "--porcelain") == ""
    assert b.db.read_bytes() == usual.db.read_bytes()  # what the usual merge gives, byte for byte
    assert library_versions(remote) == versions + 1  # the usual way added two
    assert library_versions(tmp_path / "b-usual.git") == versions + 2
    a.sync()
    papers = assert_same(a, b)
    assert papers[pids[0]]["starred"] and papers[pids[0]]["read"]
    assert "from a" in papers[pids[1]]["note"] and "from b" in papers[pids[1]]["note"]
    assert papers[pids[2]]["tags"] == ["x", "y", "z"]


@pytest.mark.parametrize("step", ["commit-tree", "read-tree", "update-ref"])
def test_a_sync_stopped_at_any_step_of_it_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    """As if killed there: the working file already holds the merge, the branch has not moved;
    the next sync commits and merges it again."""
    a, b, _ = two_machines(tmp_path)
    pids = ids(a)
    a.change(star=[pids[0]], note={pids[1]: "from a"})
    a.sync()
    b.change(note={pids[1]: "from b"}, tags={pids[3]: ["b"]})
    head = b.git("rev-parse", "HEAD")
    for key, value in b.env.items():
        monkeypatch.setenv(key, value)
    real_run = sync_git.Git.run

    def dying(git_: sync_git.Git, *args: str, **kwargs: Any) -> sync_git.GitResult:
        if args[0] == step and (step != "read-tree" or "-m" in args):
            raise KeyboardInterrupt  # the process stops here
        return real_run(git_, *args, **kwargs)

    monkeypatch.setattr(sync_git.Git, "run", dying)
    with pytest.raises(KeyboardInterrupt):
        run_sync(b.db)
    monkeypatch.setattr(sync_git.Git, "run", real_run)
    assert b.git("rev-parse", "HEAD") == head  # nothing committed or pushed

    b.sync()
    a.sync()
    papers = assert_same(a, b)
    assert papers[pids[0]]["starred"]
    assert "from a" in papers[pids[1]]["note"] and "from b" in papers[pids[1]]["note"]
    assert papers[pids[3]]["tags"] == ["b"]
    assert b.git("status", "--porcelain") == ""
