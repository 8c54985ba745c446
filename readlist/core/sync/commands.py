"""`readlist sync` and its subcommands: init, clone, sync, status.

Each returns the lines to show (what happened) or raises SyncError, whose status is the command's
exit status. The remote is git's `origin` and the branch the repository's current one, so plain
git (`git log`, `git pull`, `git remote set-url origin ...`) does what a git user expects there.
Nothing here rewrites history, force-pushes, resets, or stages a file other than the library,
`.gitignore` and `.gitattributes`.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path

from readlist.core.errors import LibraryError
from readlist.core.library import Library
from readlist.core.library.safe_files import ensure_folder
from readlist.core.sync.git import (
    EXIT_OK,
    EXIT_SETUP,
    EXIT_UNREACHABLE,
    Git,
    SyncError,
    check_identity,
    driver_command,
    find_git,
)
from readlist.core.sync.locks import sync_lock
from readlist.core.sync.onto import fetch_then_merge_onto
from readlist.core.sync.repo import LAST_SYNC, check_name, git_dir_of, pack_loose_objects
from readlist.core.sync.steps import (
    Session,
    branches,
    commit_local,
    exchange,
    fetch,
    fold_journal,
    head,
    merge,
    prepare,
    record,
    set_upstream,
)


def _folder_git(path: Path) -> Git:
    check_name(path)
    executable = find_git()
    try:
        ensure_folder(path)
    except LibraryError as error:
        raise SyncError(str(error), EXIT_SETUP) from None
    return Git(path.parent, executable)


def _session(path: Path) -> Session:
    """The sync session of a library whose folder is already a repository."""
    git = _folder_git(path)
    git_dir = git_dir_of(git)
    if git_dir is None:
        raise SyncError(
            f"{git.folder} is not set up for sync: run readlist sync init [REMOTE] there, or "
            "readlist sync clone REMOTE on a new machine",
            EXIT_SETUP,
        )
    return Session(path, git, git_dir)


def _finish(s: Session, offline: bool, fetched: str | None = None) -> list[str]:
    """After the local commit: exchange with origin (unless offline or there is none);
    `fetched` is origin's commit if this sync has just fetched it."""
    if offline:
        s.lines.append("offline: committed here only")
    elif not s.git.config("remote.origin.url"):
        s.lines.append("no remote yet: committed here only (add one: readlist sync init REMOTE)")
    else:
        exchange(s, fetched)
    return s.lines


def _recorded(s: Session, work: list[str]) -> list[str]:
    record(s, EXIT_OK, "; ".join(line for line in work if line) or "nothing to do")
    return work


def run_sync(path: Path, *, offline: bool = False, library: Library | None = None) -> list[str]:
    """Fold the journal, commit, fetch, merge, check, commit, push (`--offline`: commit only).

    Changes not committed yet meet origin's new commits in one commit on top of them
    (`onto.py`); otherwise the local commit and a merge through the driver."""
    path = Path(path).expanduser().absolute()
    s = _session(path)
    check_identity(s.git)
    with sync_lock(path):
        try:
            prepare(s)
            fold_journal(path, library)
            onto, theirs = False, None
            if not offline and s.git.config("remote.origin.url"):
                try:
                    onto, theirs = fetch_then_merge_onto(s)
                except SyncError as error:
                    if error.status == EXIT_UNREACHABLE:
                        commit_local(s)  # kept, and pushed by the next sync
                    raise
            if not onto:
                commit_local(s)
            lines = _recorded(s, _finish(s, offline, theirs))
        except SyncError as error:
            record(s, error.status, str(error))
            raise
        pack_loose_objects(s.git)
        return lines


def _default_branch(git: Git) -> str:
    return git.config("init.defaultBranch") or "main"


def _new_repository(git: Git, branch: str | None = None) -> Path:
    git.run("init", "--quiet")
    git.run("symbolic-ref", "HEAD", f"refs/heads/{branch or _default_branch(git)}")
    git_dir = git_dir_of(git)
    if git_dir is None:
        raise SyncError(f"{git.folder}: git init did not make a repository", EXIT_SETUP)
    return git_dir


def _remote_heads(git: Git, remote: str) -> tuple[str | None, list[str]]:
    """(the branch the remote's HEAD names, its branches); SyncError if it cannot be reached."""
    done = git.run("ls-remote", "--symref", remote, check=False, network=True)
    if done.status != 0:
        raise SyncError(f"cannot reach {remote} ({done.reason()})", EXIT_UNREACHABLE)
    head_branch: str | None = None
    heads: list[str] = []
    for line in done.out.splitlines():
        if line.startswith("ref: refs/heads/") and line.endswith("\tHEAD"):
            head_branch = line[len("ref: refs/heads/") : -len("\tHEAD")]
        else:
            ref = line.split("\t")[-1]
            if ref.startswith("refs/heads/"):
                heads.append(ref[len("refs/heads/") :])
    return head_branch, heads


def choose_branch(head_branch: str | None, heads: list[str]) -> str | None:
    """The remote's branch to follow. A bare repository made with plain `git init --bare` may
    name a HEAD branch that the first push never made: then its only branch, else main, master."""
    if head_branch in heads:
        return head_branch
    if len(heads) == 1:
        return heads[0]
    for name in ("main", "master"):
        if name in heads:
            return name
    return sorted(heads)[0] if heads else None


def _set_origin(s: Session, remote: str) -> None:
    url = s.git.config("remote.origin.url")
    if not url:
        s.git.run("remote", "add", "origin", remote)
    elif url != remote:
        raise SyncError(
            f"{s.git.folder}: origin is already {url}; to change it: "
            f"git -C {s.git.folder} remote set-url origin {remote}",
            EXIT_SETUP,
        )


def run_init(path: Path, remote: str | None = None, library: Library | None = None) -> list[str]:
    """Make the library's folder a repository (or adopt the one it is), set it up, commit, and
    sync with REMOTE if given."""
    path = Path(path).expanduser().absolute()
    git = _folder_git(path)
    git_dir = git_dir_of(git)
    lines: list[str] = []
    if git_dir is None:
        check_identity(git)
        git_dir = _new_repository(git)
        lines.append(f"made {git.folder} a git repository")
    else:
        check_identity(git)
        lines.append(f"using the git repository in {git.folder}")
    s = Session(path, git, git_dir, lines)
    with sync_lock(path):
        try:
            prepare(s)
            if not path.exists():
                Library.open(path).close()
            fold_journal(path, library)
            if remote:
                _set_origin(s, remote)
                if head(s) is None:
                    _follow_remote_branch(s, remote)
            commit_local(s)
            return _recorded(s, _finish(s, offline=False))
        except LibraryError as error:
            raise SyncError(str(error), EXIT_SETUP) from None
        except SyncError as error:
            record(s, error.status, str(error))
            raise


def _follow_remote_branch(s: Session, remote: str) -> None:
    """A new repository takes the name of the branch the remote already has, if any."""
    head_branch, heads = _remote_heads(s.git, remote)
    chosen = choose_branch(head_branch, heads)
    branch, _ = branches(s)
    if chosen and chosen != branch:
        s.git.run("symbolic-ref", "HEAD", f"refs/heads/{chosen}")
        branch = chosen
    set_upstream(s, branch, branch)


def run_clone(path: Path, remote: str) -> list[str]:
    """Set up this machine's library from REMOTE; a library already here is merged in."""
    path = Path(path).expanduser().absolute()
    git = _folder_git(path)
    if git_dir_of(git) is not None:
        raise SyncError(
            f"{git.folder} is already a git repository: run readlist sync there "
            "(or readlist sync init REMOTE to give it a remote)",
            EXIT_SETUP,
        )
    check_identity(git)
    head_branch, heads = _remote_heads(git, remote)  # before anything is made here
    branch = choose_branch(head_branch, heads) or _default_branch(git)
    git_dir = _new_repository(git, branch)
    s = Session(path, git, git_dir, [f"cloning {remote} (branch {branch}) into {git.folder}"])
    try:
        with sync_lock(path):
            git.run("remote", "add", "origin", remote)
            set_upstream(s, branch, branch)
            prepare(s)
            if not path.exists() and heads:
                theirs = fetch(s, branch)
                if theirs is not None:
                    merge(s, theirs, branch)
            if not path.exists():
                Library.open(path).close()  # an empty remote: start the library here
            fold_journal(path, None)
            commit_local(s)
            return _recorded(s, _finish(s, offline=False))
    except (SyncError, LibraryError) as error:
        if head(s) is None:  # nothing of the user's is in the repository made here: remove it
            with contextlib.suppress(OSError):
                shutil.rmtree(git_dir)
        if isinstance(error, LibraryError):
            raise SyncError(str(error), EXIT_SETUP) from None
        raise


def run_status(path: Path) -> list[str]:
    """Where the library syncs to, ahead/behind, uncommitted changes, the last sync, the driver."""
    path = Path(path).expanduser().absolute()
    s = _session(path)
    git = s.git
    branch, remote_branch = branches(s)
    url = git.config("remote.origin.url")
    lines = [f"library: {path}", f"branch: {branch}"]
    lines.append(f"remote: origin {url} (branch {remote_branch})" if url else "remote: none")
    tracking = f"refs/remotes/origin/{remote_branch}"
    if url and git.value("rev-parse", "--verify", "--quiet", tracking):
        counts = git.value("rev-list", "--left-right", "--count", f"HEAD...{tracking}").split()
        if len(counts) == 2:
            lines.append(f"ahead {counts[0]}, behind {counts[1]} (as of the last fetch)")
    elif url:
        lines.append("not pushed yet")
    changed = git.run("status", "--porcelain", "--", *s.own_files, check=False).out.strip()
    journal = path.with_name(path.name + ".journal")
    waiting = journal.read_bytes().count(b"\n") if journal.exists() else 0
    if changed or waiting:
        lines.append(
            "uncommitted: "
            + ("the library changed since the last sync" if changed else "")
            + ("; " if changed and waiting else "")
            + (f"{waiting} change(s) not yet folded into the file" if waiting else "")
        )
    else:
        lines.append("uncommitted: nothing")
    lines.append(f"last sync: {_last_sync(s)}")
    configured = git.value("config", "--local", "--get", "merge.readlist.driver")
    if configured == driver_command():
        lines.append(f"merge driver: configured ({configured.split(' -m ')[0]})")
    elif configured:
        lines.append(f"merge driver: names another readlist ({configured}); the next sync fixes it")
    else:
        lines.append("merge driver: not configured; the next sync configures it")
    return lines


def _last_sync(s: Session) -> str:
    try:
        last = json.loads((s.git_dir / LAST_SYNC).read_text(encoding="utf-8"))
        return f"{last['time']}, {'ok' if last['status'] == 0 else 'failed'}: {last['message']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "never"
