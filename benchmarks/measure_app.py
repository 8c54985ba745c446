"""App figures for one library, headless through Pilot: search and cursor, each from the trigger
to the painted frame that shows its result (see `Painter`); or, with `--rss`, the peak RSS of one
ordinary session (start, each query, end of the list).

    python -m benchmarks.measure_app LIBRARY [--runs 5] [--rss | --first-session]
        -> one JSON object on stdout
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.widgets import Input

from benchmarks import COMMON_WORD, QUERIES, RANKED_WORD, median, peak_rss_mb
from benchmarks.measure_start import SIZE, TIMEOUT_S, Painter
from readlist.app import ReadlistApp
from readlist.core.library import Library
from readlist.core.library.cache_files import cache_path
from readlist.core.search.query import parse_query
from readlist.widgets.paper_list import PaperList


def paper_list(app: App[Any]) -> PaperList:
    return app.screen.query_one(PaperList)


class _DrawnLists:
    """What each paper list held when it last drew its rows: a frame can go out after the list
    was given new entries but before it drew them (Textual redraws a widget once its refresh
    reaches the screen), and such a frame still shows the old rows."""

    drawn: dict[int, tuple[object, tuple[str, ...], int]] = {}  # noqa: RUF012
    real = PaperList.render_lines

    @classmethod
    def cursor(cls, widget: PaperList) -> int | None:
        """Where the cursor was when `widget` last drew rows."""
        drawn = cls.drawn.get(id(widget))
        return None if drawn is None else drawn[2]

    @classmethod
    def install(cls) -> None:
        if PaperList.render_lines is not cls.real:
            return

        def render_lines(widget: PaperList, crop: Any) -> Any:
            cls.drawn[id(widget)] = (widget.entries, widget.words, widget.cursor)
            return cls.real(widget, crop)

        PaperList.render_lines = render_lines  # type: ignore[method-assign]


def showing(app: App[Any], count: int, text: str | None = None) -> Callable[[], bool]:
    """The list shows `count` papers, drawn (and, given `text`, they answer that query: typing
    `l` then `le` leaves 100,000 papers shown, and the count alone took the frame before `le`'s
    result, leaving its search to delay the next key's)."""
    words = None if text is None else parse_query(text).words
    _DrawnLists.install()

    def shown() -> bool:
        papers = paper_list(app)
        drawn = _DrawnLists.drawn.get(id(papers))
        return (
            len(papers.entries) == count
            and (words is None or papers.words == words)
            and drawn is not None
            and drawn[0] is papers.entries
            and drawn[1] == papers.words
        )

    return shown


async def set_query(app: App[Any], painter: Painter, text: str, count: int) -> float:
    """Set the search input to `text`; seconds until the list shows its `count` papers."""
    field = app.screen.query_one("#search-input", Input)
    done = showing(app, count, text)
    if field.value == text and done():
        return 0.0
    painter.arm(done)
    start = time.perf_counter()
    field.value = text
    return await painter.since(start)


async def session(db: Path, runs: int) -> dict[str, float]:
    """One app session: every query `runs` times from the full list, then the cursor at the end."""
    lib = Library.open(db)
    out: dict[str, float] = {}
    try:
        total = len(lib)
        expected = {name: count_matches(lib, q) for name, q in QUERIES.items()}
        app = ReadlistApp(library=lib)
        painter = Painter(app)
        painter.arm(showing(app, total))
        async with app.run_test(size=SIZE) as pilot:
            await painter.since(time.perf_counter())
            first = True
            for name, text in QUERIES.items():
                times: list[float] = []
                for _ in range(runs):
                    await set_query(app, painter, "", total)
                    await pilot.pause()
                    took = await set_query(app, painter, text, expected[name])
                    if first:  # the first search also builds the lower-cased text cache
                        out["search_first_ms"] = took * 1e3
                        first = False
                        await set_query(app, painter, "", total)
                        await pilot.pause()
                        took = await set_query(app, painter, text, expected[name])
                    times.append(took)
                out[f"search_{name}_ms"] = median(times) * 1e3
            typed = (("search_typing", COMMON_WORD), ("search_typing_ranked", RANKED_WORD))
            for name, word in typed:  # one key at a time (narrowing)
                keys = await typing(app, pilot, painter, lib, word, runs)
                out[f"{name}_ms"] = median(keys) * 1e3
                out[f"{name}_max_ms"] = max(keys) * 1e3
            await set_query(app, painter, "", total)
            out.update(await cursor(app, pilot, painter, runs * 2))
    finally:
        lib.close()
    return out


async def typing(
    app: App[Any], pilot: Any, painter: Painter, lib: Library, word: str, runs: int
) -> list[float]:
    """Seconds from each key of `word`, typed one at a time from an empty bar (`runs` times),
    to the frame that shows its result."""
    prefixes = [word[:i] for i in range(1, len(word) + 1)]
    typed = [count_matches(lib, p) for p in prefixes]
    keys: list[float] = []
    for _ in range(runs):
        await set_query(app, painter, "", len(lib))
        for prefix, count in zip(prefixes, typed, strict=True):
            await pilot.pause()
            keys.append(await set_query(app, painter, prefix, count))
    return keys


def count_matches(lib: Library, text: str) -> int:
    """How many papers `text` matches, by `Query.matches` (the definition): nothing is cached,
    so the app's process starts with no search state and its peak RSS is the app's own."""
    query = parse_query(text)
    return sum(1 for entry in lib.entries() if query.matches(entry))


async def first_session(db: Path) -> dict[str, float]:
    """An app session on a library with no saved index (an import too small to build it, or a
    cache folder cleared): seconds from start until the warm-up worker has indexed every paper
    and saved the index, and the peak RSS."""
    lib = Library.open(db)
    try:
        app = ReadlistApp(library=lib)
        saved = cache_path(lib.path, "index")
        saved.unlink(missing_ok=True)  # a --workdir run again: this is the first session
        start, start_ns = time.perf_counter(), time.time_ns()
        async with app.run_test(size=SIZE) as pilot:
            # The warm-up worker saves the index once every paper is indexed.
            while not (saved.exists() and saved.stat().st_mtime_ns >= start_ns):
                if time.perf_counter() - start > TIMEOUT_S:
                    raise TimeoutError(f"the index was not saved within {TIMEOUT_S:.0f} s")
                await pilot.pause(0.02)
            took = time.perf_counter() - start
    finally:
        lib.close()
    return {"index_build_s": took, "app_index_rss_mb": peak_rss_mb()}


async def cursor(app: App[Any], pilot: Any, painter: Painter, runs: int) -> dict[str, float]:
    """`end` from the top, then up/down at the end of the list: key to the frame in which the
    list drew its rows with the cursor on the new row."""
    widget = paper_list(app)
    widget.focus()
    await pilot.pause()
    last = len(widget.entries) - 1
    _DrawnLists.install()
    painter.arm(lambda: widget.cursor == last == _DrawnLists.cursor(widget))
    start = time.perf_counter()
    await pilot.press("end")
    jump = await painter.since(start)
    times: list[float] = []
    for i in range(runs):
        key, target = ("up", last - 1) if i % 2 == 0 else ("down", last)
        await pilot.pause()
        painter.arm(
            lambda target=target: widget.cursor == target == _DrawnLists.cursor(widget)  # type: ignore[misc]
        )
        start = time.perf_counter()
        await pilot.press(key)
        times.append(await painter.since(start))
    return {"cursor_ms": median(times) * 1e3, "cursor_end_ms": jump * 1e3}


async def rss_session(db: Path) -> dict[str, float]:
    """An ordinary session (start, each query, end of list); its peak resident set size."""
    await session(db, 1)
    return {"peak_rss_mb": peak_rss_mb()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rss", action="store_true", help="only the peak RSS of one session")
    parser.add_argument(
        "--first-session", action="store_true", help="the first session after an import"
    )
    args = parser.parse_args(argv)
    if args.first_session:
        result = asyncio.run(first_session(args.library))
    elif args.rss:
        result = asyncio.run(rss_session(args.library))
    else:
        result = asyncio.run(session(args.library, args.runs))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
