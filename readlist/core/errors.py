"""The errors the core raises: each message is one line naming the file or value and the problem,
so the command line prints it and exits, and the app shows it, without a traceback."""

from __future__ import annotations


class FeedError(ValueError):
    """A feed that cannot be imported; str(error) is one line naming the source and the problem."""


class LibraryError(Exception):
    """The library cannot be read or written; str(e) is one line naming the file and the problem."""


class ReadOnlyError(LibraryError):
    """A change was asked of a library opened read-only."""
