"""The steps of one sync: fold the journal, commit, fetch, merge, check, push.

Each step that reads or writes the library file in the working folder (staging it, merging into
it) holds the library's own lock (locks.py); the network steps hold none of the Library's.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from readlist.core.errors import LibraryError
from readlist.core.library import Library
from readlist.core.library.documents import RawLibrary, check_paper, read_documents
from readlist.core.sync.git import (
    EXIT_GIT_FAILED,
    EXIT_MERGE_FAILED,
    EXIT_PUSH_REJECTED,
    EXIT_SETUP,
    EXIT_UNREACHABLE,
    Git,
    GitResult,
    SyncError,
)
from readlist.core.sync.locks import library_lock
from readlist.core.sync.repo import (
    LAST_SYNC,
    MERGE_MARKER,
    clear_stale_locks,
    configure_driver,
    recover_merge,
    remove_merge_leftovers,
    write_setup_files,
)
from readlist.core.sync.summary import commit_message, describe_changes

PUSH_ATTEMPTS = 4


@dataclass
class Session:
    """One sync of one library: its repository, and what happened so far (lines to print)."""

    path: Path
    git: Git
    git_dir: Path
    lines: list[str] = field(default_factory=list)
    #: The library as the last commit this sync made holds it (reading a 17 MB blob back
    #: from git costs a tenth of a second).
    known: tuple[str, RawLibrary] | None = None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def own_files(self) -> tuple[str, ...]:
        """The only files readlist ever stages or commits."""
        return (self.name, ".gitignore", ".gitattributes")


def prepare(s: Session) -> None:
    """Recover from a sync that was killed, and (re)write the driver's configuration."""
    s.lines += clear_stale_locks(s.git.folder, s.git_dir)
    remove_merge_leftovers(s.git.folder)
    with library_lock(s.path):
        s.lines += recover_merge(s.git, s.git_dir, s.path)
    configure_driver(s.git, s.git_dir, s.name)


def fold_journal(path: Path, library: Library | None) -> None:
    """Fold the state changes still in the journal into the library file, so they get committed."""
    try:
        if library is not None:
            if library.read_only:
                raise SyncError(f"{path}: the library is read-only here", EXIT_SETUP)
            library.compact()
            return
        journal = path.with_name(path.name + ".journal")
        if journal.exists() and journal.stat().st_size > 0:
            Library.open(path).close()  # closing folds the journal in
    except LibraryError as error:
        raise SyncError(str(error), EXIT_SETUP) from None


def branches(s: Session) -> tuple[str, str]:
    """(this branch, its branch on origin): the upstream git knows, else the same name."""
    branch = s.git.value("symbolic-ref", "--quiet", "--short", "HEAD")
    if not branch:
        raise SyncError(
            f"{s.git.folder}: HEAD is detached (no branch checked out): check out your branch "
            "(git checkout main), then sync",
            EXIT_GIT_FAILED,
        )
    remote_branch = ""
    if s.git.config(f"branch.{branch}.remote") == "origin":
        remote_branch = s.git.config(f"branch.{branch}.merge").removeprefix("refs/heads/")
    return branch, remote_branch or branch


def set_upstream(s: Session, branch: str, remote_branch: str) -> None:
    """What `git push -u` would set, so plain `git pull` and `git status` know the remote."""
    if s.git.config(f"branch.{branch}.remote") != "origin":
        s.git.run("config", f"branch.{branch}.remote", "origin")
        s.git.run("config", f"branch.{branch}.merge", f"refs/heads/{remote_branch}")


def head(s: Session) -> str | None:
    return s.git.value("rev-parse", "--verify", "--quiet", "HEAD^{commit}") or None


def committed_docs(s: Session, commit: str | None, strict: bool = False) -> RawLibrary:
    """The library as a commit holds it: empty if the commit or the file is missing, or (unless
    `strict`) is not a library, so that every paper is then checked as new."""
    if commit is None:
        return RawLibrary()
    if s.known is not None and s.known[0] == commit:
        return s.known[1]
    blob = s.git.run("cat-file", "blob", f"{commit}:{s.name}", check=False)
    if blob.status != 0:
        return RawLibrary()
    try:
        return read_documents(s.path, io.BytesIO(blob.data))
    except LibraryError:
        if strict:
            raise
        return RawLibrary()


def check_changed(path: Path, before: RawLibrary, after: RawLibrary) -> None:
    """Every paper that is new or changed since `before` (already checked) reads as a paper.
    The layout, unique ids and the schema were checked when `after` was read."""
    for pid, doc in after.docs.items():
        if before.docs.get(pid) != doc:
            check_paper(path, pid, doc, after.seqs.get(pid, 0))


def _working_docs(s: Session) -> RawLibrary:
    with open(s.path, "rb") as handle:
        return read_documents(s.path, handle)


def commit_local(s: Session) -> None:
    """Commit the library (and the set-up files) as they are now, if they changed."""
    with library_lock(s.path):
        write_setup_files(s.git.folder, s.name)
        if not s.path.exists():
            raise SyncError(
                f"{s.path}: no library here (import a feed first, or restore it: "
                f"git -C {s.git.folder} checkout -- {s.name})",
                EXIT_SETUP,
            )
        before = committed_docs(s, head(s))
        try:
            after = _working_docs(s)
            check_changed(s.path, before, after)
        except (OSError, LibraryError) as error:
            raise SyncError(f"{error}; nothing was committed", EXIT_SETUP) from None
        s.git.run("add", "--", *s.own_files)
        staged = s.git.run("diff", "--cached", "--name-only", "--no-ext-diff", "-z").out
        names = set(filter(None, staged.split("\0")))
        if not names & set(s.own_files):
            return
        subject, body = commit_message(describe_changes(before, after), "readlist sync: set-up")
        message = ["-m", subject] + (["-m", body] if body else [])
        # Naming the paths makes git hash the library again: only to leave out what the user
        # staged of their own.
        paths = ["--", *s.own_files] if names - set(s.own_files) else []
        s.git.run("commit", "--no-verify", "--quiet", *message, *paths)
        s.known = (head(s) or "", after)
        s.lines.append(f"committed: {subject}")


def fetch(s: Session, remote_branch: str) -> str | None:
    """Fetch the branch from origin; its commit, or None if origin has no such branch yet."""
    tracking = f"refs/remotes/origin/{remote_branch}"
    done = s.git.run(
        "fetch",
        "--no-tags",
        "--quiet",
        "origin",
        f"+refs/heads/{remote_branch}:{tracking}",
        check=False,
        network=True,
    )
    if done.status != 0:
        if "couldn't find remote ref" in done.err:
            return None
        raise unreachable(s, done)
    return s.git.value("rev-parse", "--verify", "--quiet", tracking) or None


def unreachable(s: Session, done: GitResult) -> SyncError:
    url = s.git.config("remote.origin.url")
    return SyncError(
        f"cannot reach {url} ({done.reason()}); the local commit is kept and the next sync "
        "pushes it",
        EXIT_UNREACHABLE,
    )


def is_ancestor(s: Session, older: str, newer: str) -> bool:
    return s.git.run("merge-base", "--is-ancestor", older, newer, check=False).status == 0


def merge(s: Session, theirs: str, remote_branch: str) -> None:
    """Bring origin's commit in: a fast-forward, or a merge through the driver that is checked
    before it is committed. On failure nothing is changed."""
    ours = head(s)
    if ours is not None and is_ancestor(s, theirs, ours):
        return
    where = f"origin/{remote_branch} ({theirs[:10]})"
    with library_lock(s.path):
        before = committed_docs(s, ours)
        if ours is None or is_ancestor(s, ours, theirs):
            _check_or_fail(s, theirs, before, where)
            after = committed_docs(s, theirs)
            done = s.git.run("merge", "--ff-only", "--quiet", theirs, check=False)
            if done.status != 0:
                raise SyncError(f"{where}: {_merge_problem(done)}", EXIT_MERGE_FAILED)
            reports: list[str] = []
        else:
            after, reports = _three_way(s, theirs, ours, before, where)
        for name in s.own_files:  # git writes files by the umask; notes are private
            with contextlib.suppress(OSError):
                os.chmod(s.git.folder / name, 0o600)
    items = describe_changes(before, after)
    s.lines.append(f"from {where}: " + ("; ".join(items[:8]) or "set-up only"))
    s.lines += reports


def _three_way(
    s: Session, theirs: str, ours: str, before: RawLibrary, where: str
) -> tuple[RawLibrary, list[str]]:
    marker = s.git_dir / MERGE_MARKER
    marker.write_text(theirs + "\n", encoding="utf-8")
    done = s.git.run(
        "merge",
        "--no-ff",
        "--no-commit",
        "--no-verify-signatures",
        "--allow-unrelated-histories",
        "--quiet",
        theirs,
        check=False,
    )
    reports = [
        line.removeprefix("readlist: ")
        for line in done.err.splitlines()
        if line.startswith("readlist: ")
    ]
    if done.status != 0:
        _undo_merge(s)
        problem = "; ".join(reports) or _merge_problem(done)
        raise SyncError(
            f"merging {where} into {ours[:10]} failed: {problem}; nothing was changed or pushed",
            EXIT_MERGE_FAILED,
        )
    try:
        after = _working_docs(s)
        check_changed(s.path, before, after)
    except (OSError, LibraryError) as error:
        _undo_merge(s)
        raise SyncError(
            f"merging {where}: the result is not a library ({error}); nothing was changed",
            EXIT_MERGE_FAILED,
        ) from None
    subject, body = commit_message(describe_changes(before, after), f"readlist sync: merge {where}")
    message = f"readlist sync: merge {where}: {subject}"
    notes = "\n".join(reports)
    extra = ["-m", "\n".join(filter(None, (body, notes)))] if body or notes else []
    s.git.run("commit", "--no-verify", "--quiet", "-m", message, *extra)
    marker.unlink(missing_ok=True)
    s.known = (head(s) or "", after)
    return after, reports


def _undo_merge(s: Session) -> None:
    if (s.git_dir / "MERGE_HEAD").exists():
        undone = s.git.run("merge", "--abort", check=False)
        if undone.status != 0:
            raise SyncError(
                f"{s.git.folder}: a failed merge could not be undone ({undone.reason()}); "
                "run git merge --abort there",
                EXIT_GIT_FAILED,
            )
    (s.git_dir / MERGE_MARKER).unlink(missing_ok=True)


def _merge_problem(done: GitResult) -> str:
    """git's reason, with the files it names (a merge refused over the user's own changes)."""
    lines = done.err.splitlines() + done.out.splitlines()
    files = [line.strip() for line in lines if line[:1] in (" ", "\t") and line.strip()]
    conflicts = [line for line in lines if line.startswith("CONFLICT")]
    reason = "; ".join(conflicts) or done.reason()
    return f"{reason.rstrip(':')}: {', '.join(files)}" if files else reason


def _check_or_fail(s: Session, theirs: str, before: RawLibrary, where: str) -> None:
    """A commit to fast-forward to holds a library (every paper new or changed checked)."""
    if s.git.run("cat-file", "-e", f"{theirs}:{s.name}", check=False).status != 0:
        raise SyncError(
            f"{where} holds no {s.name}: is origin a readlist library? (nothing was changed)",
            EXIT_MERGE_FAILED,
        )
    try:
        check_changed(s.path, before, committed_docs(s, theirs, strict=True))
    except LibraryError as error:
        raise SyncError(f"{where}: {error}; nothing was changed", EXIT_MERGE_FAILED) from None


def push(s: Session, branch: str, remote_branch: str) -> bool:
    """Push the branch; False if origin moved meanwhile (fetch and merge again)."""
    done = s.git.run(
        "push",
        "--porcelain",
        "--no-verify",
        "origin",
        f"refs/heads/{branch}:refs/heads/{remote_branch}",
        check=False,
        network=True,
    )
    if done.status == 0:
        return True
    refused = [line for line in done.out.splitlines() if line.startswith("!")]
    if any("[rejected]" in line or _lost_ref_race(line) for line in refused):
        return False
    if refused:
        why = refused[0].split("\t")[-1]
        raise SyncError(f"origin refused the push: {why}", EXIT_PUSH_REJECTED)
    if "failed to push" in done.err:
        raise SyncError(f"the push failed: {done.reason()}", EXIT_PUSH_REJECTED)
    raise unreachable(s, done)


def _lost_ref_race(line: str) -> bool:
    """The remote could not update the branch because another push held it at that moment
    ("failed to update ref", "cannot lock ref"): try again, like a rejected push."""
    return "[remote rejected]" in line and ("update ref" in line or "lock ref" in line)


def exchange(s: Session, fetched: str | None = None) -> None:
    """Fetch, merge and push until origin has everything, retrying a push that lost a race
    (`fetched`: origin's commit, fetched a moment ago: the first round does not fetch again)."""
    branch, remote_branch = branches(s)
    for attempt in range(PUSH_ATTEMPTS):
        theirs = fetched if attempt == 0 and fetched is not None else fetch(s, remote_branch)
        if theirs is not None:
            merge(s, theirs, remote_branch)
        if head(s) in (None, theirs):
            s.lines.append(f"up to date with origin/{remote_branch}")
            return
        if push(s, branch, remote_branch):
            set_upstream(s, branch, remote_branch)
            s.lines.append(f"pushed to origin/{remote_branch}")
            return
        time.sleep(random.uniform(0.1, 0.6) * (attempt + 1))
    raise SyncError(
        f"origin/{remote_branch} kept moving: the push was rejected {PUSH_ATTEMPTS} times; "
        "the local commits are kept, sync again",
        EXIT_PUSH_REJECTED,
    )


def record(s: Session, status: int, message: str) -> None:
    """Remember when this sync ran and how it ended, for `readlist sync status`."""
    when = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with contextlib.suppress(OSError):
        (s.git_dir / LAST_SYNC).write_text(
            json.dumps({"time": when, "status": status, "message": message}) + "\n",
            encoding="utf-8",
        )
