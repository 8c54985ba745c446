"""Fixtures for Pilot tests: a real temporary library holding the sample feed, and helpers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from readlist.app import ReadlistApp
from readlist.core.formats import read_feed
from readlist.core.library import Library
from readlist.screens.main import MainScreen
from readlist.widgets.paper_list import PaperList

SAMPLE = Path(__file__).resolve().parents[2] / "sample_feed.txt"
SIZE = (120, 40)


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    """A library in a temp folder with sample_feed.txt imported (86 papers)."""
    lib = Library.open(tmp_path / "lib.json")
    parsed = read_feed(str(SAMPLE))
    lib.import_papers(parsed.papers, parsed.source)
    yield lib
    lib.close()


@pytest.fixture
def empty_library(tmp_path: Path) -> Iterator[Library]:
    lib = Library.open(tmp_path / "empty.json")
    yield lib
    lib.close()


@pytest.fixture(autouse=True)
def no_system_clipboard(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Never touch the real clipboard; what pyperclip would have copied is recorded."""
    import pyperclip

    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    return copied


async def settle(pilot: Pilot[None]) -> None:
    """Wait for searches, imports and pending messages to finish."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def main_screen(app: ReadlistApp) -> MainScreen:
    screen = app.screen_stack[0]
    assert isinstance(screen, MainScreen)
    return screen


def paper_list(app: ReadlistApp) -> PaperList:
    return main_screen(app).paper_list


def shown_titles(app: ReadlistApp) -> list[str]:
    return [entry.paper.title for entry in paper_list(app).entries]


def visible_rows(app: ReadlistApp) -> list[str]:
    """The text of every row the list draws on screen right now."""
    widget = paper_list(app)
    return [widget.render_line(y).text for y in range(widget.scrollable_content_region.height)]


def notifications(app: ReadlistApp) -> list[str]:
    return [n.message for n in app._notifications]


def status(app: ReadlistApp) -> str:
    return str(main_screen(app).query_one("#status").render())
