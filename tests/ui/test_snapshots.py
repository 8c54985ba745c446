"""SVG snapshots at 120x40 of what a user sees: list + detail, a search, the note editor, help.

The sample feed's day line is given a year so the pictures do not change with the calendar.
Update after an intended change with `pytest tests/ui/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from readlist.app import ReadlistApp
from readlist.core.formats import parse_feed
from readlist.core.library import Library

from .conftest import SAMPLE, SIZE

Compare = Callable[..., bool]


@pytest.fixture
def fixed_library(tmp_path: Path) -> Iterator[Library]:
    data = SAMPLE.read_bytes().replace(b"\nMar 12\n", b"\nMar 12, 2024\n", 1)
    parsed = parse_feed(data, "sample_feed.txt", today=datetime.date(2024, 6, 1))
    lib = Library.open(tmp_path / "lib.json")
    lib.import_papers(parsed.papers, parsed.source)
    entries = lib.entries()
    lib.set_starred(entries[1].id, True)
    lib.set_read(entries[2].id, True)
    lib.set_note(entries[1].id, "Compare with **RT-2**; see section 4.\n\n- read the appendix")
    lib.set_tags(entries[1].id, ["robotics", "survey"])
    yield lib
    lib.close()


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    app = pilot.app
    app.clear_notifications()
    await pilot.pause()


def test_list_and_detail(snap_compare: Compare, fixed_library: Library) -> None:
    """The sample library, cursor on a starred, tagged paper with a note."""
    assert snap_compare(
        ReadlistApp(fixed_library), press=["j"], terminal_size=SIZE, run_before=settle
    )


def test_active_search(snap_compare: Compare, fixed_library: Library) -> None:
    """A search for `merging`, matches highlighted, `N of 86` in the status line."""

    async def search(pilot: Pilot[Any]) -> None:
        await pilot.press("slash")
        pilot.app.screen.query_one("#search-input", Input).value = "merging"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(ReadlistApp(fixed_library), terminal_size=SIZE, run_before=search)


def test_note_editor(snap_compare: Compare, fixed_library: Library) -> None:
    """`a` on the annotated paper: the note editor over the main screen."""

    async def annotate(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("j", "a")
        await pilot.pause()
        text_area = pilot.app.screen.query_one(TextArea)
        text_area.cursor_blink = False
        await pilot.pause()

    assert snap_compare(ReadlistApp(fixed_library), terminal_size=SIZE, run_before=annotate)


def test_help_screen(snap_compare: Compare, fixed_library: Library) -> None:
    """`?`: every key and what it does."""
    assert snap_compare(
        ReadlistApp(fixed_library), press=["question_mark"], terminal_size=SIZE, run_before=settle
    )
