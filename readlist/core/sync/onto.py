"""The common sync: changes here not committed yet, new commits on origin. The three-way merge
runs in this process and its result is committed once, on top of origin's commit, so the
history stays linear (as after `git pull --rebase`) and the push carries one new version.

Why: the usual way commits the library here, lets `git merge` run the driver, and commits the
merge: two new versions of the file per sync (17 MB each at 10,000 papers), each written,
delta-compressed for the push and unpacked again by the remote; B's sync took 2.7-3.9 s. The
merge is the same one (base: HEAD, this side: the working file, other side: origin's commit),
so the file is byte for byte what the usual way gives (`merge_libraries` is symmetric).

Anything else takes the usual way, which stays the one that reports problems: commits of this
machine that origin lacks, anything staged, set-up files changed, a working file or an origin
file that is not a library, other files in the way of origin's changes.

Crash safety: the working file gets the merged library (which holds every local change) before
anything moves; the branch moves last, by `update-ref` from the commit it was at. A sync killed
in between leaves a working file that the next sync commits and merges again, with nothing lost.
"""

from __future__ import annotations

import contextlib
import os

from readlist.core.errors import LibraryError
from readlist.core.library.documents import (
    RawLibrary,
    encode_documents,
    read_documents,
    write_documents,
)
from readlist.core.sync.driver import check_written
from readlist.core.sync.locks import library_lock
from readlist.core.sync.merge import merge_libraries
from readlist.core.sync.repo import write_setup_files
from readlist.core.sync.steps import (
    Session,
    branches,
    check_changed,
    committed_docs,
    fetch,
    head,
    is_ancestor,
)
from readlist.core.sync.summary import commit_message, describe_changes


def fetch_then_merge_onto(s: Session) -> tuple[bool, str | None]:
    """Fetch origin's branch; if this machine has only uncommitted changes and origin moved on,
    merge them onto origin's commit and commit that. Returns (merged here, origin's commit): if
    not merged here, nothing was changed and the usual way (commit, merge) follows."""
    branch, remote_branch = branches(s)
    ours = head(s)
    theirs = fetch(s, remote_branch)
    if ours is None or theirs is None or theirs == ours or not is_ancestor(s, ours, theirs):
        return False, theirs
    with library_lock(s.path):
        write_setup_files(s.git.folder, s.name)
        if not _only_the_library_changed(s):
            return False, theirs
        merged = _merge(s, ours, theirs)
        if merged is None:
            return False, theirs
        before, local, after, reports = merged
        subject, body = commit_message(describe_changes(before, local), "readlist sync: set-up")
        new = _commit_onto(s, ours, theirs, subject, body)
        if new is None:
            return False, theirs
        s.git.run("update-ref", "-m", "readlist sync", f"refs/heads/{branch}", new, ours)
        with contextlib.suppress(OSError):
            os.chmod(s.path, 0o600)
    s.known = (new, after)
    s.lines.append(f"committed: {subject}")
    items = describe_changes(local, after)
    where = f"origin/{remote_branch} ({theirs[:10]})"
    s.lines.append(f"from {where}: " + ("; ".join(items[:8]) or "set-up only"))
    s.lines += reports
    return True, theirs


def _only_the_library_changed(s: Session) -> bool:
    """Nothing staged, no set-up file changed, and the library changed in the working folder."""
    done = s.git.run(
        "status", "--porcelain=v1", "-z", "--untracked-files=no", "--ignore-submodules=all"
    )
    entries = [entry for entry in done.out.split("\0") if entry]
    own = set(s.own_files)
    library_changed = False
    for entry in entries:
        state, name = entry[:2], entry[3:]
        if state[0] != " ":
            return False  # staged (or unmerged, renamed): the user's doing, left to the usual way
        if name == s.name:
            library_changed = True
        elif name in own:
            return False
    return library_changed


def _merge(
    s: Session, ours: str, theirs: str
) -> tuple[RawLibrary, RawLibrary, RawLibrary, list[str]] | None:
    """Merge the working file with origin's (base: HEAD's) into the working file: (base, this
    side, merged, the merge's reports), or None (nothing changed) if one is not a library."""
    if s.git.run("cat-file", "-e", f"{theirs}:{s.name}", check=False).status != 0:
        return None
    temp = s.path.with_name(f".{s.name}.{os.getpid()}.onto.tmp")
    try:
        before = committed_docs(s, ours)
        with open(s.path, "rb") as handle:
            local = read_documents(s.path, handle)
        check_changed(s.path, before, local)
        upstream = committed_docs(s, theirs, strict=True)
        check_changed(s.path, before, upstream)
        result = merge_libraries(before, local, upstream)
        write_documents(temp, encode_documents(s.path, result.docs, result.other_tables))
        after = check_written(temp, result, before)  # the file as written, read once
        os.chmod(temp, 0o600)
        os.replace(temp, s.path)  # every local change is in it: safe to stop at any point now
    except (OSError, LibraryError):
        return None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)
    return before, local, after, list(result.reports)


def _commit_onto(s: Session, ours: str, theirs: str, subject: str, body: str) -> str | None:
    """Commit origin's tree with the merged library, on top of origin's commit, and bring the
    index and the working folder to it (git's two-tree merge: other files origin changed are
    checked out, a user's unstaged edit in their way stops it). None if it stopped."""
    s.git.run("update-index", "--", s.name)
    blob = s.git.value("rev-parse", f":{s.name}")
    scratch = {"GIT_INDEX_FILE": str(s.git_dir / "readlist-onto.index")}
    try:
        s.git.run("read-tree", theirs, extra_env=scratch)
        s.git.run(
            "update-index", "--add", "--cacheinfo", f"100644,{blob},{s.name}", extra_env=scratch
        )
        tree = s.git.run("write-tree", extra_env=scratch).out.strip()
    finally:
        with contextlib.suppress(OSError):
            os.unlink(scratch["GIT_INDEX_FILE"])
    message = ["-m", subject] + (["-m", body] if body else [])
    new = s.git.run("commit-tree", tree, "-p", theirs, *message).out.strip()
    moved = s.git.run("read-tree", "-m", "-u", ours, new, check=False)
    if moved.status != 0:
        return None  # the merged library stays staged; the usual way commits it and merges
    return new
