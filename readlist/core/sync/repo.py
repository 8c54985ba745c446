"""The library's folder as a git repository: set-up files, the driver, and recovering from a sync
that was killed.

The merge driver is configured per clone (`.git/config` and `.git/info/attributes`), never only
through a versioned file: a `.gitattributes` or config that a lab member could push must never
make another member's git run a command. `.git/info/attributes` also wins over a versioned
`.gitattributes` that is missing or edited, so readlist's merges always use the driver.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from readlist.core.errors import LibraryError
from readlist.core.library.safe_files import atomic_write
from readlist.core.library.storage import read_library
from readlist.core.sync.git import (
    DRIVER_NAME,
    EXIT_GIT_FAILED,
    EXIT_SETUP,
    Git,
    SyncError,
    driver_command,
)

IGNORE_HEADER = "# readlist sync: files beside the library that stay on this machine"
ATTRIBUTES_HEADER = "# readlist sync: the library merges paper by paper (driver set per clone)"
MERGE_MARKER = "readlist-merging"  # in .git: a merge readlist started and has not finished
LAST_SYNC = "readlist-last-sync"  # in .git: when the last sync ran and how it ended
KEPT_LIBRARY = "readlist-kept-library"  # in .git: the library while an interrupted merge is undone
#: A lock file older than this, on a system where running processes cannot be inspected, is
#: taken to be left by a git that was killed.
STALE_LOCK_AGE_S = 60.0
LIVE_GIT_WAIT_S = 10.0
#: Loose objects before git packs them (in the background): about 40 syncs.
GC_AUTO = 256
#: zlib level of loose objects (git's default is 1). Every sync writes two or three new
#: versions of the library as loose objects and reads them back several times (merge, the
#: push's delta search): at 10,000 papers each deflate costs 0.2 s and each inflate 0.09 s,
#: ~1.3 s of a 4.9 s sync. Stored uncompressed they take ~2.7 times the disk (17 MB instead of
#: 6.3 MB each) until git's automatic gc packs them into deltas; what is sent is unchanged (a
#: pack's deltas are compressed by pack.compression).
LOOSE_COMPRESSION = "0"
#: Loose objects above this size are packed into deltas after a sync, in the background: git's
#: automatic gc guesses the count of loose objects from one of its 256 folders and waits for
#: hundreds (~50 syncs, gigabytes once they are stored uncompressed).
PACK_LOOSE_ABOVE_KIB = 256 * 1024


def check_name(path: Path) -> str:
    """The library's file name, if git attributes and pathspecs can name it plainly."""
    name = path.name
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._+-]*", name):
        raise SyncError(
            f"{path}: readlist sync needs a library file name made of letters, digits and "
            ". _ + - (rename the file, or give another with --db)",
            EXIT_SETUP,
        )
    return name


def ignore_lines(name: str) -> list[str]:
    return [
        f"/{name}.journal",
        f"/{name}.lock",
        f"/{name}.sync.lock",
        f"/.{name}.*.tmp",
        f"/{name}.schema*.bak",
        "/.merge_file_*",
        "/..merge_file_*",
    ]


def attribute_lines(name: str) -> list[str]:
    return [f"/{name} merge={DRIVER_NAME} text eol=lf", "/.gitattributes text eol=lf"]


def local_attribute_lines(name: str) -> list[str]:
    """.git/info/attributes: the driver for the library, and line-union merges for the two small
    set-up files (two machines that each set up a library add them both)."""
    return [
        f"/{name} merge={DRIVER_NAME} text eol=lf",
        "/.gitignore merge=union text eol=lf",
        "/.gitattributes merge=union text eol=lf",
    ]


def ensure_lines(path: Path, header: str, lines: list[str]) -> bool:
    """Add the lines `path` lacks (under `header`), keeping what the user wrote; True if it
    changed."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise SyncError(f"{path}: cannot read ({exc})", EXIT_SETUP) from None
    present = {line.strip() for line in text.splitlines()}
    missing = [line for line in lines if line not in present]
    if not missing:
        return False
    if text and not text.endswith("\n"):
        text += "\n"
    if header not in present:
        text += ("\n" if text else "") + header + "\n"
    text += "".join(line + "\n" for line in missing)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, text.encode("utf-8"))
    except (OSError, LibraryError) as exc:
        raise SyncError(f"{path}: cannot write ({exc})", EXIT_SETUP) from None
    return True


def write_setup_files(folder: Path, name: str) -> None:
    """The versioned set-up files: what stays on this machine, and the library's attributes."""
    ensure_lines(folder / ".gitignore", IGNORE_HEADER, ignore_lines(name))
    ensure_lines(folder / ".gitattributes", ATTRIBUTES_HEADER, attribute_lines(name))


def configure_driver(git: Git, git_dir: Path, name: str) -> None:
    """Name this readlist's driver in .git/config (rewritten by every sync, so a moved or
    rebuilt virtual environment heals itself) and attach it to the library for this clone;
    set git's housekeeping for a repository of one large file (gc.auto, loose objects stored
    uncompressed)."""
    ensure_lines(git_dir / "info" / "attributes", ATTRIBUTES_HEADER, local_attribute_lines(name))
    wanted = {
        f"merge.{DRIVER_NAME}.name": "readlist: paper by paper, field by field",
        f"merge.{DRIVER_NAME}.driver": driver_command(),
    }
    for key, value in wanted.items():
        # --local: the file's own value, not the `-c` every readlist git call carries
        if git.value("config", "--local", "--get", key) != value:
            git.run("config", "--local", key, value)
    if not git.config("gc.auto"):
        # Each sync stores a compressed copy of the whole file; git's default waits for 6,700
        # loose objects (~1,100 syncs, gigabytes) before packing them into deltas.
        git.run("config", "--local", "gc.auto", str(GC_AUTO))
    if not git.value("config", "--local", "--get", "core.looseCompression"):
        # a level the user set for this repository stays theirs
        git.run("config", "--local", "core.looseCompression", LOOSE_COMPRESSION)


def pack_loose_objects(git: Git) -> bool:
    """Start `git repack -d -l` (loose objects into one pack of deltas, then deleted) in the
    background if they take more than PACK_LOOSE_ABOVE_KIB and no git is running in the folder
    (an earlier repack); True if it was started. Niced, one thread, and detached: the sync does
    not wait. git is made for a repack beside other commands: the objects are in the new pack
    before their loose copies go."""
    counted = git.run("count-objects", "-v", check=False)
    sizes = dict(line.split(": ", 1) for line in counted.out.splitlines() if ": " in line)
    try:
        loose_kib = int(sizes.get("size", "0"))
    except ValueError:
        return False
    if counted.status != 0 or loose_kib <= PACK_LOOSE_ABOVE_KIB or _git_processes_in(git.folder):
        return False
    nice = shutil.which("nice")
    command = [*([nice, "-n", "10"] if nice else []), git.executable, "-C", str(git.folder)]
    command += ["-c", "pack.threads=1", "repack", "-d", "-l", "-q"]
    try:
        subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=git.env(),
            start_new_session=True,
        )
    except OSError:
        return False
    return True


def git_dir_of(git: Git) -> Path | None:
    """The repository's .git folder, if the library's folder is the top of a repository."""
    top = git.run("rev-parse", "--show-toplevel", check=False)
    if top.status != 0 or Path(top.out.strip()).resolve() != git.folder.resolve():
        return None
    found = git.run("rev-parse", "--absolute-git-dir", check=False)
    return Path(found.out.strip()) if found.status == 0 else None


# ----------------------------------------------------------------- recovering


def _git_processes_in(folder: Path) -> list[int] | None:
    """Running git processes whose working folder is `folder` (None: cannot tell here)."""
    proc = Path("/proc")
    if not (proc / "self" / "cwd").exists():
        return None
    target = str(folder.resolve())
    found: list[int] = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv0 = (entry / "cmdline").read_bytes().split(b"\0", 1)[0]
            if not os.path.basename(argv0).startswith(b"git"):
                continue
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if cwd == target or cwd.startswith(target + os.sep):
            found.append(int(entry.name))
    return found


def _lock_files(git_dir: Path) -> list[Path]:
    names = ("index.lock", "HEAD.lock", "ORIG_HEAD.lock", "config.lock", "packed-refs.lock")
    locks = [git_dir / n for n in names if (git_dir / n).exists()]
    refs = git_dir / "refs"
    if refs.is_dir():
        locks += sorted(refs.rglob("*.lock"))
    return locks


def clear_stale_locks(folder: Path, git_dir: Path) -> list[str]:
    """Remove lock files a killed git left behind (no git is running in this folder).

    While a git is running here, wait a little for it; then it is the user's: refuse.
    """
    deadline = time.monotonic() + LIVE_GIT_WAIT_S
    while True:
        locks = _lock_files(git_dir)
        if not locks:
            return []
        running = _git_processes_in(folder)
        if running is None:
            now = time.time()
            locks = [p for p in locks if now - _mtime(p, now) > STALE_LOCK_AGE_S]
            if not locks:
                raise SyncError(
                    f"{folder}: git is busy here ({_lock_files(git_dir)[0].name} is new); "
                    "try again in a minute",
                    EXIT_GIT_FAILED,
                )
            break
        if not running:
            break
        if time.monotonic() > deadline:
            raise SyncError(
                f"{folder}: git is running there (process {running[0]}); "
                "sync again once it is done",
                EXIT_GIT_FAILED,
            )
        time.sleep(0.2)
    removed = []
    for lock in locks:
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()
            removed.append(str(lock.relative_to(git_dir)))
    return [f"removed {', '.join(removed)} left by a git that was stopped"] if removed else []


def _mtime(path: Path, default: float) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return default


def remove_merge_leftovers(folder: Path) -> None:
    """The temp files of a merge driver that was killed (`.merge_file_*` and the driver's own)."""
    for pattern in (".merge_file_*", "..merge_file_*"):
        for leftover in folder.glob(pattern):
            with contextlib.suppress(OSError):
                leftover.unlink()


_OTHER_OPERATIONS = (
    ("rebase-merge", "a rebase", "git rebase --continue or git rebase --abort"),
    ("rebase-apply", "a rebase", "git rebase --continue or git rebase --abort"),
    ("CHERRY_PICK_HEAD", "a cherry-pick", "git cherry-pick --continue or --abort"),
    ("REVERT_HEAD", "a revert", "git revert --continue or --abort"),
)


def recover_merge(git: Git, git_dir: Path, library: Path) -> list[str]:
    """Undo a merge a killed sync left half done (it is done again next), keeping any valid
    library in the working folder; refuse to touch an operation the user started by hand."""
    folder = git.folder
    for name, what, how in _OTHER_OPERATIONS:
        if (git_dir / name).exists():
            raise SyncError(
                f"{folder}: {what} is in progress there: finish it ({how}), then sync",
                EXIT_GIT_FAILED,
            )
    marker, kept = git_dir / MERGE_MARKER, git_dir / KEPT_LIBRARY
    if not (git_dir / "MERGE_HEAD").exists():
        if kept.exists():  # the last recovery stopped after undoing the merge: finish it
            atomic_write(library, kept.read_bytes())
            kept.unlink()
        marker.unlink(missing_ok=True)
        return []
    if not marker.exists():
        raise SyncError(
            f"{folder}: a merge you started is in progress there: finish it (git commit) or "
            "abort it (git merge --abort), then sync",
            EXIT_GIT_FAILED,
        )
    keep = _valid_changed_library(git, library)
    if keep is not None:
        # Kept durably first: undoing the merge needs the file as git staged it, and what a
        # readlist process wrote into it since the merge is in no journal any more.
        atomic_write(kept, keep)
        git.run("checkout", "--quiet", "--", library.name, check=False)
    undone = git.run("merge", "--abort", check=False)
    if undone.status != 0:
        raise SyncError(
            f"{folder}: a sync was interrupted mid-merge and git cannot undo it "
            f"({undone.reason()}); see 'Several machines' in the README",
            EXIT_GIT_FAILED,
        )
    if keep is not None:
        atomic_write(library, keep)
        kept.unlink()
    marker.unlink(missing_ok=True)
    return ["undid the merge of a sync that was interrupted; merging again"]


def _valid_changed_library(git: Git, library: Path) -> bytes | None:
    """The working file's bytes if it is a valid library that differs from the last commit (a
    merge result, perhaps with changes made since): kept across undoing the merge."""
    try:
        data = library.read_bytes()
        read_library(library)
    except (OSError, LibraryError):
        return None
    committed = git.run("cat-file", "blob", f"HEAD:{library.name}", check=False)
    return None if committed.status == 0 and committed.data == data else data
