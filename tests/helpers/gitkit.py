"""Hermetic machines for the sync tests: each has its own HOME, global git config (with an
identity), caches and library, and shares a bare repository under the test's folder. No system
git config (GIT_CONFIG_NOSYSTEM=1), no network. readlist runs as a user would run it, in a fresh
`python -m readlist` process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.synthetic import make_papers
from tinydb import TinyDB

from readlist.core.library import Library

ROOT = Path(__file__).resolve().parents[2]
#: git variables that would point a command at another repository (a test run from a git hook).
_GIT_LOCATIONS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CONFIG_PARAMETERS")


def hermetic_env(home: Path, gitconfig: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _GIT_LOCATIONS}
    env.update(
        HOME=str(home),
        GIT_CONFIG_GLOBAL=str(gitconfig),
        GIT_CONFIG_NOSYSTEM="1",
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    env.pop("READLIST_DB", None)
    env.pop("EMAIL", None)
    return env


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Plain git, as the user would type it; its stdout (AssertionError if it fails)."""
    done = subprocess.run(
        ["git", "-C", str(cwd), *args], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


@dataclass
class Machine:
    """One researcher's machine: a library at `db`, readlist and git with their own settings."""

    name: str
    home: Path
    db: Path
    env: dict[str, str]

    @property
    def folder(self) -> Path:
        return self.db.parent

    def readlist(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "readlist", "--db", str(self.db), *args],
            capture_output=True,
            text=True,
            env=self.env,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )

    def sync(self, *args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        done = self.readlist("sync", *args)
        assert done.returncode == expect, (
            f"{self.name}: readlist sync {' '.join(args)} -> {done.returncode}\n"
            f"stdout: {done.stdout}\nstderr: {done.stderr}"
        )
        return done

    def start_sync(self, *args: str) -> subprocess.Popen[str]:
        """A sync in its own process group (so a test can kill it and every git it started)."""
        return subprocess.Popen(
            [sys.executable, "-m", "readlist", "--db", str(self.db), "sync", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=self.env,
            start_new_session=True,
        )

    def git(self, *args: str) -> str:
        return git(self.folder, *args, env=self.env)

    def change(self, **fields: Any) -> None:
        """Change papers in-process through the Library: `change(star=[id], note={id: text})`."""
        with Library.open(self.db) as library:
            for pid in fields.get("star", ()):
                library.set_starred(pid, True)
            for pid in fields.get("unstar", ()):
                library.set_starred(pid, False)
            for pid in fields.get("read", ()):
                library.set_read(pid, True)
            for pid, text in fields.get("note", {}).items():
                library.set_note(pid, text)
            for pid, tags in fields.get("tags", {}).items():
                library.set_tags(pid, tags)

    def papers(self) -> dict[str, dict[str, Any]]:
        """The library as stock TinyDB reads it, by paper id."""
        db = TinyDB(str(self.db), access_mode="r")
        try:
            return {doc["id"]: dict(doc) for doc in db.table("papers").all()}
        finally:
            db.close()


def make_machine(tmp_path: Path, name: str, config: str = "") -> Machine:
    home = tmp_path / f"home-{name}"
    home.mkdir(parents=True)
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(
        f"[user]\n\tname = Researcher {name}\n\temail = {name}@example.org\n{config}",
        encoding="utf-8",
    )
    return Machine(
        name, home, tmp_path / f"lib-{name}" / "library.json", hermetic_env(home, gitconfig)
    )


def bare_remote(tmp_path: Path, default_branch: str = "main") -> Path:
    """A bare repository as a lab would make one with plain `git init --bare`."""
    remote = tmp_path / "remote.git"
    home = tmp_path / "home-server"
    home.mkdir(exist_ok=True)
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(f"[init]\n\tdefaultBranch = {default_branch}\n", encoding="utf-8")
    git(tmp_path, "init", "--quiet", "--bare", str(remote), env=hermetic_env(home, gitconfig))
    return remote


def two_machines(tmp_path: Path, papers: int = 30) -> tuple[Machine, Machine, Path]:
    """A with `papers` papers, set up with `sync init REMOTE`; B set up with `sync clone`."""
    remote = bare_remote(tmp_path)
    a, b = make_machine(tmp_path, "a"), make_machine(tmp_path, "b")
    with Library.open(a.db) as library:
        library.import_papers(make_papers(papers), "feed.txt")
    a.sync("init", str(remote))
    b.sync("clone", str(remote))
    return a, b, remote


def ids(machine: Machine) -> list[str]:
    """The machine's paper ids in file order."""
    return list(machine.papers())


def settle(*machines: Machine) -> None:
    """Sync each machine, then the first again, so every machine has every change."""
    for machine in machines:
        machine.sync()
    machines[0].sync()


def assert_same(a: Machine, b: Machine) -> dict[str, dict[str, Any]]:
    """Both libraries are byte-identical and stock TinyDB reads them; their papers by id."""
    assert a.db.read_bytes() == b.db.read_bytes(), "the two machines' libraries differ"
    papers = a.papers()
    assert papers == b.papers()
    return papers


def wait_for_process(marker: str, timeout: float = 60.0) -> int | None:
    """The pid of a running process whose command line contains `marker`, once one appears."""
    deadline = time.monotonic() + timeout
    own = os.getpid()
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == own:
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if marker.encode() in cmdline:
                return int(entry.name)
        time.sleep(0.005)
    return None


def kill_group(process: subprocess.Popen[str]) -> None:
    """kill -9 the sync and every process it started (git, the driver, receive-pack)."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
