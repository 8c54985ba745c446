"""Sync figures for one library size, in a process of their own: a sync that merges 20 changes
made on each of two machines, and the merge driver alone.

    python -m benchmarks.measure_sync FEED WORKDIR [--runs 3]   -> one JSON object on stdout

Both machines and the bare remote live under WORKDIR, with their own git identity and no system
or user git config. The sync is `run_sync` in-process (what `readlist sync` does, minus the
interpreter's start): machine A commits and pushes its 20 changes, then machine B, timed, fetches,
merges its own (not committed yet) with A's in process, checks, commits once on top of A's
commit and pushes (`readlist/core/sync/onto.py`; a `git merge` through the driver where B has
commits of its own). Each git command is timed, so git's own work is shown apart: a `git merge`
call (which runs the driver, 0 here) and every other git command. The driver alone runs as git
runs it, `python -m readlist.core.sync.driver`, on a library and two copies with 20 changes each
(`--driver-only`: just that, for 100,000 papers, where one sync would take minutes of the
benchmark). CPU time is reported beside wall time: this machine is shared, and the CPU seconds
say what the work costs whatever else is running.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import median
from readlist.core.formats import read_feed
from readlist.core.library import Library
from readlist.core.sync import git as sync_git
from readlist.core.sync.commands import run_clone, run_init, run_sync

CHANGES = 20
DRIVER = "readlist.core.sync.driver"
#: Above this many papers only the driver is measured (a two-machine sync of a 180 MB file
#: would take minutes of the benchmark, and only the driver has a budget there).
SYNC_UP_TO = 10_000


def _hermetic_git(workdir: Path) -> None:
    home = workdir / "git-home"
    home.mkdir(parents=True, exist_ok=True)
    config = home / ".gitconfig"
    config.write_text("[user]\n\tname = Bench\n\temail = bench@example.org\n", encoding="utf-8")
    os.environ.update(HOME=str(home), GIT_CONFIG_GLOBAL=str(config), GIT_CONFIG_NOSYSTEM="1")


def _change(db: Path, seed: int) -> None:
    """`CHANGES` state changes, as a user makes them: stars, reads, notes and tags."""
    rng = random.Random(seed)
    with Library.open(db) as library:
        ids = [e.id for e in library.entries()]
        for step in range(CHANGES):
            pid = rng.choice(ids)
            kind = step % 4
            if kind == 0:
                library.set_starred(pid, True)
            elif kind == 1:
                library.set_read(pid, True)
            elif kind == 2:
                library.set_note(pid, f"note {seed} {step}")
            else:
                library.set_tags(pid, [f"tag{seed}", "bench"])


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class _GitClock:
    """Wraps `Git.run` to add up the time spent in git (wall and CPU), the merge call (which
    runs the driver) apart from every other git command."""

    def __init__(self) -> None:
        self.wall = {"merge": 0.0, "other": 0.0}
        self.cpu = {"merge": 0.0, "other": 0.0}
        self._run = sync_git.Git.run

    def __enter__(self) -> _GitClock:
        clock, run = self, self._run

        def timed(git: sync_git.Git, *args: str, **kwargs: Any) -> sync_git.GitResult:
            start, cpu = time.perf_counter(), _children_cpu()
            try:
                return run(git, *args, **kwargs)
            finally:
                kind = "merge" if args and args[0] == "merge" else "other"
                clock.wall[kind] += time.perf_counter() - start
                clock.cpu[kind] += _children_cpu() - cpu

        sync_git.Git.run = timed  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        sync_git.Git.run = self._run  # type: ignore[method-assign]


def _push_bytes(clone: Path, before: str) -> int:
    """The size of the pack a push from `clone` sends to an origin whose branch is at `before`:
    git's own pack-objects, as `git push` runs it, with the clone's config (what goes over the
    network; the local remote cannot be asked what it received, as it unpacks it)."""
    tip = _head(clone)
    pack_objects = ["pack-objects", "--revs", "--thin", "--stdout", "--delta-base-offset", "-q"]
    pack = subprocess.run(
        ["git", "-C", str(clone), *pack_objects],
        input=f"{tip}\n^{before}\n".encode(),
        capture_output=True,
        check=True,
    )
    return len(pack.stdout)


def _head(clone: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(clone), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


def measure_sync(feed: Path, workdir: Path, runs: int) -> dict[str, Any]:
    """B's sync after A pushed: 20 changes each side, a three-way merge."""
    parsed = read_feed(str(feed))
    figures: dict[str, list[float]] = {}
    for run in range(runs):
        root = workdir / f"sync-{run}"
        shutil.rmtree(root, ignore_errors=True)
        remote = root / "remote.git"
        subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
        a, b = root / "a" / "library.json", root / "b" / "library.json"
        with Library.open(a) as library:
            library.import_papers(parsed.papers, parsed.source)
        run_init(a, str(remote))
        run_clone(b, str(remote))
        _change(a, seed=1)
        _change(b, seed=2)
        start = time.perf_counter()
        run_sync(a)
        first = time.perf_counter() - start
        pushed_by_a = _head(a.parent)  # origin's branch when B's sync starts
        with _GitClock() as clock:
            start, cpu, own = time.perf_counter(), _children_cpu(), time.process_time()
            run_sync(b)
            total = time.perf_counter() - start
            total_cpu = _children_cpu() - cpu + time.process_time() - own
        git_wall = clock.wall["merge"] + clock.wall["other"]
        for key, value in (
            ("sync_s", total),
            ("sync_cpu_s", total_cpu),
            ("sync_git_merge_s", clock.wall["merge"]),
            ("sync_git_other_s", clock.wall["other"]),
            ("sync_git_cpu_s", clock.cpu["merge"] + clock.cpu["other"]),
            ("sync_readlist_s", total - git_wall),
            ("sync_push_only_s", first),
            ("sync_push_kb", _push_bytes(b.parent, pushed_by_a) / 1000),
        ):
            figures.setdefault(key, []).append(value)
        shutil.rmtree(root, ignore_errors=True)
    out: dict[str, Any] = {key: median(values) for key, values in figures.items()}
    out["sync_changes_each_side"] = CHANGES
    return out


def measure_driver(feed: Path, workdir: Path, runs: int) -> dict[str, Any]:
    """The driver as git runs it, on a library and two copies with 20 changes each."""
    parsed = read_feed(str(feed))
    base = workdir / "driver-base.json"
    with Library.open(base) as library:
        library.import_papers(parsed.papers, parsed.source)
    del parsed
    sides = {}
    for seed, name in ((1, "ours"), (2, "theirs")):
        sides[name] = workdir / f"driver-{name}.json"
        shutil.copyfile(base, sides[name])
        _change(sides[name], seed)
    times = []
    for _ in range(runs):
        result = workdir / "driver-result.json"
        shutil.copyfile(sides["ours"], result)
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", DRIVER, str(base), str(result), str(sides["theirs"]), "lib"],
            capture_output=True,
            check=False,
        )
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"driver failed: {done.stderr.decode()}")
    return {"driver_s": median(times), "driver_file_mb": base.stat().st_size / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("feed", type=Path)
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--driver-only", action="store_true", help="skip the two-machine sync")
    args = parser.parse_args()
    workdir = args.workdir / "sync"
    workdir.mkdir(parents=True, exist_ok=True)
    _hermetic_git(workdir)
    out = {} if args.driver_only else measure_sync(args.feed, workdir, args.runs)
    out.update(measure_driver(args.feed, workdir, args.runs))
    shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
