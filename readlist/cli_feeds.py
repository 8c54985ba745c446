"""Reading the files given to `readlist import` / `readlist FEED`, and importing them.

A file is either a feed (Daily Papers text, read by `readlist.core.formats`) or a Markdown list that
readlist exported, recognised by its first line; the latter also carries the user's state (stars,
read marks, tags, notes), which is merged into the library after its papers are imported.
Every file is read before the library is touched, so one bad file changes nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from readlist.core.errors import FeedError
from readlist.core.formats import STDIN_SOURCE, parse_feed, read_feed
from readlist.core.formats.markdown import is_markdown_export, read_markdown
from readlist.core.library import Library
from readlist.core.models import Paper, PaperState
from readlist.core.search.bulk_index import index_during
from readlist.core.text import decode_text


@dataclass
class LoadedFile:
    """Papers read from one file, what to tell the user about it, and any state it carries."""

    papers: list[Paper]
    source: str
    notes: list[str] = field(default_factory=list)
    states: dict[str, PaperState] = field(default_factory=dict)


def _looks_like_markdown(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(512)
    except OSError:
        return False  # read_feed reports the problem in its own words
    return is_markdown_export(head.decode("utf-8", errors="replace"))


def _read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise FeedError(f"{path}: cannot read ({error.strerror or error})") from None


def _from_markdown(data: bytes, source: str) -> LoadedFile:
    text, encoding = decode_text(data, source)
    found = read_markdown(text, source)
    if not found:
        raise FeedError(f"{source}: a readlist Markdown list with no papers in it")
    notes = [] if encoding == "utf-8" else [f"{source}: not UTF-8, read as {encoding}"]
    states = {paper.id: state for paper, state in found}
    return LoadedFile([paper for paper, _ in found], source, notes, states)


def load_file(path: str, replacements: bool = False) -> LoadedFile:
    """Read one file ("-" is stdin); raises FeedError naming the file and what is wrong.
    `replacements`: an arXiv RSS listing's replaced papers too, not only new and cross-lists."""
    if path == "-":
        data = sys.stdin.buffer.read()
        if is_markdown_export(data[:512].decode("utf-8", errors="replace")):
            return _from_markdown(data, STDIN_SOURCE)
        feed = parse_feed(data, STDIN_SOURCE, replacements=replacements)
    elif _looks_like_markdown(path):
        source = os.path.basename(path.rstrip("/" + os.sep)) or path
        return _from_markdown(_read_bytes(path), source)
    else:
        feed = read_feed(path, replacements=replacements)
    return LoadedFile(feed.papers, feed.source, feed.notes)


def load_files(paths: Sequence[str], replacements: bool = False) -> list[LoadedFile]:
    """Read every file before the library is opened, so one bad file changes nothing."""
    return [load_file(path, replacements) for path in paths]


def _merged_state(current: PaperState, given: PaperState) -> dict[str, Any]:
    """What a Markdown list adds to a paper's state: it never unmarks or drops what is there."""
    changes: dict[str, Any] = {}
    if given.starred and not current.starred:
        changes["starred"] = True
    if given.read and not current.read:
        changes["read"] = True
    if given.note.strip() and not current.note.strip():
        changes["note"] = given.note
    extra = [tag for tag in given.tags if tag not in current.tags]
    if extra:
        changes["tags"] = [*current.tags, *extra]
    return changes


def import_files(library: Library, files: Sequence[LoadedFile]) -> list[str]:
    """Import each file; one summary line per file (`name: 86 papers, 86 new, 0 updated`).

    An import of many new papers also builds their search index (`bulk_index`)."""
    lines = []
    with index_during(library, [paper for loaded in files for paper in loaded.papers]):
        for loaded in files:
            result = library.import_papers(loaded.papers, loaded.source)
            line = result.summary()
            restored = 0
            for paper_id, state in loaded.states.items():
                changes = _merged_state(library.get(paper_id).state, state)
                if changes:
                    library.update_state(paper_id, **changes)
                    restored += 1
            if loaded.states:
                line += f", state restored for {restored}"
            lines.append(line)
    return lines
