"""`readlist import` killed at random moments: the library opens afterwards, old or new, never half.

tests/unit/test_durability.py kills processes that call the Library API; this kills the real
command a user runs (`python -m readlist import`) on a generated feed of several megabytes, both
while it parses and while it writes the file.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
from hostile import big_feed
from tinydb import TinyDB

from readlist.core.formats import parse_feed
from readlist.core.library import Library

ROOT = Path(__file__).resolve().parents[2]
OLD, NEW = 1000, 5000


def start_import(db: Path, feed: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "readlist", "import", "--db", str(db), str(feed)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )


def temp_files(folder: Path) -> list[Path]:
    return list(folder.glob(".library.json.*.tmp"))


def make_old_library(folder: Path) -> tuple[Path, str, str]:
    """A 1000-paper library with a star and a note compacted into it; (path, starred, noted)."""
    path = folder / "library.json"
    papers = parse_feed(big_feed(OLD), "old.txt").papers
    with Library.open(path) as library:
        library.import_papers(papers, "old.txt")
        library.set_starred(papers[0].id, True)
        library.set_note(papers[1].id, "years of notes")
    return path, papers[0].id, papers[1].id


def test_killing_readlist_import_leaves_the_old_or_the_new_library(tmp_path: Path) -> None:
    work = tmp_path / "lib"
    work.mkdir()
    path, starred, noted = make_old_library(work)
    pristine = tmp_path / "pristine.json"
    shutil.copy2(path, pristine)
    feed = tmp_path / "big.txt"
    feed.write_bytes(big_feed(NEW))  # ~2.4 MB; the first 1000 papers are the library's own

    started = time.monotonic()
    first = start_import(path, feed)
    assert first.wait(timeout=60) == 0, first.stderr
    whole = time.monotonic() - started
    rng = random.Random(5)
    outcomes: list[int] = []
    alive_at_kill = 0
    for round_ in range(6):
        shutil.copy2(pristine, path)
        child = start_import(path, feed)
        if round_ % 2:
            # Odd rounds: kill at a random moment of a whole run (start-up and parsing, mostly).
            deadline = time.monotonic() + rng.uniform(0.0, 1.0) * whole
            while time.monotonic() < deadline and child.poll() is None:
                orjson.loads(path.read_bytes())  # readers never see a half-written file
                time.sleep(0.002)
        else:
            # Even rounds: wait until the new file is being written, then kill within 4 ms.
            deadline = time.monotonic() + 30
            while not temp_files(work) and child.poll() is None:
                assert time.monotonic() < deadline
                time.sleep(0.0002)
            time.sleep(rng.uniform(0.0, 0.004))
        alive_at_kill += child.poll() is None
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        orjson.loads(path.read_bytes())
        with Library.open(path) as reopened:
            outcomes.append(len(reopened))
            assert len(reopened) in (OLD, NEW)
            assert reopened.get(starred).state.starred
            assert reopened.get(noted).state.note == "years of notes"
        assert temp_files(work) == []  # the next open cleared a killed writer's temp file
        stock = TinyDB(path)
        try:
            assert len(stock.table("papers")) in (OLD, NEW)
        finally:
            stock.close()
    assert OLD in outcomes, outcomes  # some kills came before the new file was committed
    assert alive_at_kill >= 3, alive_at_kill  # and most kills really cut an import short
