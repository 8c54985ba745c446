"""`readlist serve` in a real headless browser: Debian's chromium, driven by Playwright.

The page draws the terminal on a canvas, so the screen is read from the websocket frames through
pyte (benchmarks/serve_kit.py). One server and one tab are shared by the tests in order: the list
appears, `j` moves, `s` stars (and stock TinyDB reads the star from the file), search narrows;
then what differs from a terminal: copy reaches the browser clipboard, `o` opens a tab, `e` opens
the in-app editor, `x` downloads. Every request the page makes goes to 127.0.0.1: anything else is
aborted and fails the test.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from tinydb import TinyDB
from tooling import need_tool

from benchmarks.serve_kit import BrowserScreen, ServerProcess, launch_chromium, wait_until
from readlist.cli import main as readlist_main

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_feed.txt"
FIRST = "UniFashion: A Unified Vision-Language Model"
SECOND = "Integrating Reinforcement Learning with"


@dataclass
class Tab:
    server: ServerProcess
    page: Any
    screen: BrowserScreen
    foreign: list[str] = field(default_factory=list)
    """What the page itself asked for elsewhere than the server (its assets): must stay empty."""
    console: list[str] = field(default_factory=list)
    """The page's console errors (a CSP violation, a failed load): must stay empty."""
    blocked: list[str] = field(default_factory=list)
    """Every request elsewhere, from any tab (aborted: nothing leaves 127.0.0.1)."""
    popups: list[Any] = field(default_factory=list)
    downloads: list[Any] = field(default_factory=list)


def detail(text: str) -> str:
    """The detail pane: the right-hand part of every line that has both panes."""
    return "\n".join(line.split("││", 1)[1] for line in text.splitlines() if "││" in line)


def notices(text: str) -> str:
    """The notifications' text, unwrapped: what follows the `▌` edge on each line (up to the
    detail pane's right border)."""
    parts = [
        line.rsplit("▌", 1)[1].rstrip().rstrip("│") for line in text.splitlines() if "▌" in line
    ]
    return " ".join(" ".join(parts).split())


def starred_on_disk(library: Path, paper_id: str) -> bool:
    """What any tool reading the file sees: stock TinyDB, no readlist code."""
    database = TinyDB(str(library), access_mode="r")
    try:
        return any(
            doc.get("id") == paper_id and doc.get("starred") for doc in database.table("papers")
        )
    finally:
        database.close()


@pytest.fixture(scope="module")
def tab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tab]:
    chromium = need_tool("chromium")
    from playwright.sync_api import sync_playwright

    home = tmp_path_factory.mktemp("browser")
    library = home / "library.json"
    assert readlist_main(["--db", str(library), "import", str(SAMPLE)]) == 0
    with ServerProcess(library, home, max_sessions=2) as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright, chromium)
        try:
            context = browser.new_context(viewport={"width": 1200, "height": 800})
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.base)
            page = context.new_page()
            opened = Tab(server, page, BrowserScreen(page))

            def only_local(route: Any) -> None:
                if route.request.url.startswith(server.base + "/"):
                    route.continue_()
                else:
                    opened.blocked.append(route.request.url)
                    route.abort()

            context.route("**/*", only_local)
            context.on("page", lambda popup: opened.popups.append(popup))
            # The page asks for /download/KEY in a new tab; Playwright reports it on the opener.
            page.on("download", lambda download: opened.downloads.append(download))
            page.on(
                "request",
                lambda request: (
                    None
                    if request.url.startswith(server.base + "/")
                    else opened.foreign.append(request.url)
                ),
            )
            page.on(
                "console",
                lambda message: (
                    opened.console.append(message.text) if message.type == "error" else None
                ),
            )
            page.goto(server.url)
            yield opened
        finally:
            browser.close()


def test_the_list_appears_j_moves_s_stars_and_search_narrows(tab: Tab) -> None:
    screen = tab.screen
    screen.wait_for(
        lambda s: "86 papers · 86 unread · 0 starred" in s and FIRST in detail(s), "the list"
    )
    assert tab.page.url.endswith("/")  # the token is gone from the address bar
    screen.focus()

    tab.page.keyboard.press("j")
    shown = screen.wait_for(lambda s: SECOND in detail(s), "the second paper after j")
    paper_id = re.search(r"· ([0-9a-f]{10}) ·", detail(shown))
    assert paper_id is not None

    tab.page.keyboard.press("s")
    screen.wait_for(lambda s: "1 starred" in s and "★" in s, "the star")
    # Durable at once in the journal; folded into the TinyDB file ~2 s after the last change.
    assert wait_until(lambda: starred_on_disk(tab.server.library, paper_id.group(1)), 20.0)

    tab.page.keyboard.press("/")
    tab.page.wait_for_timeout(200)
    tab.page.keyboard.type("fashion", delay=30)
    shown = screen.wait_for(
        lambda s: " of 86" in s and "fashion" in s and "UniFashion" in s and SECOND not in s,
        "the list narrowed to 'fashion'",
    )
    found = int(re.search(r"\b(\d+) of 86\b", shown).group(1))  # type: ignore[union-attr]
    assert 0 < found < 86
    tab.page.keyboard.press("Escape")
    screen.wait_for(lambda s: "86 papers" in s and " of 86" not in s, "the search cleared")
    assert tab.foreign == []
    assert tab.console == []


def test_copy_open_edit_and_download_work_the_browser_way(tab: Tab) -> None:
    screen, page = tab.screen, tab.page
    screen.wait_for(lambda s: "86 papers" in s, "the list")
    page.keyboard.press("g")  # the first paper, which has a GitHub link
    shown = screen.wait_for(lambda s: FIRST in detail(s), "the first paper")
    github = "https://github.com/xiangyu-mm/UniFashion"
    assert github in shown

    page.keyboard.press("c")
    screen.wait_for(lambda s: "through the browser" in notices(s), "the copy message")
    assert wait_until(lambda: page.evaluate("navigator.clipboard.readText()") == github, 5.0)

    page.keyboard.press("o")
    screen.wait_for(lambda s: "in a new browser tab" in notices(s), "the open message")
    assert _pump(page, tab.popups)
    assert wait_until(lambda: github in tab.blocked, 5.0)  # the new tab went for it

    page.keyboard.press("e")
    screen.wait_for(lambda s: "$EDITOR cannot run" in notices(s), "the in-app editor message")
    page.keyboard.type("read in the browser")
    page.keyboard.press("Control+s")
    screen.wait_for(lambda s: "✎" in s, "the note marker")

    page.keyboard.press("x")
    screen.wait_for(lambda s: "Download 86 papers" in s, "the download dialog")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert _pump(page, tab.downloads, timeout=20.0), tab.server.output()
    download = tab.downloads[0]
    assert download.failure() is None, f"{download.failure()}\n{tab.server.output()}"
    saved = Path(download.path()).read_text(encoding="utf-8")
    assert download.suggested_filename == "readlist-export.md"
    assert saved.count("- [") == 86 and "read in the browser" in saved
    screen.wait_for(lambda s: "Download finished" in notices(s), "the download's end")
    assert tab.foreign == []
    assert tab.console == []


def _pump(page: Any, events: list[Any], timeout: float = 10.0) -> bool:
    """Let Playwright deliver events (it does so while the page waits) until one has come."""
    deadline = time.monotonic() + timeout
    while not events and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    return bool(events)
