"""App figures for one library, headless through Pilot: start to first painted list (and a bare
Textual app's start as the baseline, in the same process), search, cursor; or, with `--rss`, the
peak RSS of one ordinary session.

    python -m benchmarks.measure_app LIBRARY [--runs 5] [--rss]  -> one JSON object on stdout

"Painted" means a compositor frame went to the (headless) driver: `Painter` wraps the app's
`_display` and notes the time of the first frame after which a condition on the widgets holds, so
a figure is the time from the trigger to the frame that shows its result, whatever the app does in
between (workers, debounce timers, messages).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from benchmarks import QUERIES, median
from readlist.app import ReadlistApp
from readlist.core.query import parse_query, search
from readlist.core.store import Library
from readlist.widgets.paper_list import PaperList

SIZE = (120, 40)
TIMEOUT_S = 120.0


class Painter:
    """Times the first painted frame after which `predicate()` holds."""

    def __init__(self, app: App[Any]) -> None:
        self._app = app
        self._original = app._display
        self._predicate: Callable[[], bool] | None = None
        self._event = asyncio.Event()
        self.painted_at = 0.0
        app._display = self._display  # type: ignore[method-assign]

    def _display(self, screen: Any, renderable: Any) -> None:
        self._original(screen, renderable)
        predicate = self._predicate
        if predicate is None or renderable is None or self._app._batch_count:
            return
        try:
            done = predicate()
        except Exception:  # widgets not mounted yet
            done = False
        if done:
            self.painted_at = time.perf_counter()
            self._predicate = None
            self._event.set()

    def arm(self, predicate: Callable[[], bool]) -> None:
        """Call before the trigger, so a frame painted during the trigger counts."""
        self._event.clear()
        self._predicate = predicate

    async def since(self, start: float) -> float:
        """Seconds from `start` to the frame (NaN if it never came within TIMEOUT_S)."""
        try:
            await asyncio.wait_for(self._event.wait(), TIMEOUT_S)
        except asyncio.TimeoutError:
            self._predicate = None
            return float("nan")
        return self.painted_at - start


class BareApp(App[None]):
    """The baseline: a Textual app with one Static widget."""

    def compose(self) -> ComposeResult:
        yield Static("readlist benchmark baseline")


def paper_list(app: App[Any]) -> PaperList:
    return app.screen.query_one(PaperList)


def showing(app: App[Any], count: int) -> Callable[[], bool]:
    return lambda: len(paper_list(app).entries) == count


async def bare_start() -> float:
    start = time.perf_counter()
    app = BareApp()
    painter = Painter(app)
    painter.arm(lambda: bool(app.screen.query(Static)))
    async with app.run_test(size=SIZE):
        took = await painter.since(start)
    return took


async def readlist_start(db: Path) -> float:
    """Open the library and start the app until the list is painted holding every paper."""
    start = time.perf_counter()
    lib = Library.open(db)
    try:
        app = ReadlistApp(library=lib)
        painter = Painter(app)
        painter.arm(showing(app, len(lib)))
        async with app.run_test(size=SIZE):
            took = await painter.since(start)
    finally:
        lib.close()
    return took


async def set_query(app: App[Any], painter: Painter, text: str, count: int) -> float:
    """Set the search input to `text`; seconds until the list shows `count` papers."""
    field = app.screen.query_one("#search-input", Input)
    if field.value == text and len(paper_list(app).entries) == count:
        return 0.0
    painter.arm(showing(app, count))
    start = time.perf_counter()
    field.value = text
    return await painter.since(start)


async def session(db: Path, runs: int) -> dict[str, float]:
    """One app session: every query `runs` times from the full list, then the cursor at the end."""
    lib = Library.open(db)
    out: dict[str, float] = {}
    try:
        total = len(lib)
        expected = {name: len(search(lib.entries(), parse_query(q))) for name, q in QUERIES.items()}
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
                    if first:
                        out["search_first_ms"] = took * 1e3
                        first = False
                        took = await set_query(app, painter, "", total)
                        await pilot.pause()
                        took = await set_query(app, painter, text, expected[name])
                    times.append(took)
                out[f"search_{name}_ms"] = median(times) * 1e3
            await set_query(app, painter, "", total)
            out.update(await cursor(app, pilot, painter, runs * 2))
    finally:
        lib.close()
    return out


async def cursor(app: App[Any], pilot: Any, painter: Painter, runs: int) -> dict[str, float]:
    """`end` from the top, then up/down at the end of the list: key to repainted row."""
    widget = paper_list(app)
    widget.focus()
    await pilot.pause()
    last = len(widget.entries) - 1
    painter.arm(lambda: widget.cursor == last)
    start = time.perf_counter()
    await pilot.press("end")
    jump = await painter.since(start)
    times: list[float] = []
    for i in range(runs):
        key, target = ("up", last - 1) if i % 2 == 0 else ("down", last)
        await pilot.pause()
        painter.arm(lambda target=target: widget.cursor == target)  # type: ignore[misc]
        start = time.perf_counter()
        await pilot.press(key)
        times.append(await painter.since(start))
    return {"cursor_ms": median(times) * 1e3, "cursor_end_ms": jump * 1e3}


async def measure(db: Path, runs: int) -> dict[str, float]:
    bare: list[float] = []
    ours: list[float] = []
    for _ in range(runs):  # alternate, so noise from the other users of the machine hits both
        bare.append(await bare_start())
        ours.append(await readlist_start(db))
    out = {
        "bare_start_s": median(bare),
        "app_start_s": median(ours),
        "start_ratio": median(ours) / median(bare),
    }
    out.update(await session(db, runs))
    return out


async def rss_session(db: Path) -> dict[str, float]:
    """An ordinary session (start, each query, end of list); its peak resident set size."""
    await session(db, 1)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"peak_rss_mb": peak_kib / 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rss", action="store_true", help="only the peak RSS of one session")
    args = parser.parse_args(argv)
    if args.rss:
        result = asyncio.run(rss_session(args.library))
    else:
        result = asyncio.run(measure(args.library, args.runs))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
