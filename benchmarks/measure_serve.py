"""`python -m benchmarks.measure_serve`: `readlist serve` as a browser user feels it.

Headless Debian chromium (Playwright) on the real server, 1200x800 viewport, everything on
127.0.0.1. For each run a fresh tab (so a fresh app process) opens the tokened URL:
- page to first paint: `page.goto` until the page marks its first terminal bytes (`-first-byte`,
  which textual-serve's script sets on the first frame over 10 bytes);
- page to list: until the screen, read from the websocket frames with pyte, shows the status line
  with every paper;
- beside each tab, the same library opened by a headless app process (benchmarks.measure_start:
  spawn to the first painted list), so the browser's share shows whatever the machine's load;
- key to screen: `j`/`k` alternately, from `keyboard.press` to the frame after which the screen
  text differs (median of `--keys` presses in the last tab), and from the moment the page sent
  the key down the websocket (the server and the app alone);
- memory per session: the app process's RSS (and peak, VmHWM) once the list is shown and the keys
  pressed; the server's RSS beside it.
`--screenshot PATH` saves the last tab as a PNG (the README's docs/serve.png).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.generate import generate
from benchmarks.measure_start import start_once
from benchmarks.serve_kit import (
    BrowserScreen,
    ServerProcess,
    app_pids,
    launch_chromium,
    rss_mb,
    wait_until,
)
from readlist.cli import main as readlist_main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_feed.txt"


def peak_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def make_library(folder: Path, papers: int) -> tuple[Path, int]:
    library = folder / "library.json"
    if papers:
        feed = folder / "feed.txt"
        feed.write_text(generate(papers), encoding="utf-8")
    else:
        feed, papers = SAMPLE, 86
    with open(folder / "import.log", "w") as log:
        sys.stdout, saved = log, sys.stdout
        try:
            assert readlist_main(["--db", str(library), "import", str(feed)]) == 0
        finally:
            sys.stdout = saved
    return library, papers


def one_tab(
    context: Any, server: ServerProcess, papers: int
) -> tuple[Any, BrowserScreen, float, float]:
    """Open a tab; (page, screen, seconds to first paint, seconds to the full list)."""
    page = context.new_page()
    screen = BrowserScreen(page)
    start = time.monotonic()
    page.goto(server.url)
    page.wait_for_selector("body.-first-byte", timeout=60_000)
    painted = time.monotonic() - start
    status = f"{papers:,} papers" if papers != 1 else "1 paper"
    screen.wait_for(lambda text: status in text, "the list", timeout=120)
    return page, screen, painted, time.monotonic() - start


def measure(papers: int, runs: int, keys: int, screenshot: Path | None) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="rl-serve-") as folder:
        home = Path(folder)
        library, papers = make_library(home, papers)
        with ServerProcess(library, home, max_sessions=2) as server, sync_playwright() as pw:
            browser = launch_chromium(pw)
            context = browser.new_context(viewport={"width": 1200, "height": 800})
            paints, lists, headless = [], [], []
            page = screen = None
            for run in range(runs):
                if page is not None:
                    page.close()
                    wait_until(lambda: not app_pids(library), 20.0)
                headless.append(start_once("readlist", str(library), os.environ))
                page, screen, painted, listed = one_tab(context, server, papers)
                paints.append(painted)
                lists.append(listed)
                print(
                    f"run {run + 1}: first paint {painted:.2f} s, list {listed:.2f} s "
                    f"(headless, no browser: {headless[-1]:.2f} s)"
                )
            assert page is not None and screen is not None
            screen.focus()
            page.wait_for_timeout(500)
            timed = [screen.press_and_time("j" if i % 2 == 0 else "k") for i in range(keys)]
            delays = [pressed for pressed, _ in timed]
            from_sent = [sent for _, sent in timed]
            pids = app_pids(library)
            if screenshot is not None:
                screen.press_and_time("k")  # the first paper, which has a GitHub link
                screen.press_and_time("s")
                page.wait_for_timeout(300)
                page.screenshot(path=str(screenshot))
            figures = {
                "papers": papers,
                "runs": runs,
                "first_paint_s": statistics.median(paints),
                "list_shown_s": statistics.median(lists),
                "headless_start_s": statistics.median(headless),
                "key_to_screen_ms": statistics.median(delays) * 1000,
                "key_to_screen_max_ms": max(delays) * 1000,
                "key_sent_to_screen_ms": statistics.median(from_sent) * 1000,
                "app_rss_mb": [round(rss_mb(pid), 1) for pid in pids],
                "app_peak_rss_mb": [round(peak_mb(pid), 1) for pid in pids],
                "server_rss_mb": round(rss_mb(server.process.pid), 1),
            }
            browser.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=0, help="synthetic papers (0: the sample)")
    parser.add_argument("--runs", type=int, default=5, help="tabs opened one after another")
    parser.add_argument("--keys", type=int, default=15, help="key presses timed in the last tab")
    parser.add_argument("--screenshot", type=Path, help="save the last tab as a PNG here")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)
    figures = measure(args.papers, args.runs, args.keys, args.screenshot)
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
