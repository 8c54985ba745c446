"""What the config file changes in the app: sort order, mark-read-on-open, keymap, theme; links."""

from __future__ import annotations

import dataclasses
import webbrowser
from pathlib import Path

import pytest
from textual.widgets import DataTable

from readlist.app import ReadlistApp
from readlist.config import Config, load_config
from readlist.core.library import Library
from readlist.widgets.detail import DetailPane

from .conftest import SIZE, main_screen, notifications, paper_list, settle, shown_titles, status


async def test_sort_cycles_and_starts_from_the_config(library: Library) -> None:
    starred = library.entries()[40]
    library.set_starred(starred.id, True)
    library.set_read(library.entries()[0].id, True)
    app = ReadlistApp(library, config=Config(sort="title"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = shown_titles(app)
        assert titles == sorted(titles, key=str.casefold)
        assert "sorted: title" in status(app)
        await pilot.press("S")  # starred first
        await settle(pilot)
        assert paper_list(app).entries[0].id == starred.id
        await pilot.press("S")  # unread first
        await settle(pilot)
        assert paper_list(app).entries[-1].state.read
        await pilot.press("S")  # most upvoted: none has a count, so feed order stays
        await settle(pilot)
        assert "sorted: most upvoted" in status(app)
        assert shown_titles(app) == [e.paper.title for e in library.entries()]
        await pilot.press("S")  # feed order again
        await settle(pilot)
        assert shown_titles(app) == [e.paper.title for e in library.entries()]
        assert "sorted" not in status(app)


async def test_search_results_follow_the_sort_order(library: Library) -> None:
    app = ReadlistApp(library, config=Config(sort="title"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")  # unread: a query without words keeps the user's order
        await settle(pilot)
        titles = shown_titles(app)
        assert titles == sorted(titles, key=str.casefold)
        assert "sorted: title" in status(app)
        await pilot.press("slash", *"learning")  # words: relevance, until S picks another
        await settle(pilot)
        assert "sorted: relevance" in status(app)
        await pilot.press("enter", "S", "S", "S")  # relevance -> feed -> title -> starred
        await settle(pilot)
        assert "sorted: starred first" in status(app)
        await pilot.press("S", "S", "S")  # unread first, most upvoted, relevance again
        await settle(pilot)
        assert "sorted: relevance" in status(app)
        await pilot.press("S", "S")  # feed order, then title
        await settle(pilot)
        titles = shown_titles(app)
        assert len(titles) < 86 and titles == sorted(titles, key=str.casefold)
        await pilot.press("slash", "backspace")  # still words: the order picked stays
        await settle(pilot)
        assert "sorted: title" in status(app)
        await pilot.press("escape")  # cleared: the user's order, and relevance next time
        await settle(pilot)
        assert "sorted: title" in status(app)
        await pilot.press("slash", *"merging")
        await settle(pilot)
        assert "sorted: relevance" in status(app)


async def test_opening_marks_read_only_when_configured(library: Library) -> None:
    app = ReadlistApp(library, config=Config(mark_read_on_open=True))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        assert library.entries()[0].state.read
        await pilot.press("u")
        assert not library.entries()[0].state.read


async def test_keymap_from_the_config_rebinds_a_key(library: Library) -> None:
    app = ReadlistApp(library, config=Config(keymap={"toggle_star": "x"}))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x")
        assert library.entries()[0].state.starred
        await pilot.press("s")
        assert library.entries()[0].state.starred  # s is no longer bound to star
        await pilot.press("question_mark")
        table = app.screen.query_one(DataTable)
        keys = {
            str(table.get_row_at(i)[1]): str(table.get_row_at(i)[0]) for i in range(table.row_count)
        }
        assert keys["Star / unstar"] == "x"


async def test_theme_chosen_is_remembered(library: Library, tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    app = ReadlistApp(library, config=Config(), config_file=config_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await settle(pilot)
    config, warnings = load_config(config_file)
    assert warnings == [] and config.theme == "nord"
    again = ReadlistApp(library, config=config)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.theme == "nord"


async def test_rows_drawn_after_a_theme_change_use_its_colours(library: Library) -> None:
    """The list keeps its row and component styles between style changes; a theme clears them."""
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = paper_list(app)
        before = rows.rich_style
        app.theme = "nord"
        await settle(pilot)
        assert rows.rich_style != before
        rows.set_entries(list(reversed(library.entries())))  # rows not drawn before
        await settle(pilot)
        strip = rows.render_line(1)  # not the cursor row
        backgrounds = {seg.style.bgcolor for seg in strip if seg.style is not None}
        assert backgrounds == {rows.rich_style.bgcolor}


async def test_clicking_a_link_opens_it(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setenv("BROWSER", "firefox")
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        links = main_screen(app).query_one(DetailPane).query_one("#detail-links")
        await pilot.click(links, offset=(10, 0))
        await settle(pilot)
        assert opened == [library.entries()[0].paper.github]
        assert any(m.startswith("Opening https://github.com/") for m in notifications(app))


async def test_sort_by_upvotes_puts_the_most_upvoted_first(library: Library) -> None:
    shown = library.entries()
    counted = [
        dataclasses.replace(shown[i].paper, upvotes=votes)
        for i, votes in ((10, 3), (20, 250), (30, 0), (40, 17))
    ]
    library.import_papers(counted, "hf")
    app = ReadlistApp(library, config=Config(sort="upvotes"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        entries = paper_list(app).entries
        assert [e.paper.upvotes for e in entries[:4]] == [250, 17, 3, 0]
        assert all(e.paper.upvotes is None for e in entries[4:])
        assert [e.id for e in entries[4:]] == [
            e.id for e in library.entries() if e.paper.upvotes is None
        ]
