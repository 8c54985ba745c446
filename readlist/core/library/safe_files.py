"""Files written so that a crash or a full disk never leaves half of one: temp file, fsync,
atomic rename, fsync of the folder; and the stat signature that tells a file was replaced."""

from __future__ import annotations

import contextlib
import glob
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from readlist.core.errors import LibraryError

#: (inode, mtime_ns, size): enough to notice that another process replaced or changed a file.
FileSig = tuple[int, int, int]


def sig_of(st: os.stat_result) -> FileSig:
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def file_sig(path: Path) -> FileSig | None:
    """The file's signature, or None if it does not exist."""
    try:
        return sig_of(os.stat(path))
    except FileNotFoundError:
        return None


def describe_os_error(exc: OSError) -> str:
    """A short human reason for an OSError ("permission denied", "no space left on device")."""
    if exc.errno is not None:
        return os.strerror(exc.errno).lower()
    return str(exc)


def copy_durably(source: Path, target: Path) -> None:
    """Copy `source` to `target` (same mode) and make the copy survive a power cut, streaming so a
    big library is never held in memory; LibraryError (nothing changed) if it fails."""
    try:
        with open(source, "rb") as handle:
            commit_temp(write_temp(target, iter(lambda: handle.read(1 << 20), b"")), target)
    except OSError as exc:
        raise LibraryError(
            f"{source}: cannot keep a copy before upgrading it ({describe_os_error(exc)}); "
            "nothing was changed"
        ) from None


def atomic_write(path: Path, data: bytes) -> FileSig:
    """Write `data` beside `path`, then rename it over `path`: readers see old or new, not half."""
    return commit_temp(write_temp(path, [data]), path)


#: Flush a big write every this many bytes: one 200 MB flush at the end stalls every other fsync
#: on the disk (a state change's journal line) for half a second; several small ones do not.
FLUSH_EVERY = 16 << 20


_flush_data = getattr(os, "fdatasync", os.fsync)  # macOS has no fdatasync


def write_temp(path: Path, pieces: Iterable[bytes]) -> str:
    """Write and fsync `pieces` to a new temp file beside `path` (0600, or `path`'s own mode).

    The name carries our pid so `remove_stale_temp_files` can tell a dead writer's leftovers.
    """
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = 0o600
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent
        )
        try:
            os.fchmod(fd, mode)
            unflushed = 0
            for piece in pieces:
                view = memoryview(piece)
                while view:
                    written = os.write(fd, view)
                    view, unflushed = view[written:], unflushed + written
                if unflushed >= FLUSH_EVERY:
                    _flush_data(fd)
                    unflushed = 0
            os.fsync(fd)
        finally:
            os.close(fd)
        return tmp
    except OSError as exc:
        if tmp is not None:
            discard_temp(tmp)
        raise _not_saved(path, exc) from None


def commit_temp(tmp: str, path: Path) -> FileSig:
    """Rename a temp file from `write_temp` over `path` and make the rename durable."""
    try:
        os.replace(tmp, path)
        fsync_folder(path.parent)
        return sig_of(os.stat(path))
    except OSError as exc:
        discard_temp(tmp)
        raise _not_saved(path, exc) from None


def discard_temp(tmp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def _not_saved(path: Path, exc: OSError) -> LibraryError:
    return LibraryError(
        f"{path}: could not save the library ({describe_os_error(exc)}); "
        "the file on disk is unchanged"
    )


def ensure_folder(path: Path) -> None:
    """Create the library's folder (0700: notes are private) if it is missing."""
    folder = path.parent
    if not folder.exists():
        try:
            folder.mkdir(mode=0o700, parents=True)
            os.chmod(folder, 0o700)
        except OSError as exc:
            raise LibraryError(
                f"{path}: cannot create its folder ({describe_os_error(exc)})"
            ) from None
    elif not folder.is_dir():
        raise LibraryError(f"{path}: {folder} is not a folder")


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new file in `folder` survive a power cut."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_temp_files(path: Path) -> None:
    """Delete temp files whose writer process is gone (killed mid-write); others are in use."""
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        pid = leftover.name[len(path.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and _process_alive(int(pid)):
            continue
        with contextlib.suppress(OSError):
            leftover.unlink()


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
