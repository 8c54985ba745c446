"""`R`: the related papers view, and Esc back to where the user was."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

import readlist.screens.main as main_module
from readlist.app import ReadlistApp
from readlist.core.library import Counts, Library
from readlist.core.search.query import clear_cache, search_index
from readlist.core.search.related import related
from readlist.widgets.status_bar import status_text

from .conftest import SIZE, main_screen, notifications, paper_list, settle, status


async def index_ready(pilot: Pilot[None]) -> None:
    """Wait for the warm-up worker (started ~0.3 s after the first paint) to index the library."""
    for _ in range(100):
        await settle(pilot)
        if search_index().warm:
            return
        await pilot.pause(0.05)
    raise AssertionError("the index was never built")


async def test_related_view_and_back(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await index_ready(pilot)
        await pilot.press("slash", *"continual")
        await settle(pilot)
        await pilot.press("enter", "j")
        before = list(paper_list(app).entries)
        anchor = paper_list(app).current
        assert anchor is not None and paper_list(app).cursor == 1
        await pilot.press("R")
        await settle(pilot)
        shown = list(paper_list(app).entries)
        expected = related(anchor, library.entries(), limit=50)
        assert shown == [r.entry for r in expected] and anchor not in shown
        assert paper_list(app).cursor == 0
        assert f'{len(shown)} related to "{anchor.paper.title[:20]}' in status(app)
        assert "sorted" not in status(app)
        assert main_screen(app).detail.entry == shown[0]

        await pilot.press("j", "s")  # star a related paper: the view stays
        await settle(pilot)
        assert paper_list(app).entries[1].state.starred
        assert "related to" in status(app)

        await pilot.press("escape")  # back: the same list, the same cursor, the same query
        await settle(pilot)
        assert [e.id for e in paper_list(app).entries] == [e.id for e in before]
        assert paper_list(app).current is not None and paper_list(app).current.id == anchor.id
        assert main_screen(app).query_one("#search-input", Input).value == "continual"
        assert "related to" not in status(app) and "sorted: relevance" in status(app)


async def test_related_inside_related_and_leaving_by_searching(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await index_ready(pilot)
        first = paper_list(app).current
        assert first is not None
        await pilot.press("R")
        await settle(pilot)
        second = paper_list(app).current
        assert second is not None and second.id != first.id
        await pilot.press("R")  # one level deeper
        await settle(pilot)
        assert f'related to "{second.paper.title[:20]}' in status(app)
        await pilot.press("escape")  # one level back
        await settle(pilot)
        assert f'related to "{first.paper.title[:20]}' in status(app)
        assert paper_list(app).current == second
        await pilot.press("slash", *"merging")  # a search leaves the related views for good
        await settle(pilot)
        assert "related to" not in status(app)
        for entry in paper_list(app).entries:
            assert "merging" in (entry.paper.title + entry.paper.abstract).lower()
        await pilot.press("enter", "escape")
        await settle(pilot)
        assert "related to" not in status(app)


async def test_related_before_the_index_is_ready_says_so(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    clear_cache()
    monkeypatch.setattr(main_module, "WARM_DELAY_S", 60.0)  # no warm-up during this test
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert any("indexing" in n.lower() for n in notifications(app))
        assert len(paper_list(app).entries) == 86
        assert "related to" not in status(app)


def test_status_line_of_the_related_view() -> None:
    counts = Counts(total=12480, unread=12000, starred=3)
    title = "A Very Long Title " * 5
    text = status_text(counts, 50, "unread", False, sort="title", related_to=title)
    assert text.startswith('12,480 papers · 12,000 unread · 3 starred · 50 related to "A Very')
    assert text.endswith('…"')  # the title is cut, and no filter or order is named
    assert status_text(counts, 3, "all", True, related_to="Short").endswith(
        '3 related to "Short" · READ-ONLY'
    )
