"""What a change to the library may be: state values checked before they are written, and the
content a re-import leaves behind. Kept apart from the Library so the rules read on their own."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from readlist.core.library.storage import build_entry
from readlist.core.models import STATE_FIELDS, Entry, Paper, PaperState, normalise_tags, paper_id
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


def clean_many_states(changes: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """`clean_state_fields` for many papers; papers given the same dict share one cleaned dict,
    so marking 100,000 papers read checks (and later encodes) the values once."""
    cleaned: dict[int, dict[str, Any]] = {}  # the dicts all live in `changes`: ids are unique
    values: dict[str, dict[str, Any]] = {}
    for key, fields in changes.items():
        clean = cleaned.get(id(fields))
        if clean is None:
            clean = cleaned[id(fields)] = clean_state_fields(dict(fields))
        values[key] = clean
    return values


@dataclass(frozen=True)
class Restated:
    """Entries after a batch of state changes: all of them in the order asked, and those that
    actually changed (with the values the journal must record for each)."""

    after: list[Entry]
    changed: list[Entry]
    lines: list[tuple[str, dict[str, Any]]]


def restate(current: Mapping[str, Entry], values: Mapping[str, dict[str, Any]]) -> Restated:
    """New entries for cleaned state `values` by paper id (KeyError for an unknown id).

    A new state is made once per old state object and values dict, and equal new states are one
    object: most papers share a few states, so building 100,000 entries takes ~0.1 s instead of
    ~0.4 s one `with_state` at a time.
    """
    after: list[Entry] = []
    changed: list[Entry] = []
    lines: list[tuple[str, dict[str, Any]]] = []
    # (id of the old state, id of the values) -> (old state, kept alive so the id stays its
    # own; the new state; whether it differs)
    made: dict[tuple[int, int], tuple[PaperState, PaperState, bool]] = {}
    shared: dict[PaperState, PaperState] = {}
    for key, fields in values.items():
        entry = current[key]
        old = entry.state
        known = made.get((id(old), id(fields)))
        if known is None:
            state = dataclasses.replace(old, **fields)
            state = shared.setdefault(state, state)
            known = made[(id(old), id(fields))] = (old, state, state != old)
        if known[2]:
            entry = build_entry(entry.paper, known[1], entry.added, entry.seq)
            changed.append(entry)
            lines.append((key, fields))
        after.append(entry)
    return Restated(after, changed, lines)


def storable_text(text: str) -> str:
    """`text` as UTF-8 can hold it: a lone surrogate (from a pasted or mis-decoded byte) becomes
    U+FFFD, and a split pair is joined, instead of failing the save."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def merge_content(old: Paper, new: Paper) -> Paper:
    """The content after re-importing `new` over `old`: fresher text, links and source fields,
    the first day.

    A later feed that lacks something (no GitHub link, an empty abstract, no authors because it
    was pasted text) never erases it, and the paper keeps the feed it first came from and the id
    it was first stored under.
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
        authors=new.authors or old.authors,
        arxiv_id=new.arxiv_id or old.arxiv_id,
        published=old.published or new.published,
        upvotes=old.upvotes if new.upvotes is None else new.upvotes,
        project_page=new.project_page or old.project_page,
        categories=new.categories or old.categories,
        comment=new.comment or old.comment,
        doi=new.doi or old.doi,
        journal_ref=new.journal_ref or old.journal_ref,
    )


def content_unchanged(old: Paper, new: Paper) -> bool:
    """True if `merge_content(old, new) == old`, without building the merged Paper."""
    if new.abstract and (new.abstract != old.abstract or new.links != old.links):
        return False
    if (
        (not new.title or new.title == old.title)
        and (not new.github or new.github == old.github)
        and (bool(old.date) or new.date == old.date)
        and (bool(old.source) or new.source == old.source)
    ):
        new_meta = new.meta()
        return new_meta is None or merge_content(old, new) == old
    return False


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

    One paper, one record however it arrived: a paper with an arXiv id is the record with that
    id if there is one, else the record of its title (pasted text has no arXiv id) unless that
    record is another arXiv paper of the same title. `current` is not changed (a failed write
    must leave the library as it was); the user's state is carried over untouched.
    """
    entries = dict(current)
    next_seq = max((e.seq for e in entries.values()), default=0) + 1
    new_ids: set[str] = set()
    updated_ids: set[str] = set()
    by_arxiv: dict[str, str] | None = None  # built on the first paper that has an arXiv id
    for paper in papers:
        if not paper.source and source:
            paper = dataclasses.replace(paper, source=source)
        arxiv_id = paper.arxiv_id
        if arxiv_id:
            if by_arxiv is None:
                by_arxiv = {e.paper.arxiv_id: e.id for e in entries.values() if e.paper.arxiv_id}
            record_id = by_arxiv.get(arxiv_id) or _title_record(entries, paper)
            if record_id != paper.id:
                paper = dataclasses.replace(paper, id=record_id)
            by_arxiv[arxiv_id] = record_id
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


def _title_record(entries: dict[str, Entry], paper: Paper) -> str:
    """The id for an arXiv paper no record has the arXiv id of: its title's record, unless that
    one is another arXiv paper (same title, different paper), then an id of its arXiv id."""
    old = entries.get(paper.id)
    if old is None or old.paper.arxiv_id in (None, paper.arxiv_id):
        return paper.id
    return paper_id(f"arXiv:{paper.arxiv_id}")
