"""Ranking and related papers for one library, in a process of their own (issue 13).

    python -m benchmarks.measure_rank LIBRARY [--runs 5]   -> one JSON object on stdout

The token index is loaded as the app loads it (from the cache the first app session saved, else
built first). Then, without the UI:
- rank: `rank()` of the papers a query matched, for the common word (in more than half the
  papers: its idf is 0, so it only filters) and for `RANKED_WORD` (the commonest word of the
  benchmark queries that ranks: the largest set ranked), and search + rank as the app does it;
- related: `related()` for `RELATED_ANCHORS` papers drawn at random (seeded), median and slowest,
  and the first call apart (it counts the sample's words once per library).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

from benchmarks import COMMON_WORD, RANKED_WORD, SEED, median
from readlist.core.library import Library
from readlist.core.search.query import parse_query, prepare, search
from readlist.core.search.ranking import rank
from readlist.core.search.related import related

RELATED_ANCHORS = 20


def measure(db: Path, runs: int) -> dict[str, float]:
    lib = Library.open(db)
    try:
        entries = lib.entries()
        start = time.perf_counter()
        prepare(entries, cache_key=lib.path)
        out: dict[str, float] = {"rank_index_load_s": time.perf_counter() - start}
        for name, word in (("common", COMMON_WORD), ("ranked", RANKED_WORD)):
            query = parse_query(word)
            found = search(entries, query)
            ranks: list[float] = []
            both: list[float] = []
            for _ in range(runs):
                t0 = time.perf_counter()
                rank(found, query, entries)
                ranks.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                rank(search(entries, query), query, entries)
                both.append(time.perf_counter() - t0)
            out[f"rank_{name}_ms"] = median(ranks) * 1e3
            out[f"search_rank_{name}_ms"] = median(both) * 1e3
            out[f"rank_{name}_matches"] = float(len(found))
        anchors = random.Random(SEED).sample(entries, min(RELATED_ANCHORS + 1, len(entries)))
        t0 = time.perf_counter()
        related(anchors[0], entries)
        out["related_first_ms"] = (time.perf_counter() - t0) * 1e3
        times: list[float] = []
        for anchor in anchors[1:]:
            t0 = time.perf_counter()
            related(anchor, entries)
            times.append(time.perf_counter() - t0)
        out["related_ms"] = median(times) * 1e3
        out["related_max_ms"] = max(times) * 1e3
    finally:
        lib.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    json.dump(measure(args.library, args.runs), sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
