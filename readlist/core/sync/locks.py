"""The two locks a sync takes.

A sync holds `<library>.sync.lock` from start to end, so two syncs of one library never run at
once (the second waits). It takes the library's own lock (`<library>.lock`, the one every
Library change and compaction takes) only around the steps that read or write the library file
in the working folder, never across the network. `Library.compact` takes only the library lock,
and a sync takes the library lock after its own, so the two never wait for each other in a
circle. Both are flock locks: the kernel drops them when a killed process's files close.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import filelock

from readlist.core.sync.git import EXIT_GIT_FAILED, EXIT_SETUP, SyncError

SYNC_LOCK_TIMEOUT = 300.0
LIBRARY_LOCK_TIMEOUT = 30.0


@contextlib.contextmanager
def _file_lock(lock_path: str, timeout: float, busy: str) -> Iterator[None]:
    lock = filelock.FileLock(lock_path, timeout=timeout, mode=0o600, thread_local=False)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise SyncError(busy, EXIT_GIT_FAILED) from None
    except OSError as exc:
        raise SyncError(f"{lock_path}: cannot lock ({exc.strerror})", EXIT_SETUP) from None
    try:
        yield
    finally:
        lock.release()


def sync_lock(path: Path) -> contextlib.AbstractContextManager[None]:
    """Held for a whole sync (init, clone): one sync of a library at a time."""
    return _file_lock(
        f"{path}.sync.lock", SYNC_LOCK_TIMEOUT, f"{path}: another sync has been running too long"
    )


def library_lock(path: Path) -> contextlib.AbstractContextManager[None]:
    """The Library's own lock: no readlist process writes the file while git reads or writes it."""
    return _file_lock(
        f"{path}.lock", LIBRARY_LOCK_TIMEOUT, f"{path}: locked by another process for too long"
    )
