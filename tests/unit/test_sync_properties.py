"""Properties of the merge over random (base, ours, theirs) triples: it does not matter which side
is "ours", merging again changes nothing, and no change that only one side made is lost."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from readlist.core.library.documents import RawLibrary, encode_documents, read_documents
from readlist.core.library.storage import library_from_document, stored_doc
from readlist.core.models import Entry, Paper, PaperState, paper_id
from readlist.core.sync.merge import MergeResult, merge_libraries

PATH = Path("library.json")
POOL = [f"Paper {n}" for n in range(6)]
NOTES = st.text(alphabet="ab\n", max_size=6)
TAGS = st.lists(st.sampled_from(["x", "y", "z", "w"]), max_size=3, unique=True).map(tuple)
STATE = st.builds(PaperState, starred=st.booleans(), read=st.booleans(), note=NOTES, tags=TAGS)


def make_entry(title: str, state: PaperState, added: str, upvotes: int | None) -> Entry:
    paper = Paper(paper_id(title), title, f"About {title}.", date="2024-01-01", upvotes=upvotes)
    return Entry(paper, state, added, 0)


@st.composite
def library(draw: st.DrawFn, base: dict[str, Entry] | None = None) -> dict[str, Entry]:
    """A base library (base=None), or one side made from the base by a user's changes."""
    if base is None:
        titles = draw(st.lists(st.sampled_from(POOL), unique=True, max_size=4))
        return {
            e.id: e
            for e in (
                make_entry(t, draw(STATE), "2024-01-01", draw(st.none() | st.integers(0, 3)))
                for t in titles
            )
        }
    side: dict[str, Entry] = {}
    for pid, e in base.items():
        action = draw(st.sampled_from(["keep", "keep", "state", "content", "remove"]))
        if action == "remove":
            continue
        if action == "state":
            e = replace(e, state=draw(STATE))
        elif action == "content":
            e = replace(e, paper=replace(e.paper, upvotes=draw(st.integers(0, 9))))
        side[pid] = e
    for title in draw(st.lists(st.sampled_from(POOL), unique=True, max_size=2)):
        new = make_entry(title, draw(STATE), draw(st.sampled_from(["2024-02", "2024-03"])), None)
        side.setdefault(new.id, new)
    return side


def as_raw(entries: dict[str, Entry]) -> RawLibrary:
    raw = RawLibrary()
    for seq, e in enumerate(entries.values(), start=1):
        raw.docs[e.id] = orjson.dumps(stored_doc(e))
        raw.seqs[e.id] = seq
    return raw


def reread(result: MergeResult) -> RawLibrary:
    """The merged file as the next merge would read it (checked by storage.py's reader)."""
    data = b"".join(encode_documents(PATH, result.docs, result.other_tables))
    loaded = library_from_document(PATH, orjson.loads(data))
    assert list(loaded.entries) == result.ids
    return read_documents(PATH, io.BytesIO(data))


def docs(raw: RawLibrary) -> dict[str, dict[str, Any]]:
    return {pid: orjson.loads(d) for pid, d in raw.docs.items()}


triples = library().flatmap(lambda base: st.tuples(st.just(base), library(base), library(base)))


@settings(max_examples=300, deadline=None)
@given(triples)
def test_which_side_is_ours_does_not_matter(triple: tuple[dict[str, Entry], ...]) -> None:
    base, ours, theirs = (as_raw(side) for side in triple)
    one, two = merge_libraries(base, ours, theirs), merge_libraries(base, theirs, ours)
    assert (one.ids, one.docs, one.other_tables) == (two.ids, two.docs, two.other_tables)


@settings(max_examples=300, deadline=None)
@given(triples)
def test_merging_again_changes_nothing(triple: tuple[dict[str, Entry], ...]) -> None:
    base, ours, theirs = (as_raw(side) for side in triple)
    merged = reread(merge_libraries(base, ours, theirs))
    again = reread(merge_libraries(base, merged, merged))
    assert (again.docs, again.seqs) == (merged.docs, merged.seqs)
    assert reread(merge_libraries(merged, merged, merged)).docs == merged.docs
    assert docs(reread(merge_libraries(base, ours, ours))) == docs(ours)


@settings(max_examples=300, deadline=None)
@given(triples)
def test_no_change_only_one_side_made_is_lost(triple: tuple[dict[str, Entry], ...]) -> None:
    base_e, ours_e, theirs_e = triple
    result = docs(reread(merge_libraries(as_raw(base_e), as_raw(ours_e), as_raw(theirs_e))))
    base, ours, theirs = docs(as_raw(base_e)), docs(as_raw(ours_e)), docs(as_raw(theirs_e))
    default = {"starred": False, "read": False, "note": "", "tags": []}
    for one, other in ((ours, theirs), (theirs, ours)):
        for pid, mine in one.items():
            old = base.get(pid, default)
            if pid not in other:
                if pid not in base:
                    assert result[pid] == mine  # new on one side only: as it is
                continue
            assert pid in result
            yours = other[pid]
            for name in ("starred", "read", "note"):
                if mine[name] != old[name] and yours[name] == old[name]:
                    assert result[pid][name] == mine[name], (pid, name)
            for tag in set(mine["tags"]) - set(old["tags"]):
                assert tag in result[pid]["tags"]
            for tag in set(old["tags"]) - set(mine["tags"]):
                assert tag not in result[pid]["tags"]
        for pid in base:
            if pid in one and pid not in other and one[pid] != base[pid]:
                assert result[pid] == one[pid]  # changed here, removed there: kept
