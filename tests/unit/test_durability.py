"""No lost change and no damaged file: SIGKILLed writers, corrupt files, failed writes.

The writers are real processes (tests/helpers/library_child.py) killed with SIGKILL, and the
permission and disk-full cases use real file modes and a real write limit, not mocks.
"""

from __future__ import annotations

import json
import random
import select
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from helpers.children import start_child
from helpers.synthetic import make_papers
from tinydb import TinyDB

from readlist.core.errors import LibraryError
from readlist.core.library import Library


def run_child(command: str, path: Path, *args: str) -> dict[str, Any]:
    """Run a child to the end and return the JSON object it printed last."""
    child = start_child(command, path, *args)
    out, _ = child.communicate(timeout=60)
    assert child.returncode == 0, out
    return dict(json.loads(out.strip().splitlines()[-1]))


def kill(child: subprocess.Popen[str]) -> list[str]:
    """SIGKILL the child; the complete lines it had printed."""
    child.send_signal(signal.SIGKILL)
    assert child.stdout is not None
    rest = child.stdout.read()
    child.wait(timeout=10)
    return [line for line in rest.split("\n")[:-1] if line]  # a last line without \n is torn


def new_library(path: Path, count: int = 20) -> list[str]:
    library = Library.open(path)
    library.import_papers(make_papers(count), "synthetic.txt")
    library.close()
    return [p.id for p in make_papers(count)]


def stock_doc(path: Path, paper_id: str) -> dict[str, Any]:
    db = TinyDB(path)
    try:
        return dict(next(d for d in db.table("papers").all() if d["id"] == paper_id))
    finally:
        db.close()


# ----------------------------------------------------------------- kill -9


def test_a_change_is_kept_when_the_process_is_killed_right_after_it_returns(
    tmp_path: Path,
) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    child = start_child("star", path, ids[3])
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ok"
    kill(child)

    assert stock_doc(path, ids[3])["starred"] is False  # not compacted: only the journal has it
    assert Library.open(path).get(ids[3]).state.starred is True


def test_random_kills_never_lose_an_acknowledged_change(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path, 25)
    defaults: dict[str, Any] = {"starred": False, "read": False, "note": "", "tags": ()}
    expected = {(pid, field): value for pid in ids for field, value in defaults.items()}
    rng = random.Random(1234)
    acknowledged = 0
    for round_ in range(30):
        child = start_child("random", path, str(round_))
        assert child.stdout is not None
        first = child.stdout.readline()  # it is running: now kill it at a random moment
        time.sleep(rng.uniform(0.0, 0.25))
        lines = [first.rstrip("\n"), *kill(child)]
        in_flight: dict[str, Any] | None = None
        for line in lines:
            event = json.loads(line)
            key = (event["id"], event["field"])
            value = tuple(event["value"]) if event["field"] == "tags" else event["value"]
            if event["event"] == "want":
                in_flight = {"key": key, "value": value}
            else:
                expected[key] = value
                acknowledged += 1
                in_flight = None

        library = Library.open(path)  # a torn or half-applied change would fail here or below
        for (pid, field), value in expected.items():
            actual = getattr(library.get(pid).state, field)
            if in_flight is not None and in_flight["key"] == (pid, field):
                assert actual in (value, in_flight["value"]), (round_, pid, field)
                expected[pid, field] = actual
            else:
                assert actual == value, (round_, pid, field)
    assert acknowledged > 300  # the children really were busy when they were killed


def test_a_kill_during_an_import_leaves_the_old_or_the_new_library(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path, 1000)
    library = Library.open(path)
    library.set_starred(ids[0], True)
    library.set_note(ids[1], "precious")
    rng = random.Random(99)
    sizes = set()
    imports = 0
    for round_ in range(8):
        child = start_child("import", path, "2000")
        assert child.stdout is not None
        # Even rounds kill at a random moment after one import has finished (so mid-update of a
        # 2000-paper file); odd rounds at a random moment from the start (often the first import).
        wait_for_an_import = round_ % 2 == 0
        deadline = time.monotonic() + rng.uniform(0.1, 0.8)
        while True:  # look at the file while it is being rewritten
            sizes.add(len(orjson.loads(path.read_bytes())["papers"]))
            time.sleep(0.002)
            if wait_for_an_import and select.select([child.stdout], [], [], 0)[0]:
                wait_for_an_import = False
                deadline = time.monotonic() + rng.uniform(0.0, 0.3)
            if not wait_for_an_import and time.monotonic() > deadline:
                break
        imports += sum('"imported"' in line for line in kill(child))
        sizes.add(len(orjson.loads(path.read_bytes())["papers"]))  # never half-written
        reopened = Library.open(path)
        assert len(reopened) in (1000, 2000)
        assert reopened.get(ids[0]).state.starred
        assert reopened.get(ids[1]).state.note == "precious"
        assert not list(tmp_path.glob(".library.json.*.tmp"))  # a killed writer's temp file
    assert sizes == {1000, 2000}
    assert imports >= 4, imports  # at least one per even round: the kills hit real updates


# ----------------------------------------------------------------- the journal after a crash


def journal_of(path: Path) -> Path:
    return path.with_name(path.name + ".journal")


def test_a_torn_last_journal_line_is_ignored_and_cut_off_by_the_next_change(
    tmp_path: Path,
) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    good = b'{"id":"%s","set":{"starred":true}}\n' % ids[0].encode()
    torn = b'{"id":"%s","set":{"no' % ids[1].encode()
    journal_of(path).write_bytes(good + torn)
    library = Library.open(path)
    assert library.get(ids[0]).state.starred and library.get(ids[1]).state.note == ""
    library.set_read(ids[2], True)
    lines = journal_of(path).read_bytes().splitlines()
    assert [orjson.loads(line)["id"] for line in lines] == [ids[0], ids[2]]
    reopened = Library.open(path)
    assert reopened.get(ids[0]).state.starred and reopened.get(ids[2]).state.read


def test_a_damaged_line_inside_the_journal_is_refused_without_touching_anything(
    tmp_path: Path,
) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    journal_of(path).write_bytes(
        b'{"id":"%s","set":{"starred":true}}\nGARBAGE\n{"id":"%s","set":{"read":true}}\n'
        % (ids[0].encode(), ids[1].encode())
    )
    before = (path.read_bytes(), journal_of(path).read_bytes())
    with pytest.raises(LibraryError, match=r"library\.json\.journal: damaged journal line"):
        Library.open(path)
    assert (path.read_bytes(), journal_of(path).read_bytes()) == before


def test_replaying_a_journal_already_folded_into_the_file_changes_nothing(
    tmp_path: Path,
) -> None:
    """A crash between compaction's file replace and its journal truncation leaves both."""
    path = tmp_path / "library.json"
    ids = new_library(path)
    library = Library.open(path)
    library.set_note(ids[0], "first")
    library.set_note(ids[0], "second")
    library.set_tags(ids[1], ["a", "b"])
    old_journal = journal_of(path).read_bytes()
    library.compact()
    journal_of(path).write_bytes(old_journal)

    reopened = Library.open(path)
    assert reopened.get(ids[0]).state.note == "second"
    assert reopened.get(ids[1]).state.tags == ("a", "b")
    reopened.set_note(ids[0], "third")
    assert Library.open(path).get(ids[0]).state.note == "third"


# ----------------------------------------------------------------- corrupt files


CORRUPT = {
    "truncated JSON": (b'{"papers": {"1": {"id": "abc", "title": "T', "truncated JSON"),
    "not JSON": (b"title,abstract\nA paper,text\n", "not JSON"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not JSON"),
    "a JSON list": (b"[1, 2, 3]", "not a readlist library"),
    "papers not a table": (b'{"papers": [1]}', "not a readlist library"),
    "paper without a title": (
        b'{"papers": {"1": {"id": "abc", "abstract": "x"}}}',
        "not a readlist library",
    ),
    "starred not a bool": (
        b'{"papers": {"1": {"id": "a", "title": "t", "abstract": "x", "starred": "yes"}}}',
        "not a readlist library",
    ),
    "newer schema": (b'{"papers": {}, "_readlist": {"1": {"schema": 99}}}', "newer readlist"),
}


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_a_corrupt_library_is_refused_with_one_line_and_left_byte_identical(
    tmp_path: Path, case: str
) -> None:
    data, reason = CORRUPT[case]
    path = tmp_path / "library.json"
    path.write_bytes(data)
    with pytest.raises(LibraryError) as caught:
        Library.open(path)
    message = str(caught.value)
    assert str(path) in message and reason in message and "\n" not in message
    assert path.read_bytes() == data
    assert not journal_of(path).exists()


def test_a_folder_where_the_library_should_be_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    path.mkdir()
    with pytest.raises(LibraryError, match="is a folder"):
        Library.open(path)


def test_a_library_replaced_by_garbage_while_open_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    library = Library.open(path)
    path.write_bytes(b"{oops")
    with pytest.raises(LibraryError, match="not JSON"):
        library.set_starred(ids[0], True)
    with pytest.raises(LibraryError):
        library.compact()
    assert path.read_bytes() == b"{oops"


# ----------------------------------------------------------------- permissions and full disks


def test_a_read_only_library_opens_for_browsing_and_refuses_changes(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    path.chmod(0o444)
    before = path.read_bytes()
    report = run_child("restricted", path, ids[0])
    assert report["read_only"] is True and report["count"] == 20
    assert report["star"].startswith("ReadOnlyError") and str(path) in report["star"]
    assert report["starred_in_memory"] is False
    assert path.read_bytes() == before and not journal_of(path).exists()


def test_a_library_in_a_read_only_folder_opens_without_a_lock_file(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    path = folder / "library.json"
    ids = new_library(path)
    (folder / "library.json.lock").unlink()
    folder.chmod(0o555)
    try:
        report = run_child("restricted", path, ids[0])
        assert report["read_only"] is True and report["count"] == 20
        assert report["compact"].startswith("ReadOnlyError")
        assert sorted(p.name for p in folder.iterdir()) == ["library.json"]
    finally:
        folder.chmod(0o700)


def test_an_unreadable_library_is_refused_and_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    path.chmod(0o000)
    try:
        report = run_child("restricted", path, ids[0])
    finally:
        path.chmod(0o600)
    assert report["error_type"] == "LibraryError"
    assert report["open_error"] == f"{path}: cannot read the library (permission denied)"
    assert len(Library.open(path)) == 20


def test_a_failed_journal_write_is_not_claimed(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    journal_of(path).write_bytes(b"")
    journal_of(path).chmod(0o444)
    report = run_child("restricted", path, ids[0])
    assert report["read_only"] is False
    assert "could not save the change (permission denied)" in report["star"]
    assert report["starred_in_memory"] is False
    journal_of(path).chmod(0o600)
    assert Library.open(path).get(ids[0]).state.starred is False


def test_a_full_disk_refuses_the_change_and_keeps_everything_saved(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    ids = new_library(path)
    limit = path.stat().st_size + 2000  # room for a small journal line, not for a big import
    report = run_child("fsize", path, str(limit), ids[0])
    assert report["small_star"] == "saved"
    assert "it was not saved" in report["big_note"] and report["note_in_memory"] == ""
    assert "the file on disk is unchanged" in report["import"] and report["count"] == 20
    reopened = Library.open(path)
    assert len(reopened) == 20
    assert reopened.get(ids[0]).state.starred and reopened.get(ids[0]).state.note == ""
    assert not list(tmp_path.glob(".library.json.*.tmp"))
