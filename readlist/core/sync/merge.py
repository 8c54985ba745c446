"""The per-field three-way merge of two versions of the library against their common ancestor.

One function, `merge_libraries(base, ours, theirs)`, keyed by paper id (never by TinyDB's document
numbers). A paper only one side changed is taken from that side as it is; a paper both sides
changed is merged field by field:

- starred, read: the side that changed it. A yes/no value that both sides changed from the same
  base has changed to the same value, so they always agree; a paper new on both sides starts from
  the default (unstarred, unread), so the same holds. No clock is consulted.
- tags, links: as sets: the base plus what either side added, minus what either side removed;
  the base's order, then the added ones in alphabetical order.
- note: a line merge; if both sides changed the same lines, the text that contains the other's
  whole text, else both texts one after the other (in alphabetical order) under `NOTE_SEPARATOR`.
- content fields: the changed side; if both changed: for date, published and added the earlier,
  for upvotes the larger, for the rest the fuller value (set over empty, then longer, then the
  greater in code point order), so a richer refresh wins whichever machine made it.
- a paper new on both sides is one paper; a paper removed on one side and changed on the other
  is kept with the change (and reported); removed on one side and unchanged on the other: removed.

Nothing depends on which side is "ours": a merge and a rebase give the same bytes. The merged
file numbers its documents 1, 2, ... in this order: the base's papers in the base's order, then
the new papers by (added, document number on the side that had it first, id).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from readlist.core.errors import LibraryError
from readlist.core.library.documents import RawLibrary
from readlist.core.library.storage import entry_from_doc, stored_doc
from readlist.core.models import DOC_FIELDS
from readlist.core.sync.lines import merge_lines

NOTE_SEPARATOR = (
    "──── readlist sync: this note was changed on two machines; "
    "both versions are kept, one above and one below this line ────"
)

#: A field's value when a document does not hold it (the source's fields are stored only when
#: set) or when the base has no such paper (new on both sides).
_DEFAULTS: dict[str, Any] = {
    "title": "",
    "abstract": "",
    "date": None,
    "github": None,
    "links": [],
    "source": "",
    "authors": [],
    "arxiv_id": None,
    "published": None,
    "upvotes": None,
    "project_page": None,
    "categories": [],
    "comment": None,
    "doi": None,
    "journal_ref": None,
    "added": "",
    "starred": False,
    "read": False,
    "note": "",
    "tags": [],
}


@dataclass
class MergeResult:
    """The merged library: documents in file order, the other tables, what to tell the user."""

    ids: list[str] = field(default_factory=list)
    docs: list[bytes] = field(default_factory=list)
    other_tables: dict[str, Any] = field(default_factory=dict)
    reports: list[str] = field(default_factory=list)
    merged_papers: int = 0  # papers both sides changed, merged field by field


def merge_libraries(base: RawLibrary, ours: RawLibrary, theirs: RawLibrary) -> MergeResult:
    """Merge `ours` and `theirs` against `base` (see the module docstring for the rules).

    Raises LibraryError if a paper both sides changed does not parse as a readlist paper.
    """
    result = MergeResult()
    ours_docs, theirs_docs = ours.docs, theirs.docs
    for pid, b in base.docs.items():
        o, t = ours_docs.get(pid), theirs_docs.get(pid)
        if o is not None and t is not None:
            if o == t or t == b:
                doc = o
            elif o == b:
                doc = t
            else:
                doc = _merge_paper(result, pid, b, o, t)
        elif o is None and t is None:
            continue  # removed on both sides
        else:
            present = t if o is None else o
            if present is None or present == b:
                continue  # removed on one side, untouched on the other
            doc = present
            result.reports.append(
                f"kept {_label(pid, doc)}: removed on one side, changed on the other"
            )
        result.ids.append(pid)
        result.docs.append(doc)

    new: list[tuple[tuple[str, int, str], str, bytes]] = []
    for pid in [*ours_docs, *(p for p in theirs_docs if p not in ours_docs)]:
        if pid in base.docs:
            continue
        o, t = ours_docs.get(pid), theirs_docs.get(pid)
        if o is not None and t is not None:
            doc = o if o == t else _merge_paper(result, pid, None, o, t)
            place = min(_place(ours, pid, o), _place(theirs, pid, t))
        elif o is not None:
            doc, place = o, _place(ours, pid, o)
        elif t is not None:
            doc, place = t, _place(theirs, pid, t)
        new.append((place, pid, doc))
    new.sort(key=lambda item: item[0])
    result.ids += [pid for _, pid, _ in new]
    result.docs += [doc for _, _, doc in new]
    result.other_tables = _merge_tables(
        base.other_tables, ours.other_tables, theirs.other_tables, result.reports
    )
    return result


def _place(side: RawLibrary, pid: str, doc: bytes) -> tuple[str, int, str]:
    """Where a new paper goes: by when it was added, then its place in its own file."""
    added = _load(pid, doc).get("added")
    return (added if isinstance(added, str) else "", side.seqs.get(pid, 0), pid)


def _load(pid: str, doc: bytes | None) -> dict[str, Any]:
    if doc is None:
        return {"id": pid}
    try:
        value = orjson.loads(doc)
    except orjson.JSONDecodeError:
        raise LibraryError(f"paper {pid}: its document is not JSON") from None
    if not isinstance(value, dict):
        raise LibraryError(f"paper {pid}: its document is not an object")
    return value


def _label(pid: str, doc: bytes) -> str:
    title = _load(pid, doc).get("title")
    if not isinstance(title, str):
        return pid
    short = " ".join(title.split())
    return f'{pid} "{short[:50]}{"..." if len(short) > 50 else ""}"'


def _merge_paper(result: MergeResult, pid: str, b: bytes | None, o: bytes, t: bytes) -> bytes:
    """One paper both sides changed, field by field; checked and encoded as readlist writes it."""
    base, ours, theirs = _load(pid, b), _load(pid, o), _load(pid, t)
    merged: dict[str, Any] = {"id": pid}
    for name in DOC_FIELDS[1:]:
        default = _DEFAULTS[name]
        bv, ov, tv = base.get(name, default), ours.get(name, default), theirs.get(name, default)
        if ov == tv or tv == bv:
            merged[name] = ov
        elif ov == bv:
            merged[name] = tv
        elif name == "note":
            merged[name], both_kept = merge_note(bv, ov, tv)
            if both_kept:
                result.reports.append(
                    f"note of {_label(pid, o)}: changed on both sides, both versions kept"
                )
        else:
            merged[name] = _RULES.get(name, _fuller)(bv, ov, tv)
    entry = entry_from_doc(Path("merge"), pid, merged, 0)  # LibraryError if a type is wrong
    result.merged_papers += 1
    return orjson.dumps(stored_doc(entry))


def merge_note(base: Any, ours: Any, theirs: Any) -> tuple[Any, bool]:
    """Both sides changed the note: (the merged note, whether both versions were kept)."""
    if not (isinstance(base, str) and isinstance(ours, str) and isinstance(theirs, str)):
        return _fuller(base, ours, theirs), False  # the paper check refuses the wrong type
    merged = merge_lines(base, ours, theirs)
    if merged is not None:
        return merged, False
    if ours in theirs:
        return theirs, False
    if theirs in ours:
        return ours, False
    first, second = sorted((ours, theirs))
    return f"{first}\n\n{NOTE_SEPARATOR}\n\n{second}", True


def _encoded(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def _fuller(base: Any, ours: Any, theirs: Any) -> Any:
    """A set value over an empty one, then the longer, then the greater: the same whichever
    side is which."""

    def rank(value: Any) -> tuple[bool, int, bytes]:
        encoded = _encoded(value)
        return (value not in (None, "", []), len(encoded), encoded)

    return max((ours, theirs), key=rank)


def _earliest(base: Any, ours: Any, theirs: Any) -> Any:
    """The earlier of two dates (a set one over a missing one)."""
    dated = [v for v in (ours, theirs) if isinstance(v, str) and v]
    return min(dated) if dated else _fuller(base, ours, theirs)


def _largest(base: Any, ours: Any, theirs: Any) -> Any:
    """The larger count (counts such as upvotes only grow)."""
    counts = [v for v in (ours, theirs) if type(v) is int]
    return max(counts) if counts else _fuller(base, ours, theirs)


def _as_set(base: Any, ours: Any, theirs: Any) -> Any:
    """Base plus what either side added, minus what either side removed."""
    if not all(isinstance(v, list) for v in (base, ours, theirs)):
        return _fuller(base, ours, theirs)
    ours_set, theirs_set, base_set = set(ours), set(theirs), set(base)
    kept = [v for v in dict.fromkeys(base) if v in ours_set and v in theirs_set]
    added = sorted((ours_set | theirs_set) - base_set)
    return kept + added


def _either_true(base: Any, ours: Any, theirs: Any) -> Any:
    """Both sides changed a yes/no value from the same base: only possible if the base held
    something else; then yes wins, so no star or read mark made anywhere is lost."""
    return ours is True or theirs is True


_RULES: dict[str, Callable[[Any, Any, Any], Any]] = {
    "starred": _either_true,
    "read": _either_true,
    "tags": _as_set,
    "links": _as_set,
    "date": _earliest,
    "published": _earliest,
    "added": _earliest,
    "upvotes": _largest,
}

_MISSING = object()


def _merge_tables(
    base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any], reports: list[str]
) -> dict[str, Any]:
    """Tables other than the papers (a user's own, kept by readlist): whole tables, three-way."""
    merged: dict[str, Any] = {}
    for name in sorted({*base, *ours, *theirs}):
        bv, ov, tv = (_encoded(d[name]) if name in d else None for d in (base, ours, theirs))
        if ov == tv or tv == bv:
            chosen = ov
        elif ov == bv:
            chosen = tv
        else:
            candidates = [v for v in (ov, tv) if v is not None]
            chosen = max(candidates, key=lambda v: (len(v), v))
            reports.append(f"table {name!r}: changed on both sides, the fuller version kept")
        if chosen is not None:
            merged[name] = orjson.loads(chosen)
    return merged
