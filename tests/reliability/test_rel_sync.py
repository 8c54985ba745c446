"""Two machines and a shared bare repository: every change made on either machine ends up on both.

Each test changes the libraries as a user does (the Library, the command line), syncs with
`readlist sync` in a fresh process, and checks both machines' final libraries: byte-identical,
readable by stock TinyDB, every change present.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from helpers.gitkit import (
    Machine,
    assert_same,
    bare_remote,
    git,
    ids,
    make_machine,
    settle,
    two_machines,
)
from helpers.synthetic import make_papers

from readlist.core.library import Library
from readlist.core.sync.merge import NOTE_SEPARATOR

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def test_a_star_on_one_machine_and_a_note_on_the_other_both_survive(tmp_path: Path) -> None:
    a, b, _ = two_machines(tmp_path)
    pid = ids(a)[3]
    assert a.readlist("set", pid, "--star").returncode == 0
    assert b.readlist("set", pid, "--note", "read with the group on Friday").returncode == 0
    done = a.sync()
    assert "committed: star " + pid in done.stdout
    done = b.sync()
    assert "from origin/main" in done.stdout and "pushed to origin/main" in done.stdout
    a.sync()
    paper = assert_same(a, b)[pid]
    assert paper["starred"] is True
    assert paper["note"] == "read with the group on Friday"
    # The history reads like the reading list's: one commit per sync, saying what it did.
    log = b.git("log", "--format=%s")
    assert f'star {pid} "Synthetic paper 3' in log
    assert f'note {pid} "Synthetic paper 3' in log


def test_tags_added_and_removed_on_both_machines_merge_as_sets(tmp_path: Path) -> None:
    a, b, _ = two_machines(tmp_path)
    pid, other = ids(a)[0], ids(a)[1]
    a.change(tags={pid: ["vision", "to-read", "old"], other: ["x"]})
    settle(a, b)
    a.change(tags={pid: ["vision", "to-read", "survey"]})  # removes old, adds survey
    b.change(tags={pid: ["to-read", "old", "group"], other: []})  # removes vision and x
    settle(a, b)
    papers = assert_same(a, b)
    assert papers[pid]["tags"] == ["to-read", "group", "survey"]
    assert papers[other]["tags"] == []


def test_papers_imported_on_each_machine_end_up_on_both(tmp_path: Path) -> None:
    a, b, _ = two_machines(tmp_path, papers=10)
    with Library.open(a.db) as library:
        library.import_papers(make_papers(15, start=10), "monday.txt")  # 10..24
    with Library.open(b.db) as library:
        library.import_papers(make_papers(15, start=20), "tuesday.txt")  # 20..34: 5 shared
    b_only = [p.id for p in make_papers(10, start=25)]
    b.change(star=b_only[:2])
    settle(a, b)
    papers = assert_same(a, b)
    assert len(papers) == 35  # the five imported on both sides are one paper each
    assert {p.id for p in make_papers(35)} == set(papers)
    assert all(papers[pid]["starred"] for pid in b_only[:2])


def test_a_note_edited_on_both_machines_keeps_both_texts(tmp_path: Path) -> None:
    a, b, _ = two_machines(tmp_path)
    pid, lines_pid = ids(a)[5], ids(a)[6]
    a.change(note={lines_pid: "method\n\nresults\n\ncritique"})
    settle(a, b)
    a.change(
        note={pid: "A: the ablation is weak", lines_pid: "method: sound\n\nresults\n\ncritique"}
    )
    b.change(
        note={pid: "B: compare with last year's", lines_pid: "method\n\nresults\n\ncritique: none"}
    )
    a.sync()
    done = b.sync()
    assert "both versions kept" in done.stdout
    a.sync()
    papers = assert_same(a, b)
    note = papers[pid]["note"]
    assert "A: the ablation is weak" in note and "B: compare with last year's" in note
    assert NOTE_SEPARATOR in note
    # Changes to different lines of one note merge line by line, without a separator.
    assert papers[lines_pid]["note"] == "method: sound\n\nresults\n\ncritique: none"


def _random_changes(machine: Machine, pids: list[str], count: int, seed: int) -> None:
    rng = random.Random(seed)
    with Library.open(machine.db) as library:
        for step in range(count):
            pid = rng.choice(pids)
            entry = library.get(pid)
            kind = rng.choice(("star", "read", "note", "tags"))
            if kind == "star":
                library.set_starred(pid, not entry.state.starred)
            elif kind == "read":
                library.set_read(pid, not entry.state.read)
            elif kind == "note":
                library.set_note(pid, f"{machine.name} note {step} {rng.random():.6f}")
            else:
                tags = set(entry.state.tags) ^ {rng.choice(("a", "b", "c", "d", machine.name))}
                library.set_tags(pid, sorted(tags))


@pytest.mark.slow
def test_200_random_changes_on_each_machine_then_sync_both_ways(tmp_path: Path) -> None:
    a, b, _ = two_machines(tmp_path, papers=60)
    pids = ids(a)
    base = a.papers()
    _random_changes(a, pids, 200, seed=1)
    _random_changes(b, pids, 200, seed=2)
    mine, theirs = a.papers(), b.papers()
    settle(a, b)
    merged = assert_same(a, b)
    for pid in pids:
        old, x, y, now = base[pid], mine[pid], theirs[pid], merged[pid]
        for name in ("starred", "read", "note"):
            if x[name] == old[name]:
                assert now[name] == y[name], (pid, name)
            elif y[name] == old[name]:
                assert now[name] == x[name], (pid, name)
            elif name == "note" and x[name] != y[name]:
                assert x[name] in now[name] and y[name] in now[name]
            else:
                assert now[name] == x[name] == y[name]
        added = (set(x["tags"]) | set(y["tags"])) - set(old["tags"])
        removed = set(old["tags"]) - (set(x["tags"]) & set(y["tags"]))
        assert set(now["tags"]) == (set(old["tags"]) | added) - removed, pid


def test_a_merge_a_rebase_and_a_plain_git_pull_give_the_same_bytes(tmp_path: Path) -> None:
    a, b, _ = two_machines(tmp_path)
    first, second = ids(a)[0], ids(a)[1]
    a.change(star=[first], note={second: "from a"}, tags={first: ["x", "y"]})
    with Library.open(a.db) as library:
        library.import_papers(make_papers(3, start=100), "a.txt")
    b.change(read=[first], note={second: "from b"}, tags={first: ["y", "z"]})
    with Library.open(b.db) as library:
        library.import_papers(make_papers(3, start=200), "b.txt")
    a.sync()
    b.sync("--offline")  # B's commit, not yet merged
    copies = {}
    for way in ("rebase", "pull"):
        folder = tmp_path / f"lib-b-{way}"
        shutil.copytree(b.folder, folder)
        copies[way] = folder
    for folder in copies.values():  # plain git uses the driver readlist configured
        driver = git(folder, "config", "--get", "merge.readlist.driver", env=b.env)
        assert driver.strip().endswith("-m readlist.core.sync.driver %O %A %B %P")
    # Plain git, before B pushes anything (so each of these really merges A's commit in).
    git(copies["rebase"], "fetch", "--quiet", "origin", env=b.env)
    git(copies["rebase"], "rebase", "origin/main", env=b.env)  # %A is the upstream side here
    git(copies["pull"], "pull", "--quiet", "--no-rebase", "--no-edit", env=b.env)
    for folder in copies.values():
        assert len(git(folder, "log", "--format=%h", env=b.env).split()) >= 3
    b.sync()  # readlist: fetch, merge through the driver, commit
    merged = b.db.read_bytes()
    assert (copies["rebase"] / "library.json").read_bytes() == merged
    assert (copies["pull"] / "library.json").read_bytes() == merged
    a.sync()
    papers = assert_same(a, b)
    assert papers[first]["starred"] and papers[first]["read"]
    assert papers[first]["tags"] == ["x", "y", "z"]
    assert len(papers) == 36


def test_clone_works_whatever_the_bare_remotes_head_names(tmp_path: Path) -> None:
    """`git init --bare` on a server whose git defaults to master; the first push made main.
    A plain `git clone` gives an empty checkout with a warning; `readlist sync clone` does not."""
    remote = bare_remote(tmp_path, default_branch="master")
    a, b = make_machine(tmp_path, "a"), make_machine(tmp_path, "b")
    with Library.open(a.db) as library:
        library.import_papers(make_papers(12), "feed.txt")
    a.sync("init", str(remote))
    assert git(remote, "symbolic-ref", "HEAD").strip() == "refs/heads/master"
    assert git(remote, "branch", "--list").split() == ["main"]
    plain = tmp_path / "plain-clone"
    git(tmp_path, "clone", "--quiet", str(remote), str(plain), env=b.env)
    assert not (plain / "library.json").exists()  # what a user of plain git would get
    b.sync("clone", str(remote))
    assert b.git("symbolic-ref", "--short", "HEAD").strip() == "main"
    assert b.git("rev-parse", "--abbrev-ref", "main@{upstream}").strip() == "origin/main"
    papers = assert_same(a, b)
    assert len(papers) == 12


def test_clone_merges_the_library_already_on_the_machine(tmp_path: Path) -> None:
    a, _, remote = two_machines(tmp_path, papers=8)
    c = make_machine(tmp_path, "c")
    with Library.open(c.db) as library:
        library.import_papers(make_papers(6, start=5), "laptop.txt")  # 5..10: 3 shared
    shared = make_papers(6, start=5)[0].id
    c.change(star=[shared], note={shared: "mine, from before the clone"})
    a.change(note={shared: "the lab's"})
    a.sync()
    c.sync("clone", str(remote))
    a.sync()
    papers = assert_same(a, c)
    assert len(papers) == 11
    assert papers[shared]["starred"]
    assert "mine, from before the clone" in papers[shared]["note"]
    assert "the lab's" in papers[shared]["note"]


def test_status_reports_ahead_uncommitted_last_sync_and_the_driver(tmp_path: Path) -> None:
    a, _, _ = two_machines(tmp_path)
    pid = ids(a)[0]
    a.change(star=[pid])
    a.sync("--offline")
    a.readlist("set", pid, "--note", "later")
    done = a.readlist("sync", "status")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "ahead 1, behind 0" in text
    assert "uncommitted: the library changed since the last sync" in text
    assert "offline: committed here only" in text  # the last sync
    assert "merge driver: configured" in text
    not_set_up = make_machine(tmp_path, "c")
    done = not_set_up.readlist("sync", "status")
    assert done.returncode == 2 and "readlist sync init" in done.stderr
