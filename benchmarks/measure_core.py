"""Core figures for one library size, in a process of their own: import, re-import, star, note,
and `search()` without the UI (to tell the core's share of a slow app search from the widget's).

    python -m benchmarks.measure_core FEED WORKDIR [--runs 3]   -> one JSON object on stdout

Import is timed as `readlist import FEED` does it in-process: open the library, read and parse the
feed, upsert, close (which compacts), so it is what the user waits for minus interpreter start.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import QUERIES, median, percentile
from readlist.core.formats import read_feed
from readlist.core.library import Library
from readlist.core.search.bulk_index import index_during
from readlist.core.search.query import clear_cache, parse_query, search

STAR_SAMPLES = 150
#: A pause between star changes, as a user leaves, so background compaction gets to run and
#: its interference shows in p95 instead of hiding behind a burst of back-to-back writes.
STAR_GAP_S = 0.01
NOTE_SAMPLES = 20
SEARCH_RUNS = 5


def _import_once(feed: Path, db: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    lib = Library.open(db)
    t1 = time.perf_counter()
    parsed = read_feed(str(feed))
    t2 = time.perf_counter()
    # As `readlist import` does: an import of many new papers builds their index too.
    with index_during(lib, parsed.papers):
        result = lib.import_papers(parsed.papers, parsed.source)
        t3 = time.perf_counter()
    t4 = time.perf_counter()
    lib.close()
    t5 = time.perf_counter()
    return {
        "total": t5 - t0,
        "open": t1 - t0,
        "parse": t2 - t1,
        "upsert": t3 - t2,
        "index": t4 - t3,
        "close": t5 - t4,
        "new": float(result.new),
        "papers": float(result.total),
    }


def measure_import(feed: Path, workdir: Path, runs: int) -> tuple[dict[str, Any], Path]:
    """Import into an empty library `runs` times, then re-import into the last one."""
    fresh: list[dict[str, float]] = []
    db = workdir / "lib-0" / "library.json"
    for run in range(runs):
        folder = workdir / f"lib-{run}"
        shutil.rmtree(folder, ignore_errors=True)
        db = folder / "library.json"
        fresh.append(_import_once(feed, db))
        if run < runs - 1:
            shutil.rmtree(folder, ignore_errors=True)
    again = [_import_once(feed, db) for _ in range(runs)]
    out: dict[str, Any] = {
        "papers": int(fresh[-1]["papers"]),
        "import_s": median([r["total"] for r in fresh]),
        "reimport_s": median([r["total"] for r in again]),
        "reimport_new": int(again[-1]["new"]),
    }
    for part in ("open", "parse", "upsert", "index", "close"):
        out[f"import_{part}_s"] = median([r[part] for r in fresh])
        out[f"reimport_{part}_s"] = median([r[part] for r in again])
    out["library_mb"] = db.stat().st_size / 1e6
    return out, db


def measure_state(db: Path) -> dict[str, float]:
    """Star/unstar random papers and save notes; each call returns once durable (contract).

    `os.sync()` first: the imports just before left ~100 MB of dirty pages at 100,000 papers, and
    an fsync in the middle of their writeback waits for it (p95 11 ms instead of 1 ms at 10,000).
    """
    os.sync()
    lib = Library.open(db)
    try:
        ids = [e.id for e in lib.entries()]
        rng = random.Random(4)
        stars: list[float] = []
        for i in range(STAR_SAMPLES):
            paper = rng.choice(ids)
            t0 = time.perf_counter()
            lib.set_starred(paper, i % 2 == 0)
            stars.append(time.perf_counter() - t0)
            time.sleep(STAR_GAP_S)
        notes: list[float] = []
        for i in range(NOTE_SAMPLES):
            paper = rng.choice(ids)
            text = f"Benchmark note {i}: read section 3 again; compare with the baseline. " * 3
            t0 = time.perf_counter()
            lib.set_note(paper, text)
            notes.append(time.perf_counter() - t0)
            time.sleep(STAR_GAP_S)
    finally:
        lib.close()
    return {
        "star_p50_ms": percentile(stars, 0.5) * 1e3,
        "star_p95_ms": percentile(stars, 0.95) * 1e3,
        "star_max_ms": max(stars) * 1e3,
        "note_ms": median(notes) * 1e3,
        "note_p95_ms": percentile(notes, 0.95) * 1e3,
    }


def measure_search(db: Path) -> dict[str, float]:
    """`search()` over every entry: the first (cold cache) run and the median of warm runs."""
    lib = Library.open(db)
    try:
        entries = lib.entries()
        out: dict[str, float] = {}
        clear_cache()
        for name, text in QUERIES.items():
            times: list[float] = []
            for _ in range(SEARCH_RUNS + 1):
                t0 = time.perf_counter()
                found = search(entries, parse_query(text))
                times.append(time.perf_counter() - t0)
            out[f"core_search_{name}_cold_ms"] = times[0] * 1e3
            out[f"core_search_{name}_ms"] = median(times[1:]) * 1e3
            out[f"matches_{name}"] = float(len(found))
    finally:
        lib.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("feed", type=Path)
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    result, db = measure_import(args.feed, args.workdir, args.runs)
    result.update(measure_search(db))
    result.update(measure_state(db))
    result["db"] = str(db)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
