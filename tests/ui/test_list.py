"""The list: what it shows, moving the cursor, the status line, the detail pane following it."""

from __future__ import annotations

from readlist.app import ReadlistApp
from readlist.core.library import Counts, Library
from readlist.widgets.detail import DetailPane
from readlist.widgets.status_bar import status_text

from .conftest import SIZE, main_screen, paper_list, settle, shown_titles, status, visible_rows


async def test_opens_on_the_whole_library_newest_first(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert shown_titles(app) == [e.paper.title for e in library.entries()]
        rows = visible_rows(app)
        first = library.entries()[0]
        assert first.paper.title[:30] in rows[0]
        assert "Mar 12" in rows[0]
        assert status(app) == "86 papers · 86 unread · 0 starred"
        assert paper_list(app).has_focus


async def test_rows_show_markers_and_cut_long_titles(library: Library) -> None:
    code = next(e for e in library.entries() if e.paper.github)
    library.set_starred(code.id, True)
    library.set_note(code.id, "worth a look")
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        widget = paper_list(app)
        widget.move_to(widget.index_of(code.id) or 0)
        await pilot.pause()
        row = visible_rows(app)[widget.cursor - round(widget.scroll_y)]
        assert row[:5] == "★•✎⌥ "
        long_title = max(library.entries(), key=lambda e: len(e.paper.title))
        widget.move_to(widget.index_of(long_title.id) or 0)
        await pilot.pause()
        row = visible_rows(app)[widget.cursor - round(widget.scroll_y)]
        assert "…" in row
        assert len(row) <= widget.scrollable_content_region.width


async def test_cursor_keys(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        widget = paper_list(app)
        await pilot.press("j", "j", "down")
        assert widget.cursor == 3
        await pilot.press("k", "up")
        assert widget.cursor == 1
        await pilot.press("G")
        assert widget.cursor == 85
        assert round(widget.scroll_y) > 0  # the last row was scrolled into view
        assert library.entries()[85].paper.title[:30] in "".join(visible_rows(app))
        await pilot.press("g")
        assert widget.cursor == 0 and round(widget.scroll_y) == 0
        await pilot.press("end")
        assert widget.cursor == 85
        await pilot.press("home", "pagedown")
        assert widget.cursor == widget.scrollable_content_region.height - 1
        await pilot.press("pageup")
        assert widget.cursor == 0
        await pilot.press("k")
        assert widget.cursor == 0  # no wrap past the top


async def test_detail_follows_the_cursor(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await pilot.pause()
        detail = main_screen(app).query_one(DetailPane)
        second = library.entries()[1]
        assert detail.entry is not None and detail.entry.id == second.id
        header = str(detail.query_one("#detail-header").render())
        assert second.paper.title in header
        assert "2026-03-12" in header or (second.paper.date or "") in header
        abstract = str(detail.query_one("#detail-abstract").render())
        assert " ".join(second.paper.abstract.split())[:200] in abstract.replace("\n", " ")
        if second.paper.github:
            assert second.paper.github in str(detail.query_one("#detail-links").render())


async def test_next_unread_skips_read_papers(library: Library) -> None:
    entries = library.entries()
    for entry in entries[1:4]:
        library.set_read(entry.id, True)
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        assert paper_list(app).cursor == 4
        rows = visible_rows(app)
        assert rows[1][1] == " "  # read: no unread dot
        assert rows[4][1] == "•"


async def test_tab_and_enter_move_between_panes(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        detail = main_screen(app).query_one(DetailPane)
        await pilot.press("enter")
        assert detail.has_focus
        assert not library.entries()[0].state.read  # opening does not mark read by default
        await pilot.press("tab")
        assert paper_list(app).has_focus
        await pilot.press("tab")
        assert detail.has_focus
        await pilot.press("escape")
        assert paper_list(app).has_focus


async def test_clicking_a_row_selects_it_and_double_click_opens_it(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        widget = paper_list(app)
        await pilot.click(widget, offset=(10, 3))  # row 2: the border takes the first line
        await pilot.pause()
        assert widget.cursor == 2
        detail = main_screen(app).query_one(DetailPane)
        assert detail.entry is not None and detail.entry.id == library.entries()[2].id
        await pilot.click(widget, offset=(10, 5), times=2)
        await pilot.pause()
        assert widget.cursor == 4 and detail.has_focus


def test_status_counts_are_grouped_by_thousands() -> None:
    counts = Counts(total=100_000, unread=99_925, starred=1_075)
    assert status_text(counts, 100, "all", False) == (
        "100,000 papers · 99,925 unread · 1,075 starred · 100 of 100,000"
    )
    assert status_text(Counts(1, 1, 0), None, "all", False) == "1 paper · 1 unread · 0 starred"
