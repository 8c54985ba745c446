"""What a change to the library may be: state values checked before they are written, and the
content a re-import leaves behind. Kept apart from the Library so the rules read on their own."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from readlist.core.models import STATE_FIELDS, Entry, Paper, PaperState, normalise_tags
from readlist.core.text import clean_text


def clean_state_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise state values, so nothing odd ever reaches the journal."""
    unknown = set(fields) - set(STATE_FIELDS)
    if unknown:
        raise ValueError(f"not state fields: {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if name in ("starred", "read"):
            values[name] = bool(value)
        elif name == "note":
            if not isinstance(value, str):
                raise TypeError("a note must be text")
            values[name] = clean_text(storable_text(value), keep_lines=True)
        else:
            if isinstance(value, str):
                raise TypeError("tags must be a sequence of strings, not one string")
            values[name] = normalise_tags(storable_text(str(tag)) for tag in value)
    return values


def storable_text(text: str) -> str:
    """`text` as UTF-8 can hold it: a lone surrogate (from a pasted or mis-decoded byte) becomes
    U+FFFD, and a split pair is joined, instead of failing the save."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def merge_content(old: Paper, new: Paper) -> Paper:
    """The content after re-importing `new` over `old`: fresher text and links, the first day.

    A later feed that lacks something (no GitHub link, an empty abstract) never erases it, and the
    paper keeps the feed it first came from.
    """
    if new.abstract:
        abstract, links = new.abstract, new.links
    else:
        abstract, links = old.abstract, old.links
    return Paper(
        id=old.id,
        title=new.title or old.title,
        abstract=abstract,
        date=old.date or new.date,
        github=new.github or old.github,
        links=links,
        source=old.source or new.source,
    )


def content_unchanged(old: Paper, new: Paper) -> bool:
    """True if `merge_content(old, new) == old`, without building the merged Paper."""
    if new.abstract and (new.abstract != old.abstract or new.links != old.links):
        return False
    return (
        (not new.title or new.title == old.title)
        and (not new.github or new.github == old.github)
        and (bool(old.date) or new.date == old.date)
        and (bool(old.source) or new.source == old.source)
    )


_NO_STATE = PaperState()  # immutable, so every new paper can share it


@dataclass(frozen=True)
class Upsert:
    """The library's entries after an import, and how many papers were new or refreshed."""

    entries: dict[str, Entry]
    new: int
    updated: int


def upsert_papers(
    current: dict[str, Entry], papers: Sequence[Paper], source: str, added: str
) -> Upsert:
    """Add unknown papers after the others in feed order; refresh the content of known ones.

    `current` is not changed (a failed write must leave the library as it was); the user's state
    is carried over untouched.
    """
    entries = dict(current)
    next_seq = max((e.seq for e in entries.values()), default=0) + 1
    new_ids: set[str] = set()
    updated_ids: set[str] = set()
    for paper in papers:
        if not paper.source and source:
            paper = dataclasses.replace(paper, source=source)
        old = entries.get(paper.id)
        if old is None:
            entries[paper.id] = Entry(paper, _NO_STATE, added, next_seq)
            next_seq += 1
            new_ids.add(paper.id)
            continue
        if content_unchanged(old.paper, paper):
            continue  # the common case of a re-import: no Paper built, nothing compared twice
        merged = merge_content(old.paper, paper)
        if merged != old.paper:
            entries[paper.id] = Entry(merged, old.state, old.added, old.seq)
            if paper.id not in new_ids:
                updated_ids.add(paper.id)
    return Upsert(entries, len(new_ids), len(updated_ids))
