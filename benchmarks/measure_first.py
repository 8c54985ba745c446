"""The first search of a session, typed the moment the list is first painted (issue 13: "every
search from the first keystroke after the first paint"), in fresh processes.

    python -m benchmarks.measure_first LIBRARY [--runs 5]  -> one JSON object on stdout

Each run spawns a process that opens the library, starts the app, and as soon as a frame shows
every paper sets the query to the common word: time to the frame that shows its matches. The
same search 1.5 s later, spawn to first paint and the process's peak RSS are reported beside it.
`measure_app`'s `search_first_ms` types only after `pilot.pause()`, which may be after the saved
index has loaded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import COMMON_WORD, median, peak_rss_mb, private_mb


async def _child(library: str, spawned: float) -> dict[str, float]:
    from benchmarks.measure_app import set_query, showing
    from benchmarks.measure_start import SIZE, Painter
    from readlist.app import ReadlistApp
    from readlist.core.library import Library

    lib = Library.open(library)
    out: dict[str, float] = {}
    try:
        total = len(lib)
        # Counted by `Query.matches` in a process of its own: nothing cached here.
        expected = int(os.environ["MEASURE_FIRST_EXPECTED"])
        app = ReadlistApp(library=lib)
        painter = Painter(app)
        painter.arm(showing(app, total))
        async with app.run_test(size=SIZE) as pilot:
            await painter.since(time.perf_counter())
            out["start_s"] = painter.painted_wall - spawned
            out["first_search_ms"] = await set_query(app, painter, COMMON_WORD, expected) * 1e3
            helper = app.search_helper  # answers while the saved index loads here
            running = helper is not None and helper.running
            out["helper_rss_mb"] = peak_rss_mb(helper.pid) if helper and running else 0.0
            out["helper_private_mb"] = private_mb(helper.pid) if helper and running else 0.0
            await asyncio.sleep(1.5)
            await set_query(app, painter, "", total)
            await pilot.pause()
            out["later_search_ms"] = await set_query(app, painter, COMMON_WORD, expected) * 1e3
        out["peak_rss_mb"] = peak_rss_mb()
    finally:
        lib.close()
    return out


def measure(library: Path, runs: int) -> dict[str, Any]:
    from benchmarks.measure_app import count_matches
    from readlist.core.library import Library

    lib = Library.open(library)
    try:
        expected = count_matches(lib, COMMON_WORD)
    finally:
        lib.close()
    env = dict(os.environ, MEASURE_FIRST_EXPECTED=str(expected))
    results: list[dict[str, float]] = []
    for _ in range(runs):
        command = [sys.executable, "-m", "benchmarks.measure_first", "--child", str(library)]
        command.append(repr(time.time()))
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    keys = results[0].keys()
    return {
        **{f"{k}_median": median([r[k] for r in results]) for k in keys},
        **{f"{k}_max": max(r[k] for r in results) for k in keys},
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "--child":
        print(json.dumps(asyncio.run(_child(args[1], float(args[2])))), flush=True)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parsed = parser.parse_args(args)
    json.dump(measure(parsed.library, parsed.runs), sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
