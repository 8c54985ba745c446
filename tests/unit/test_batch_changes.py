"""Changing many papers at once (`Library.update_states`): one write, one fsync, all or nothing.

Marking every shown paper read is one journal batch: its lines stand or fall together, so a batch
a crash cut short, at any byte, is ignored whole, as a torn line is, and the next change cuts it
off. The kill and full-disk cases run in real processes (tests/helpers/library_child.py).
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from helpers.children import start_child
from helpers.synthetic import make_papers
from tinydb import TinyDB

from readlist.core.errors import ReadOnlyError
from readlist.core.library import Library
from readlist.core.library.journal import encode_batch, encode_change
from readlist.undo import GroupUndoStep, UndoStack


def new_library(path: Path, count: int = 12) -> list[str]:
    with Library.open(path) as library:
        library.import_papers(make_papers(count), "synthetic.txt")
    return [p.id for p in make_papers(count)]


def journal_of(path: Path) -> Path:
    return path.with_name(path.name + ".journal")


def stock_docs(path: Path) -> dict[str, dict[str, Any]]:
    db = TinyDB(path)
    try:
        return {doc["id"]: dict(doc) for doc in db.table("papers").all()}
    finally:
        db.close()


def test_many_papers_change_in_one_fsync_and_survive_reopening(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path, 50)
    library = Library.open(path)
    library.set_starred(ids[0], True)  # the journal exists now: no folder fsync below
    fsyncs: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (fsyncs.append(fd), real_fsync(fd))[1])
    read = {"read": True}
    after = library.update_states({pid: read for pid in ids})
    monkeypatch.undo()

    assert len(fsyncs) == 1
    assert [e.id for e in after] == ids and all(e.state.read for e in after)
    assert library.get(ids[0]).state.starred  # other fields are kept
    assert library.counts().unread == 0
    lines = journal_of(path).read_bytes().splitlines()
    assert len(lines) == 51
    assert Library.open(path).counts().unread == 0  # replayed from the journal
    library.close()
    docs = stock_docs(path)
    assert all(doc["read"] for doc in docs.values()) and docs[ids[0]]["starred"]


def test_each_paper_gets_its_own_values_and_unchanged_papers_write_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    library = Library.open(path)
    library.set_read(ids[1], True)
    size = journal_of(path).stat().st_size
    after = library.update_states(
        {ids[2]: {"read": True}, ids[1]: {"read": True}, ids[3]: {"starred": True, "tags": ["X"]}}
    )
    assert [e.id for e in after] == [ids[2], ids[1], ids[3]]  # the order asked
    assert after[1] is library.get(ids[1])  # unchanged: the very entry
    assert library.get(ids[3]).state.tags == ("x",)  # values are cleaned as one change's are
    written = journal_of(path).read_bytes()[size:].splitlines()
    assert [orjson.loads(line)["id"] for line in written] == [ids[2], ids[3]]

    version = library.version
    assert library.update_states({ids[1]: {"read": True}}) == [library.get(ids[1])]
    assert library.update_states({}) == []
    assert library.version == version  # nothing changed: nothing written, nothing redrawn
    assert len(journal_of(path).read_bytes()) == size + sum(len(line) + 1 for line in written)


def test_an_unknown_id_or_field_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    library = Library.open(path)
    library.set_read(ids[0], True)
    before = journal_of(path).read_bytes()
    with pytest.raises(KeyError):
        library.update_states({ids[1]: {"read": True}, "0000000000": {"read": True}})
    with pytest.raises(ValueError, match="not state fields"):
        library.update_states({ids[1]: {"title": "x"}})
    assert journal_of(path).read_bytes() == before
    assert not library.get(ids[1]).state.read


def test_a_read_only_library_refuses_a_batch(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    library = Library.open(path)
    library.read_only = True
    with pytest.raises(ReadOnlyError):
        library.update_states({ids[0]: {"read": True}})


def test_a_batch_cut_short_at_any_byte_is_ignored_whole_and_cut_off_by_the_next_change(
    tmp_path: Path,
) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    star = encode_change(ids[0], {"starred": True})
    batch = encode_batch([(pid, {"read": True}) for pid in ids])
    assert batch.count(b"\n") == len(ids)
    line_ends = [i + 1 for i, byte in enumerate(batch) if byte == ord("\n")]
    cuts = sorted({0, 1, *line_ends[:-1], *(end - 1 for end in line_ends), len(batch) - 1})
    cuts += random.Random(7).sample(range(len(batch)), 20)
    for cut in cuts:
        journal_of(path).write_bytes(star + batch[:cut])
        library = Library.open(path)
        assert library.get(ids[0]).state.starred, cut
        assert library.counts().unread == len(ids), cut  # not one paper of the batch
        library.set_note(ids[1], f"after a cut at {cut}")
        assert journal_of(path).read_bytes() == star + encode_change(
            ids[1], {"note": f"after a cut at {cut}"}
        )
        reopened = Library.open(path)
        assert reopened.counts().unread == len(ids) and reopened.get(ids[1]).state.note
    journal_of(path).write_bytes(star + batch)
    assert Library.open(path).counts().unread == 0  # the whole batch: every paper


def test_an_unfinished_batch_followed_by_other_lines_is_skipped(tmp_path: Path) -> None:
    """Only a writer that did not know batches (an older readlist) leaves lines after one."""
    path = tmp_path / "library.json"
    ids = new_library(path)
    batch = encode_batch([(pid, {"read": True}) for pid in ids])
    cut = batch[: batch.index(b"\n", len(batch) // 2) + 1]
    second = encode_batch([(pid, {"starred": True}) for pid in ids[:3]])
    journal_of(path).write_bytes(cut + encode_change(ids[5], {"note": "kept"}) + cut + second)
    library = Library.open(path)
    assert library.counts().unread == len(ids)
    assert library.get(ids[5]).state.note == "kept"
    assert [library.get(pid).state.starred for pid in ids[:4]] == [True, True, True, False]


def test_another_open_library_sees_the_batch_at_its_next_refresh(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    first, second = Library.open(path), Library.open(path)
    read = {"read": True}
    first.update_states({pid: read for pid in ids[:7]})
    assert second.refresh()
    assert second.counts().unread == len(ids) - 7
    second.update_states({pid: {"read": False} for pid in ids[:2]})
    first.refresh()
    assert first.counts().unread == len(ids) - 5


def test_a_killed_batch_writer_leaves_every_paper_as_before_or_after(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path, 3000)
    rng = random.Random(99)
    state = False  # every paper's read flag: all alike after every kill
    rounds_with_a_batch_done = 0
    for round_ in range(8):
        child = start_child("batches", path, str(int(state)))  # its first batch flips them
        assert child.stdout is not None
        child.stdout.readline()  # the first "want": it is running
        time.sleep(rng.uniform(0.02, 0.4))
        child.kill()
        rest = child.stdout.read()
        child.wait(timeout=10)
        in_flight: bool | None = None
        for event in (json.loads(line) for line in rest.split("\n")[:-1] if line):
            if event["event"] == "ok":
                state, in_flight = event["read"], None
                rounds_with_a_batch_done += 1
            else:
                in_flight = event["read"]
        library = Library.open(path)
        flags = {library.get(pid).state.read for pid in ids}
        assert len(flags) == 1, round_  # all or none: never a half-applied batch
        assert flags <= {state, in_flight}, round_  # an acknowledged batch is never lost
        state = flags.pop()
        library.close()
    assert rounds_with_a_batch_done >= 4


def test_a_full_disk_mid_batch_saves_nothing_of_it_and_keeps_what_was_saved(
    tmp_path: Path,
) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path, 200)
    child = start_child("batch_fsize", path, ids[4], "3000")  # room for a few dozen lines
    out, _ = child.communicate(timeout=60)
    assert child.returncode == 0, out
    report = json.loads(out.strip().splitlines()[-1])
    assert "could not save the change" in report["batch"] and "not saved" in report["batch"]
    assert report["journal_unchanged"] is True  # the lines that fitted were taken back
    assert report["unread_in_memory"] == 200 and report["starred_in_memory"] is True
    reopened = Library.open(path)
    assert reopened.counts().unread == 200 and reopened.get(ids[4]).state.starred


def test_a_grouped_undo_step_holds_each_papers_previous_values(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    library = Library.open(path)
    library.update_states({ids[0]: {"read": True}, ids[1]: {"starred": True}})
    stack = UndoStack()
    befores = [library.get(pid) for pid in ids[:3]]
    stack.record_group(befores, "marking 3 papers read", ("read",))
    library.update_states({pid: {"read": True} for pid in ids[:3]})
    step = stack.pop()
    assert isinstance(step, GroupUndoStep) and len(stack) == 0
    unread, read = {"read": False}, {"read": True}
    assert step.previous == {ids[0]: read, ids[1]: unread, ids[2]: unread}
    assert step.previous[ids[1]] is step.previous[ids[2]]  # equal values: one dict
    library.update_states(step.previous)
    assert [library.get(pid).state.read for pid in ids[:4]] == [True, False, False, False]
    assert library.get(ids[1]).state.starred  # only the recorded field is put back


def test_the_undo_stack_bounds_the_papers_it_remembers(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    entries = [Library.open(path).get(pid) for pid in ids]
    stack = UndoStack(paper_limit=10)
    stack.record(entries[0], "star")
    stack.record_group(entries, "marking 12 papers read", ("read",))
    assert len(stack) == 1  # the single step went; the newest step always stays
    stack.record_group(entries[:5], "marking 5 papers read", ("read",))
    assert len(stack) == 1
    stack.record(entries[0], "star")
    assert len(stack) == 2
    assert stack.pop() is not None and stack.pop() is not None and stack.pop() is None
