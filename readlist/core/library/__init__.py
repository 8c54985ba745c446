"""The user's library and what keeps it on disk.

`Library` (library.py) is the one object the rest of readlist talks to. Beneath it: the TinyDB
document read and written whole (storage.py), files written atomically (safe_files.py), the
journal of state changes (journal.py), merging imported papers (changes.py), opening (opening.py),
and the entry cache in the user's cache folder (entry_cache.py, cache_files.py).
"""

from __future__ import annotations

from readlist.core.errors import LibraryError, ReadOnlyError
from readlist.core.library.library import Counts, ImportResult, Library

__all__ = ["Counts", "ImportResult", "Library", "LibraryError", "ReadOnlyError"]
