"""Small helpers for the reliability tests that drive the app with Pilot."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot

from readlist.app import ReadlistApp
from readlist.screens.main import MainScreen
from readlist.widgets.paper_list import PaperList

SIZE = (120, 40)


def main_screen(app: ReadlistApp) -> MainScreen:
    screen = app.screen_stack[0]
    assert isinstance(screen, MainScreen)
    return screen


def paper_list(app: ReadlistApp) -> PaperList:
    return main_screen(app).paper_list


def visible_rows(app: ReadlistApp) -> list[str]:
    """The text of every row the list draws right now."""
    widget = paper_list(app)
    return [widget.render_line(y).text for y in range(widget.scrollable_content_region.height)]


def status(app: ReadlistApp) -> str:
    return str(main_screen(app).query_one("#status").render())


def notifications(app: ReadlistApp) -> list[str]:
    return [n.message for n in app._notifications]


def detail_text(app: ReadlistApp) -> str:
    """Everything the detail pane shows (header, links, abstract), as plain text."""
    screen = main_screen(app)
    names = ("header", "links", "abstract")
    return "\n".join(str(screen.query_one(f"#detail-{name}").render()) for name in names)


async def settle(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(pilot: Pilot[None], seconds: float, done: Callable[[], bool]) -> float:
    """Let the app(s) run until `done()`; the time it took, or AssertionError after `seconds`."""
    started = time.monotonic()
    while not done():
        elapsed = time.monotonic() - started
        assert elapsed < seconds, f"not within {seconds} s"
        await pilot.pause(0.05)
    return time.monotonic() - started


def terminal_output(app: ReadlistApp) -> str:
    """What Textual would write to the terminal to draw the whole screen now (escapes included)."""
    from textual._compositor import LayoutUpdate

    update = app.screen._compositor.render_update(full=True)
    assert isinstance(update, LayoutUpdate)
    return update.render_segments(app.console)
