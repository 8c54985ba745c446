"""Open the app over LIBRARY (second paper: a 10 MB abstract) and time each step a user takes.

Run by test_rel_hostile.py as `python long_line_app.py LIBRARY`; prints `STEP SECONDS` lines as
each step finishes, so a step that hangs shows as the missing line.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from appkit import SIZE, main_screen, settle

from readlist.app import ReadlistApp
from readlist.core.library import Library


async def run(path: Path) -> None:
    started = time.monotonic()

    def done(step: str) -> None:
        nonlocal started
        print(step, f"{time.monotonic() - started:.2f}", flush=True)
        started = time.monotonic()

    app = ReadlistApp(Library.open(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        done("open")
        await pilot.press("j")
        await settle(pilot)
        done("j")
        await pilot.press("enter", "end")
        await settle(pilot)
        done("enter")
        await pilot.press("tab", "slash")
        main_screen(app).search_bar.input.value = "ipsum"
        await settle(pilot)
        done("search")


if __name__ == "__main__":
    asyncio.run(run(Path(sys.argv[1])))
