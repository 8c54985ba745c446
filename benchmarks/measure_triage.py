"""Marking every shown paper read, and undoing it, at a library size: the core call and the app.

    python -m benchmarks.measure_triage [--sizes 10000,100000] [--runs 3]
        -> one JSON object per size on stdout

`core_mark_s` / `core_undo_s`: `Library.update_states` over every paper (one journal batch, one
fsync), the median of `runs`. `app_mark_s` / `app_undo_s`: in the app (Pilot, 120x40, the whole
library shown), from `y` in the confirm dialog (or `u`) to the counts in the status line saying
so: the change on disk, the rows, the detail and the counts redrawn, and the undo step recorded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from textual import events

from benchmarks import median
from benchmarks.generate import generate
from readlist.app import ReadlistApp
from readlist.core.formats import parse_feed
from readlist.core.library import Library
from readlist.screens.confirm import ConfirmDialog
from readlist.screens.main import MainScreen

SIZE = (120, 40)


def core(lib: Library, runs: int) -> dict[str, float]:
    ids = [entry.id for entry in lib.entries()]
    marks: list[float] = []
    undos: list[float] = []
    for _ in range(runs):
        read, unread = {"read": True}, {"read": False}
        start = time.perf_counter()
        lib.update_states({paper: read for paper in ids})
        marks.append(time.perf_counter() - start)
        start = time.perf_counter()
        lib.update_states({paper: unread for paper in ids})
        undos.append(time.perf_counter() - start)
    lib.compact()
    return {"core_mark_s": median(marks), "core_undo_s": median(undos)}


async def until(pilot: Any, test: Any, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not test():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not get there")
        await asyncio.sleep(0.001)


async def app(lib: Library) -> dict[str, float]:
    readlist = ReadlistApp(lib)
    total = len(lib)
    async with readlist.run_test(size=SIZE) as pilot:
        await readlist.workers.wait_for_complete()
        screen = readlist.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("M")
        await until(pilot, lambda: isinstance(readlist.screen, ConfirmDialog))
        start = time.perf_counter()
        readlist.post_message(events.Key("y", "y"))  # as the terminal driver does: no Pilot waits
        await until(pilot, lambda: lib.counts().unread == 0 and "· 0 unread" in status(screen))
        mark = time.perf_counter() - start
        start = time.perf_counter()
        readlist.post_message(events.Key("u", "u"))
        await until(pilot, lambda: f"· {total:,} unread" in status(screen))
        undo = time.perf_counter() - start
    return {"app_mark_s": mark, "app_undo_s": undo}


def status(screen: MainScreen) -> str:
    return str(screen.query_one("#status").render())


def measure(size: int, runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        parsed = parse_feed(generate(size).encode(), "synthetic.txt")
        lib = Library.open(Path(folder) / "library.json")
        lib.import_papers(parsed.papers, parsed.source)
        figures: dict[str, Any] = {"size": len(lib), **core(lib, runs)}
        figures.update(asyncio.run(app(lib)))
        lib.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args(argv)
    for size in (int(s) for s in options.sizes.split(",")):
        print(json.dumps(measure(size, options.runs)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
