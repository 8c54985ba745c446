"""Where the time goes: cProfile of each benchmarked step, top functions by own time.

    python -m benchmarks.measure_profile FEED LIBRARY [--top 12] [--step open,parse,...]

Steps: `open` (Library.open), `parse` (read_feed), `reimport` (import_papers of the same feed into
LIBRARY, which should already hold it), `search` (core search of each query, text cache warm) and
`app` (the UI thread during a few searches through the app; worker threads are not profiled).
LIBRARY is changed only by `reimport`, which adds nothing when it already holds the feed.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import QUERIES

STEPS = ("open", "parse", "reimport", "search", "app")


def _report(name: str, profile: cProfile.Profile, top: int) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    took = stats.total_tt  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(top)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    body = lines[lines.index(next(x for x in lines if "ncalls" in x)) :]
    print(f"== {name}: {took:.3f} s (under the profiler)")
    print("\n".join(body))
    print()


def _profiled(name: str, top: int, call: Callable[[], object]) -> object:
    profile = cProfile.Profile()
    profile.enable()
    try:
        return call()
    finally:
        profile.disable()
        _report(name, profile, top)


async def _app_searches(library: Path, profile: cProfile.Profile) -> None:
    from textual.widgets import Input

    from benchmarks.measure_app import paper_list, set_query
    from benchmarks.measure_start import SIZE, Painter
    from readlist.app import ReadlistApp
    from readlist.core.library import Library
    from readlist.core.search.query import parse_query, search

    lib = Library.open(library)
    total = len(lib)
    expected = [len(search(lib.entries(), parse_query(q))) for q in QUERIES.values()]
    app = ReadlistApp(library=lib)
    painter = Painter(app)
    painter.arm(lambda: len(paper_list(app).entries) == total)
    async with app.run_test(size=SIZE) as pilot:
        await painter.since(time.perf_counter())
        app.screen.query_one("#search-input", Input)
        for _ in range(3):
            for text, count in zip(QUERIES.values(), expected, strict=True):
                await set_query(app, painter, "", total)
                await pilot.pause()
                profile.enable()
                await set_query(app, painter, text, count)
                profile.disable()
    lib.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("feed", type=Path)
    parser.add_argument("library", type=Path)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument(
        "--step", default=",".join(STEPS), help="comma-separated: " + ", ".join(STEPS)
    )
    args = parser.parse_args(argv)
    steps = args.step.split(",")

    from readlist.core.formats import read_feed
    from readlist.core.library import Library
    from readlist.core.search.query import parse_query, search

    if "parse" in steps or "reimport" in steps:
        parsed = _profiled("parse: read_feed", args.top, lambda: read_feed(str(args.feed)))
    if "open" in steps:
        lib = _profiled("open: Library.open", args.top, lambda: Library.open(args.library))
    else:
        lib = Library.open(args.library)
    assert isinstance(lib, Library)
    if "reimport" in steps:
        papers = parsed.papers  # type: ignore[attr-defined]
        source = parsed.source  # type: ignore[attr-defined]
        _profiled("reimport: import_papers", args.top, lambda: lib.import_papers(papers, source))
    if "search" in steps:
        entries = lib.entries()
        for text in QUERIES.values():
            search(entries, parse_query(text))  # warm the text cache, as the app's worker does

        def searches() -> None:
            for text in QUERIES.values():
                search(entries, parse_query(text))

        _profiled("search: core search() of each query, warm", args.top, searches)
    lib.close()
    if "app" in steps:
        profile = cProfile.Profile()
        asyncio.run(_app_searches(args.library, profile))
        _report("app: UI thread during 9 searches", profile, args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
