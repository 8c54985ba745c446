"""Narrow terminals, hostile titles, and changes made by another process."""

from __future__ import annotations

from pathlib import Path

from readlist.app import ReadlistApp
from readlist.core.formats import parse_feed
from readlist.core.library import Library
from readlist.widgets.detail import DetailPane

from .conftest import main_screen, paper_list, settle, shown_titles, status, visible_rows

MARKUP_FEED = b"""Mar 12

[bold]x[/] and [/] and [link=file:///etc/passwd]click[/link]

An abstract with [red]markup[/red] and a closing [/] tag. Code at https://github.com/a/b.

A plain second paper about merging

Nothing special here.
"""


async def test_narrow_terminal_shows_one_pane_at_a_time(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        widget = paper_list(app)
        detail = screen.query_one(DetailPane)
        assert screen.has_class("-narrow")
        assert widget.region.width == 80
        assert not detail.display or detail.region.width == 0
        assert status(app) == "86 papers · 86 unread · 0 starred"
        row = visible_rows(app)[0]
        assert row.startswith(" • ⌥ UniFashion") and row.rstrip().endswith("Mar 12")
        await pilot.press("j", "enter")
        await pilot.pause()
        assert detail.has_focus and detail.region.width == 80
        assert widget.region.width == 0 or not widget.display
        header = str(detail.query_one("#detail-header").render())
        assert library.entries()[1].paper.title.split()[0] in header
        await pilot.press("s")  # actions work from the detail too
        assert library.entries()[1].state.starred
        await pilot.press("escape")
        await pilot.pause()
        assert widget.has_focus and widget.region.width == 80
        assert widget.cursor == 1


async def test_resizing_switches_layouts(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.has_class("-wide")
        assert 40 <= paper_list(app).region.width <= 60
        await pilot.resize_terminal(90, 30)
        await pilot.pause()
        assert screen.has_class("-narrow")
        assert paper_list(app).region.width == 90


async def test_markup_like_titles_show_literally(tmp_path: Path) -> None:
    lib = Library.open(tmp_path / "lib.json")
    parsed = parse_feed(MARKUP_FEED, "markup.txt")
    lib.import_papers(parsed.papers, parsed.source)
    app = ReadlistApp(lib)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            titles = shown_titles(app)
            hostile = "[bold]x[/] and [/] and [link=file:///etc/passwd]click[/link]"
            assert hostile in titles
            rows = visible_rows(app)
            assert any("[bold]x[/] and [/] and [link=file:///" in row for row in rows)
            widget = paper_list(app)
            widget.move_to(titles.index(hostile))
            await pilot.pause()
            detail = main_screen(app).query_one(DetailPane)
            assert hostile in str(detail.query_one("#detail-header").render())
            abstract = str(detail.query_one("#detail-abstract").render())
            assert "[red]markup[/red]" in abstract and "closing [/] tag" in abstract
            await pilot.press("slash", *"bold")
            await settle(pilot)
            assert shown_titles(app) == [hostile]
    finally:
        lib.close()


async def test_another_process_changes_show_within_two_seconds(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        other = Library.open(library.path)  # a second handle: another readlist process
        try:
            target = other.entries()[3]
            other.set_starred(target.id, True)
            other.set_note(target.id, "from the other window")
        finally:
            other.close()
        await pilot.pause(2.0)
        await settle(pilot)
        assert status(app) == "86 papers · 86 unread · 1 starred"
        assert visible_rows(app)[3].startswith("★•✎")


async def test_a_huge_abstract_is_cut_in_the_detail(tmp_path: Path) -> None:
    huge = "lorem ipsum " * 100_000
    feed = f"Mar 12\n\nHuge abstract paper\n\nAbstract {huge}\n".encode()
    lib = Library.open(tmp_path / "lib.json")
    parsed = parse_feed(feed, "huge.txt")
    lib.import_papers(parsed.papers, parsed.source)
    app = ReadlistApp(lib)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            abstract = str(main_screen(app).query_one("#detail-abstract").render())
            assert abstract.startswith("Abstract lorem ipsum")
            assert "the rest of this very long abstract is not shown" in abstract
            assert len(abstract) < 25_000
    finally:
        lib.close()


async def test_escape_sequences_in_the_library_never_reach_the_screen(tmp_path: Path) -> None:
    """Whatever a library file holds (it may be edited by hand or merged), rows and detail are
    drawn without ESC or other control characters."""
    lib = Library.open(tmp_path / "lib.json")
    parsed = parse_feed(b"Mar 12\n\nPlain title\n\nPlain abstract.\n", "plain.txt")
    lib.import_papers(parsed.papers, parsed.source)
    entry = lib.entries()[0]
    lib.set_tags(entry.id, ["t\x1b]52;c;ZXZpbA==\x07ag"])
    lib.set_note(entry.id, "n \x1b[31mred")
    app = ReadlistApp(lib)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            row = visible_rows(app)[0]
            assert "\x1b" not in row and "\x07" not in row
            assert "#tag" in row  # the whole OSC 52 sequence is dropped
            detail = main_screen(app).query_one(DetailPane)
            header = str(detail.query_one("#detail-header").render())
            assert "\x1b" not in header and "#tag" in header
    finally:
        lib.close()


async def test_a_library_garbled_under_the_app_is_reported_once(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        library.path.write_text("{ not json", encoding="utf-8")
        await pilot.pause(3.2)
        await settle(pilot)
        errors = [n for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1
        assert str(library.path) in errors[0].message
        assert len(shown_titles(app)) == 86  # what was shown stays


async def test_a_notice_never_covers_the_status_line(library: Library) -> None:
    """Notices stand above the status line, whatever the terminal's size (Textual's default
    leaves room for the footer only, and a notice hid the end of `sorted: relevance`)."""
    from textual.widgets._toast import Toast

    from readlist.widgets.status_bar import StatusBar

    for size in [(120, 40), (80, 24)]:
        app = ReadlistApp(library)
        async with app.run_test(size=size, notifications=True) as pilot:
            await settle(pilot)
            app.notify("A notice long enough to reach across the status line " * 2)
            await pilot.pause(0.2)
            bar = main_screen(app).query_one(StatusBar).region
            toasts = [toast.region for toast in app.screen.query(Toast)]  # notifications=True
            assert toasts, "the notice is shown"
            assert all(not region.overlaps(bar) for region in toasts), (toasts, bar)
