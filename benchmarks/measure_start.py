"""Start-up: process start to first painted frame, for readlist and for a bare Textual app.

The user waits for the interpreter, the imports, the library load and the first paint, so each
start is a fresh process and the clock starts just before it is spawned; the child prints the
wall-clock time of its first frame that shows the list. A bare Textual app with one Static, started
the same way in the same run, is the baseline of the ratio (issue 4: Python and Textual cost
~0.27 s before any paint). Only textual is imported at module level, so the bare child loads no
readlist code.

    python -m benchmarks.measure_start bare | readlist LIBRARY   (child: prints a timestamp)

`Painter` lives here, not in measure_app, for that reason.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Static

SIZE = (120, 40)
TIMEOUT_S = 120.0


class Painter:
    """Times the first painted frame after which `predicate()` holds.

    It wraps the app's `_display`, which every compositor frame goes through (headless too), so a
    figure is the time from a trigger to the frame that shows its result, whatever the app does
    in between (workers, timers, messages).
    """

    def __init__(self, app: App[Any]) -> None:
        self._app = app
        self._original = app._display
        self._predicate: Callable[[], bool] | None = None
        self._event = asyncio.Event()
        self.painted_at = 0.0
        self.painted_wall = 0.0
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
            self.painted_wall = time.time()
            self._predicate = None
            self._event.set()

    def arm(self, predicate: Callable[[], bool]) -> None:
        """Call before the trigger, so a frame painted during the trigger counts."""
        self._event.clear()
        self._predicate = predicate

    async def since(self, start: float) -> float:
        """Seconds from `start` (perf_counter) to the frame.

        Raises TimeoutError after TIMEOUT_S: the app never showed what was expected (a changed
        widget id, a default filter), and waiting for every further run would only hide that.
        """
        try:
            await asyncio.wait_for(self._event.wait(), TIMEOUT_S)
        except asyncio.TimeoutError:
            self._predicate = None
            raise TimeoutError(
                f"no frame showed the expected list within {TIMEOUT_S:.0f} s"
            ) from None
        return self.painted_at - start


class BareApp(App[None]):
    """The baseline: a Textual app with one Static widget."""

    def compose(self) -> ComposeResult:
        yield Static("readlist benchmark baseline")


async def _first_paint(app: App[Any], predicate: Callable[[], bool]) -> float:
    painter = Painter(app)
    painter.arm(predicate)
    async with app.run_test(size=SIZE):
        await painter.since(time.perf_counter())
    return painter.painted_wall


async def _child(argv: list[str]) -> float:
    if argv[0] == "bare":
        bare = BareApp()
        return await _first_paint(bare, lambda: bool(bare.screen.query(Static)))
    from readlist.app import ReadlistApp
    from readlist.core.library import Library
    from readlist.widgets.paper_list import PaperList

    lib = Library.open(argv[1])
    app = ReadlistApp(library=lib)
    total = len(lib)
    return await _first_paint(app, lambda: len(app.screen.query_one(PaperList).entries) == total)


def start_once(which: str, library: str, env: Mapping[str, str]) -> float:
    """Seconds from spawning a child to its first painted list; RuntimeError if it failed."""
    command = [sys.executable, "-m", "benchmarks.measure_start", which, library]
    start = time.time()
    done = subprocess.run(command, env=dict(env), capture_output=True, text=True, check=False)
    try:
        return float(done.stdout.strip().splitlines()[-1]) - start
    except (ValueError, IndexError):
        tail = " | ".join(done.stderr.strip().splitlines()[-2:])
        raise RuntimeError(f"{which} start failed: {tail}") from None


def measure(library: str, env: Mapping[str, str], runs: int) -> dict[str, Any]:
    """Median start of each, alternated so the machine's other load hits both alike."""
    from benchmarks import median

    bare: list[float] = []
    ours: list[float] = []
    try:
        for _ in range(runs):
            bare.append(start_once("bare", library, env))
            ours.append(start_once("readlist", library, env))
    except RuntimeError as error:
        return {"error_measure_start": str(error)}
    return {
        "bare_start_s": median(bare),
        "app_start_s": median(ours),
        # Per back-to-back pair, then the median: the machine's load drifts over a run.
        "start_ratio": median([o / b for o, b in zip(ours, bare, strict=True)]),
    }


if __name__ == "__main__":
    print(f"{asyncio.run(_child(sys.argv[1:])):.6f}", flush=True)
