"""Triage: every shown paper marked read or unread at once (`M`, `U`) and undone as one step, and
the saved searches of `[searches]` on the keys 1-9, in the palette and in the status line."""

from __future__ import annotations

from textual.widgets import Input

from readlist.app import ReadlistApp
from readlist.config import Config, SavedSearch
from readlist.core.library import Library
from readlist.screens.confirm import ConfirmDialog

from .conftest import SIZE, main_screen, notifications, paper_list, settle, shown_titles, status
from .test_typing_ahead import burst

SEARCHES = (
    SavedSearch("merging", "merging"),
    SavedSearch("unread code", "is:unread has:code"),
    SavedSearch("broken", "is:maybe", "is:maybe: unknown state"),
)


def read_flags(library: Library) -> dict[str, bool]:
    return {entry.id: entry.state.read for entry in library.entries()}


def question(app: ReadlistApp) -> str:
    assert isinstance(app.screen, ConfirmDialog)
    return app.screen.question


async def test_mark_all_shown_read_after_a_search_then_undo_puts_back_every_flag(
    library: Library,
) -> None:
    entries = library.entries()
    for entry in (entries[0], entries[3], entries[40]):  # read before: some shown, some not
        library.set_read(entry.id, True)
    before = read_flags(library)
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        main_screen(app).query_one("#search-input", Input).value = "model"
        await settle(pilot)
        shown = [entry.id for entry in paper_list(app).entries]
        already = sum(before[pid] for pid in shown)
        assert 10 < len(shown) < 86 and already >= 1
        await pilot.press("enter", "M")
        assert question(app) == (
            f"Mark all {len(shown)} shown papers read? ({already} already "
            f"{'is' if already == 1 else 'are'})"
        )
        await pilot.press("y")
        await settle(pilot)
        after = read_flags(library)
        assert all(after[pid] for pid in shown)
        assert {pid: flag for pid, flag in after.items() if pid not in shown} == {
            pid: flag for pid, flag in before.items() if pid not in shown
        }
        unread = sum(not flag for flag in after.values())
        shown_part = f"{len(shown)} of 86 · sorted: relevance"
        assert status(app) == f"86 papers · {unread} unread · 0 starred · {shown_part}"
        marked = len(shown) - already
        assert f"Marked {marked} papers read ({already} already " in notifications(app)[-1]
        assert all(row.state.read for row in paper_list(app).entries)  # the rows show it

        await pilot.press("u")
        await settle(pilot)
        assert read_flags(library) == before  # exactly: the papers read before stay read
        assert status(app) == f"86 papers · 83 unread · 0 starred · {shown_part}"
        assert notifications(app)[-1] == f"Undid marking {marked} papers read"
        await pilot.press("u")
        await settle(pilot)
        assert read_flags(library) == before  # one step: the next u has nothing of it
        assert notifications(app)[-1] == "Nothing to undo"
    reopened = Library.open(library.path)
    assert read_flags(reopened) == before


async def test_m_on_a_list_all_read_offers_unread_and_u_marks_unread(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("M")
        assert question(app) == "Mark all 86 shown papers read?"
        await pilot.press("y")
        await settle(pilot)
        assert library.counts().unread == 0
        assert status(app) == "86 papers · 0 unread · 0 starred"
        await pilot.press("M")
        assert question(app) == "All 86 shown papers are read. Mark them unread?"
        await pilot.press("n")  # no: nothing changes
        await settle(pilot)
        assert library.counts().unread == 0
        await pilot.press("j", "m", "U")
        assert question(app) == "Mark all 86 shown papers unread? (1 already is)"
        await pilot.press("y")
        await settle(pilot)
        assert library.counts().unread == 86
        await pilot.press("U")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog)
        assert notifications(app)[-1] == "Nothing to mark: all 86 shown papers are unread already"
        await pilot.press("u")  # undoes the U: back to all read but the one m unmarked
        await settle(pilot)
        assert library.counts().unread == 1


async def test_mark_keys_are_letters_in_the_search_bar(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", "M", "U", "1")
        await settle(pilot)
        assert main_screen(app).query_one("#search-input", Input).value == "MU1"
        assert not isinstance(app.screen, ConfirmDialog)
        assert library.counts().unread == 86


async def test_a_saved_search_key_searches_and_names_it_until_the_query_changes(
    library: Library,
) -> None:
    app = ReadlistApp(library, config=Config(searches=SEARCHES))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        screen = main_screen(app)
        assert screen.query_one("#search-input", Input).value == "merging"
        assert paper_list(app).has_focus
        shown = shown_titles(app)
        assert 0 < len(shown) < 86
        counts = "86 papers · 86 unread · 0 starred"
        assert status(app) == f"{counts} · {len(shown)} of 86 · search: merging · sorted: relevance"
        await pilot.press("slash", "s")  # the query changes: no longer the saved search
        await settle(pilot)
        assert "search:" not in status(app)
        await pilot.press("enter", "2")
        await settle(pilot)
        assert status(app).endswith(" of 86 · search: unread code")
        assert all(e.paper.github and not e.state.read for e in paper_list(app).entries)
        await pilot.press("escape")  # Esc clears the query, and the name with it
        await settle(pilot)
        assert status(app) == "86 papers · 86 unread · 0 starred"

        await pilot.press("3")
        assert notifications(app)[-1] == (
            "Saved search 'broken' does not parse: is:maybe: unknown state"
        )
        await pilot.press("7")
        assert notifications(app)[-1] == (
            "No saved search on 7: add one under [searches] in the config file"
        )
        assert len(shown_titles(app)) == 86


async def test_a_saved_search_then_mark_all_typed_at_once_marks_the_saved_searchs_papers(
    library: Library,
) -> None:
    app = ReadlistApp(library, config=Config(searches=SEARCHES))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, ["1", "M", "y"])
        await settle(pilot)
        marked = {e.id for e in library.entries() if e.state.read}
        matching = {
            e.id
            for e in library.entries()
            if "merging" in (e.paper.title + " " + e.paper.abstract).lower()
        }
        assert marked == matching and 0 < len(marked) < 86
        assert status(app).endswith(f"· {len(marked)} of 86 · search: merging · sorted: relevance")
        burst(app, ["u", "escape"])
        await settle(pilot)
        assert library.counts().unread == 86


async def test_saved_searches_are_in_the_palette_and_the_help(library: Library) -> None:
    many = tuple(SavedSearch(f"s{n}", f"tag:t{n}") for n in range(1, 12))
    app = ReadlistApp(library, config=Config(searches=many))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        commands = {c.title: c.help for c in app.get_system_commands(main_screen(app))}
        assert commands["Search: s1 (tag:t1)"] == "key: 1"
        assert commands["Search: s9 (tag:t9)"] == "key: 9"
        assert commands["Search: s11 (tag:t11)"] == "no key (only the first nine have one)"
        assert commands["Mark every shown paper read (all read already: unread), after a yes"] == (
            "key: M"
        )
        assert commands["Mark every shown paper unread, after a yes"] == "key: U"
        rows = {keys: description for keys, description, _, _ in app.key_table()}
        assert rows["1"] == "Search: s1 (tag:t1)" and rows["M"].startswith("Mark every shown")
        assert not any(d.startswith("Saved search ") for d in rows.values())
        await main_screen(app).run_action("saved_search(11)")  # from the palette
        await settle(pilot)
        assert status(app).endswith("0 of 86 · search: s11")
    plain = ReadlistApp(library)
    rows = {keys: description for keys, description, _, _ in plain.key_table()}
    assert rows["1-9"] == "Saved searches: add them under [searches] in the config file"


async def test_mark_all_yes_and_undo_typed_at_once_all_land(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, ["M", "y"])
        await settle(pilot)
        assert library.counts().unread == 0
        burst(app, ["u", "M", "y", "u"])
        await settle(pilot)
        assert library.counts().unread == 86
        assert status(app) == "86 papers · 86 unread · 0 starred"
