"""A library's search index saved as a session's warm-up saves it."""

from __future__ import annotations

from pathlib import Path

from readlist.core.library import Library
from readlist.core.search import query


def save_index(path: Path) -> None:
    """Open the library at `path` and save its search index in the cache folder; the index in
    this process is cleared before and after, as in a new session."""
    with Library.open(path) as library:
        query.clear_cache()
        query.prepare(library.entries(), cache_key=library.path)
    query.clear_cache()
