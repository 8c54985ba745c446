"""Keys typed faster than the app draws (a paste, tmux send-keys) land where they were meant."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input

from readlist.app import ReadlistApp
from readlist.core.library import Library
from readlist.screens.main import MainScreen

from .conftest import SIZE, main_screen, notifications, settle


def burst(app: ReadlistApp, keys: list[str]) -> None:
    """Queue every key at once, as the terminal driver does for one read of typed input."""
    names = {" ": "space"}
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(names.get(key, key), key))
        else:
            app.post_message(events.Key(key, None))


async def test_note_typed_and_saved_at_once_is_saved_whole(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = library.entries()[0]
        burst(app, ["a", *"hello world", "ctrl+s"])
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert library.get(first.id).state.note == "hello world"
        assert "Note saved" in notifications(app)


async def test_a_in_the_search_bar_is_a_letter(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", "a", "t", "t", "e", "n", "t", "i", "o", "n")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert main_screen(app).query_one("#search-input", Input).value == "attention"


@pytest.mark.parametrize("query", ["merging", "attention"])
async def test_search_typed_in_one_burst_lands_in_the_search_bar(
    library: Library, query: str
) -> None:
    """`/` and the query read in one go (a paste, tmux send-keys): the query is searched.

    The app hands each key to the widget focused when it reads it; `/` used to move the focus
    only after the keys read with it had gone to the list (m marked a paper read, e opened the
    editor, i the import dialog). `a`, a priority binding that opens the note editor from the
    list, must see the focus already in the search bar.
    """
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(app, ["slash", *query])
        await settle(pilot)
        screen = main_screen(app)
        assert app.screen is screen
        assert screen.query_one("#search-input", Input).value == query
        assert 0 < len(screen.results) < len(library)
        assert all(not entry.state.read for entry in library.entries())


async def test_enter_after_a_search_in_one_burst_hands_the_next_keys_to_the_list(
    library: Library,
) -> None:
    """`/merging`, Enter, `j j s` read in one go: the search stays, the third match is starred.
    Enter used to move the focus a turn late, so `jjs` ended up in the search bar."""
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(app, ["slash", *"merging", "enter", "j", "j", "s"])
        await settle(pilot)
        screen = main_screen(app)
        assert screen.query_one("#search-input", Input).value == "merging"
        assert screen.focused is screen.paper_list
        third = screen.results[2]
        assert library.get(third.id).state.starred
        assert [e.id for e in library.entries() if e.state.starred] == [third.id]


async def test_esc_in_the_search_bar_in_one_burst_clears_it_and_the_list_takes_the_rest(
    library: Library,
) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(app, ["slash", "x", "escape", "j", "s"])
        await settle(pilot)
        screen = main_screen(app)
        assert screen.query_one("#search-input", Input).value == ""
        assert len(screen.results) == len(library)
        second = library.entries()[1]
        assert [e.id for e in library.entries() if e.state.starred] == [second.id]


async def test_tags_typed_right_after_t_land_in_the_dialog(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = library.entries()[0]
        burst(app, ["t", *"mlx", "enter"])
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert library.get(first.id).state.tags == ("mlx",)
        assert not library.get(first.id).state.read  # `m` did not reach the list


async def test_t_in_the_search_bar_is_a_letter(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, ["slash", *"text"])
        await settle(pilot)
        assert app.screen is main_screen(app)
        assert main_screen(app).query_one("#search-input", Input).value == "text"
