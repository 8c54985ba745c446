"""Searching as you type, with every operator of the query language, and the quick filters."""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.synthetic import make_papers
from textual.geometry import Region
from textual.widgets import Input

from readlist.app import ReadlistApp
from readlist.core.library import Library
from readlist.core.models import Entry, Paper
from readlist.core.search import index as index_module
from readlist.core.search import index_cache
from readlist.core.search import query as query_module
from readlist.core.search import ranking as ranking_module
from readlist.core.search import rows as rows_module
from readlist.core.search.helper import Answer, SearchHelper
from readlist.core.search.order import RELEVANCE, order_entries
from readlist.core.search.query import parse_query, search
from readlist.screens import main as main_module
from readlist.widgets.paper_list import PaperList

from .conftest import SIZE, main_screen, paper_list, settle, shown_titles, status, visible_rows


def expected_ids(library: Library, text: str) -> list[str]:
    """What the app shows for `text`: the matches, best first while the query has words."""
    query, entries = parse_query(text), library.entries()
    found = search(entries, query)
    order = RELEVANCE if query.words else "feed"
    return [e.id for e in order_entries(found, order, query, entries)]


async def type_query(pilot: object, app: ReadlistApp, text: str) -> None:
    """Focus the bar with `/` and set its text, as typing would."""
    field = main_screen(app).query_one("#search-input", Input)
    if not field.has_focus:
        await pilot.press("slash")  # type: ignore[attr-defined]
        assert field.has_focus
    field.value = text
    await settle(pilot)  # type: ignore[arg-type]


def prepare(library: Library) -> dict[str, Entry]:
    """Give some papers state so every operator has something to find."""
    entries = library.entries()
    starred, read, noted = entries[2], entries[5], entries[7]
    library.set_starred(starred.id, True)
    library.set_read(read.id, True)
    library.set_note(noted.id, "Compare with the zebra paper")
    library.set_tags(entries[9].id, ["robotics", "to read"])
    return {"starred": starred, "read": read, "noted": noted, "tagged": entries[9]}


async def test_typing_filters_the_list_as_you_type(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", "m", "e", "r", "g")
        await settle(pilot)
        merg = len(paper_list(app).entries)
        await pilot.press("i", "n", "g")
        await settle(pilot)
        titles = shown_titles(app)
        assert 0 < len(titles) <= merg < 86
        for entry in paper_list(app).entries:
            assert "merging" in (entry.paper.title + " " + entry.paper.abstract).lower()
        assert status(app).endswith(f"· {len(titles)} of 86 · sorted: relevance")
        await pilot.press("enter")
        assert paper_list(app).has_focus
        assert len(shown_titles(app)) == len(titles)  # Enter keeps the filter
        await pilot.press("slash", "escape")
        await settle(pilot)
        assert len(shown_titles(app)) == 86
        assert status(app) == "86 papers · 86 unread · 0 starred"
        assert paper_list(app).has_focus


@pytest.mark.parametrize(
    "query",
    [
        "diffusion",
        '"model merging"',
        "learning -reinforcement",
        "is:starred",
        "is:unstarred",
        "is:read",
        "is:unread",
        "has:code",
        "has:note",
        "zebra",
        "tag:robotics",
        'tag:"to read"',
        "date:2026-03-12",
        "date:1999",
        "has:code -is:read learning",
    ],
)
async def test_each_operator(library: Library, query: str) -> None:
    prepare(library)
    expected = expected_ids(library, query)
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, app, query)
        assert [e.id for e in paper_list(app).entries] == expected
        assert f"· {len(expected)} of 86" in status(app)
        if not expected:
            assert "No papers match." in visible_rows(app)[0]


async def test_operators_find_what_the_user_did(library: Library) -> None:
    done = prepare(library)
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for query, entry in [
            ("is:starred", done["starred"]),
            ("is:read", done["read"]),
            ("has:note", done["noted"]),
            ("tag:robotics", done["tagged"]),
        ]:
            await type_query(pilot, app, query)
            assert [e.id for e in paper_list(app).entries] == [entry.id], query


async def test_malformed_query_shows_error_and_keeps_last_results(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, app, "diffusion")
        good = shown_titles(app)
        await type_query(pilot, app, "diffusion is:bogus")
        error = main_screen(app).query_one("#search-error")
        assert error.display
        assert "bogus" in str(error.render())
        assert shown_titles(app) == good
        await type_query(pilot, app, 'diffusion "open')
        assert error.display and shown_titles(app) == good
        await type_query(pilot, app, "diffusion model")
        assert not error.display


async def test_matched_words_are_highlighted(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, app, "merging")
        widget = paper_list(app)
        entry = widget.entries[0]
        row = widget.render_row(entry, 0, 60)
        match_style = widget.component_style("paper-list--match", background=True)
        start = row.plain.lower().index("merging")
        styled = [s for s in row.spans if s.start <= start < s.end and s.style == match_style]
        assert styled, "the matched word carries the match style"
        detail = main_screen(app).query_one("#detail-abstract")
        assert detail.visual is not None


async def test_quick_filters_cycle(library: Library) -> None:
    done = prepare(library)
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert all(not e.state.read for e in paper_list(app).entries)
        assert len(shown_titles(app)) == 85
        assert "filter: unread" in status(app)
        await pilot.press("f")
        await settle(pilot)
        assert [e.id for e in paper_list(app).entries] == [done["starred"].id]
        await pilot.press("f")
        await settle(pilot)
        assert len(shown_titles(app)) == sum(1 for e in library.entries() if e.paper.github)
        await pilot.press("f")
        await settle(pilot)
        assert len(shown_titles(app)) == 86
        assert status(app) == "86 papers · 85 unread · 1 starred"


async def test_filter_and_query_combine(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f", "f", "f")  # with code
        await type_query(pilot, app, "learning")
        expected = expected_ids(library, "has:code learning")
        assert [e.id for e in paper_list(app).entries] == expected


async def test_cursor_stays_on_the_same_paper_when_results_change(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, app, "learning")
        await pilot.press("enter", "j", "j")
        kept = paper_list(app).current
        assert kept is not None and paper_list(app).cursor == 2
        await pilot.press("slash", "escape")
        await settle(pilot)
        assert len(shown_titles(app)) == 86
        assert paper_list(app).current == kept


async def test_undo_of_a_paper_not_shown_is_found_by_the_next_keystroke(library: Library) -> None:
    entries = library.entries()
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")  # star the first paper, then look only at unstarred ones
        await type_query(pilot, app, "is:unstarred")
        assert entries[0].id not in [e.id for e in paper_list(app).entries]
        await pilot.press("enter", "u")  # unstar it again: it matches, though not shown yet
        await type_query(pilot, app, "is:unstarred ")
        assert entries[0].id in [e.id for e in paper_list(app).entries]
        assert len(paper_list(app).entries) == 86


async def test_a_newer_keystroke_wins_over_an_older_search(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        field = main_screen(app).query_one("#search-input", Input)
        for text in ("l", "le", "lea", "lear", "learn", "learning -reinforcement"):
            field.value = text  # no waiting between keystrokes
        await settle(pilot)
        expected = expected_ids(library, "learning -reinforcement")
        assert [e.id for e in paper_list(app).entries] == expected
        assert f"· {len(expected)} of 86" in status(app)


async def test_scrollbar_and_detail_follow_a_search_result(library: Library) -> None:
    """The list's height is set without a reflow, and the detail is updated after the list."""
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        widget = paper_list(app)
        detail = main_screen(app).detail
        assert widget.show_vertical_scrollbar  # 86 papers, 36 rows
        last = library.entries()[-1]
        await type_query(pilot, app, f'"{last.paper.title}"')
        assert shown_titles(app) == [last.paper.title]
        assert not widget.show_vertical_scrollbar
        assert detail.entry is last
        assert visible_rows(app)[1].strip() == ""
        await type_query(pilot, app, "")
        assert widget.show_vertical_scrollbar
        assert widget.virtual_size.height == 86
        await pilot.press("enter", "G")
        await settle(pilot)
        assert last.paper.title[:20] in visible_rows(app)[-1]
        assert detail.entry is last


async def test_typing_ranks_each_narrowed_result_as_the_command_line_does(
    library: Library,
) -> None:
    """Each keystroke narrows the previous result, and ranks it again from feed order: the
    same order as `readlist list --sort relevance`, ties included."""
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        for key in "distillation":
            await pilot.press(key)
            await settle(pilot)
            text = main_screen(app).query_one("#search-input", Input).value
            assert [e.id for e in paper_list(app).entries] == expected_ids(library, text), text
        assert paper_list(app).cursor == 0  # the best match, under the cursor
        assert "Distillation" in shown_titles(app)[0]
        for text in ("distillation OR merging", "title:distillation", "distillation -teacher"):
            await type_query(pilot, app, text)
            assert [e.id for e in paper_list(app).entries] == expected_ids(library, text), text


def index_saved_and_loading_slowly(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index a last session saved, taking 0.3 s to load in the warm-up's thread."""
    query_module.clear_cache()
    query_module.prepare(library.entries(), cache_key=library.path)  # saves the index
    query_module.clear_cache()
    real_load = index_cache.load

    def slow_load(
        path: Path, between: Callable[[], object] | None = None
    ) -> index_cache.CachedIndex | None:
        time.sleep(0.3)
        return real_load(path, between)

    monkeypatch.setattr(index_cache, "load", slow_load)


async def search_at_once(library: Library, text: str) -> list[Entry]:
    """Type a search the moment the app starts; it shows what `Query.matches` finds."""
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *text)
        await settle(pilot)
        shown = list(paper_list(app).entries)
    assert [e.id for e in shown] == expected_ids(library, text)
    return shown


async def test_a_search_typed_while_the_saved_index_loads_waits_for_it_instead_of_scanning(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 100,000 papers the index the last session saved loads in ~0.3 s, a scan of the text
    takes 0.85-1.2 s: a search typed at once waits for the index, and finds the same. A small
    library (the sample's 86 papers) waits too: its scan was slower at every size measured."""
    index_saved_and_loading_slowly(library, monkeypatch)
    scanned: list[str] = []
    real_text = index_module.content_text

    def counting(paper: Paper) -> str:
        scanned.append(paper.id)
        return real_text(paper)

    monkeypatch.setattr(index_module, "content_text", counting)
    monkeypatch.setattr(rows_module, "content_text", counting)
    try:
        shown = await search_at_once(library, "merging")
        # A scan reads all 86 texts; the index reads only those of candidates it confirms (a
        # key like `me` that a search gets to before the next key: tokens of many papers hold
        # it) and of the papers shown (to rank them and highlight the matches).
        assert len(set(scanned)) < 86
        assert 0 < len(shown) < 86
    finally:
        query_module.clear_cache()


async def test_the_rows_a_waiting_search_walks_are_built_before_it_resumes(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the saved index is in, the warm-up builds the rows of every slice of the library
    before a waiting search goes on (~0.1 s at 100,000 papers): the search typed at the first
    paint walks them at once instead of building them on the UI thread."""
    monkeypatch.setattr(main_module, "SMALL_SCAN", 10)
    monkeypatch.setattr(main_module, "SEARCH_SLICE", 20)  # the sample's 86 papers: 5 slices
    index_saved_and_loading_slowly(library, monkeypatch)  # the search typed meanwhile waits
    built_on_ui: list[tuple[Entry, ...]] = []
    real_rows = rows_module.Rows

    def recording(*args: object, **kwargs: object) -> rows_module.Rows:
        made = real_rows(*args, **kwargs)  # type: ignore[arg-type]
        if threading.current_thread() is threading.main_thread():
            built_on_ui.append(made.snapshot)
        return made

    monkeypatch.setattr(rows_module, "Rows", recording)
    try:
        entries = library.entries()
        query_module.search_rows(entries[:3])  # rows built here are seen
        assert built_on_ui == [tuple(entries[:3])]
        await search_at_once(library, "merging")
        slices = {tuple(entries[i : i + 20]) for i in range(0, len(entries), 20)}
        assert not slices.intersection(built_on_ui)
    finally:
        query_module.clear_cache()


@pytest.mark.parametrize("sliced", [True, False])
async def test_typing_a_word_narrows_on_the_library_rows(
    library: Library, monkeypatch: pytest.MonkeyPatch, sliced: bool
) -> None:
    """Each key of a word typed shows what a fresh search finds, and narrows the last result
    on the rows the library's slices (a small library's one list) already have, with their
    postings, instead of building rows for a list of the earlier matches (~60 ms for 57,000
    papers; at 10,000 papers `dif` then read the token strings of the 9,960 `di` matched:
    17 ms against 1). A change to the library in between makes the next key search everything
    again."""
    if sliced:
        monkeypatch.setattr(main_module, "SMALL_SCAN", 10)
        monkeypatch.setattr(main_module, "SEARCH_SLICE", 20)  # the sample's 86 papers: 5 slices
    built: list[int] = []
    real_rows = rows_module.Rows

    def recording(*args: object, **kwargs: object) -> rows_module.Rows:
        made = real_rows(*args, **kwargs)  # type: ignore[arg-type]
        built.append(len(made.snapshot))
        return made

    monkeypatch.setattr(rows_module, "Rows", recording)
    app = ReadlistApp(library)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            word = "merging"
            for end in range(1, len(word) + 1):
                await type_query(pilot, app, word[:end])
                await settle(pilot)
                assert [e.id for e in paper_list(app).entries] == expected_ids(library, word[:end])
                if end == 1:
                    built.clear()  # the slices' rows exist from here on
            assert built == []
            shown = paper_list(app).entries
            library.set_note(shown[0].id, "zqxnote")  # a new library list
            await type_query(pilot, app, "merging zqxnote")
            await settle(pilot)
            found = [e.id for e in paper_list(app).entries]
            assert found == [shown[0].id] == expected_ids(library, "merging zqxnote")
    finally:
        query_module.clear_cache()


async def test_a_key_typed_paints_its_text_with_its_result_not_before(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search bar's new text and the list it finds come in one frame: a frame with the text
    alone cost 8-13 ms at 120x40, several times a key while a large library is searched in
    slices. A key that changes nothing to search (an error) paints at once."""
    monkeypatch.setattr(main_module, "SMALL_SCAN", 10)
    monkeypatch.setattr(main_module, "SEARCH_SLICE", 20)
    app = ReadlistApp(library)
    frames: list[tuple[str, tuple[str, ...]]] = []
    real_display = ReadlistApp._display

    def recording(self: ReadlistApp, *args: object, **kwargs: object) -> object:
        screen = main_screen(self)
        frames.append((screen.search_bar.value, paper_list(self).words))
        return real_display(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ReadlistApp, "_display", recording)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", "m", "e", "r")
        await settle(pilot)
        assert frames[-1] == ("mer", ("mer",))
        typed = [frame for frame in frames if frame[0]]
        assert all(text == " ".join(words) for text, words in typed), typed
        await pilot.press("quotation_mark")  # an unclosed quote: an error, no search
        await settle(pilot)
        assert frames[-1][0] == 'mer"'
        assert "quote" in str(app.screen.query_one("#search-error").render()).lower()


async def test_the_collector_waits_from_a_key_to_the_frame_that_shows_its_result(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No garbage collection between a key and its result's frame (one walks every list of
    100,000 entries a search made: 2-6 ms on most keys at that size), and the collector is on
    again once that frame is drawn, after an error and after a search that changed nothing."""
    monkeypatch.setattr(main_module, "SMALL_SCAN", 10)
    monkeypatch.setattr(main_module, "SEARCH_SLICE", 20)  # searched in slices, yielding
    app = ReadlistApp(library)
    during: list[bool] = []
    frames: list[tuple[str, bool]] = []
    real_positions, real_display = main_module.positions_in, ReadlistApp._display

    def positions(*args: object, **kwargs: object) -> list[int]:
        during.append(gc.isenabled())
        return real_positions(*args, **kwargs)  # type: ignore[arg-type]

    def recording(self: ReadlistApp, *args: object, **kwargs: object) -> object:
        frames.append((main_screen(self).search_bar.value, gc.isenabled()))
        return real_display(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(main_module, "positions_in", positions)
    monkeypatch.setattr(ReadlistApp, "_display", recording)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert gc.isenabled()
        await pilot.press("slash", "m", "e", "r")
        await settle(pilot)
        assert during and not any(during)  # each slice of each key's search
        shown = [enabled for value, enabled in frames if value == "mer"]
        assert shown and not shown[0], frames  # its result's frame drawn with the GC off
        assert gc.isenabled()  # and on again after it
        await pilot.press("quotation_mark")  # an unclosed quote: an error, no search
        await settle(pilot)
        assert frames[-1] == ('mer"', True)
        during.clear()
        await pilot.press("backspace")  # `mer` again
        await settle(pilot)
        assert during and not any(during) and gc.isenabled()
    assert gc.isenabled()


async def test_a_search_slower_than_the_frames_hold_still_runs_with_the_collector_off(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search that outlasts the frames' hold (frames may paint the typed text alone) still
    runs, and its result is drawn, with the GC off; the GC is on again after; and a hold that
    no result ends is ended by its own timer."""
    monkeypatch.setattr(main_module, "SMALL_SCAN", 10)
    monkeypatch.setattr(main_module, "SEARCH_SLICE", 5)  # 18 slices
    monkeypatch.setattr(main_module, "HOLD_FRAMES_S", 0.02)
    monkeypatch.setattr(main_module, "HOLD_COLLECTOR_S", 0.3)
    app = ReadlistApp(library)
    during: list[bool] = []
    frames: list[tuple[str, tuple[str, ...], bool]] = []
    real_positions, real_display = main_module.positions_in, ReadlistApp._display

    def slow_positions(*args: object, **kwargs: object) -> list[int]:
        time.sleep(0.01)  # the whole search outlasts the 0.02 s hold
        during.append(gc.isenabled())
        return real_positions(*args, **kwargs)  # type: ignore[arg-type]

    def recording(self: ReadlistApp, *args: object, **kwargs: object) -> object:
        screen = main_screen(self)
        frames.append((screen.search_bar.value, paper_list(self).words, gc.isenabled()))
        return real_display(self, *args, **kwargs)  # type: ignore[arg-type]

    timed_out: list[int] = []  # how many slices had run when the frames were let go
    real_timed_out = main_module.MainScreen._frames_timed_out

    def frames_timed_out(screen: main_module.MainScreen) -> None:
        timed_out.append(len(during))
        real_timed_out(screen)

    monkeypatch.setattr(main_module, "positions_in", slow_positions)
    monkeypatch.setattr(main_module.MainScreen, "_frames_timed_out", frames_timed_out)
    monkeypatch.setattr(ReadlistApp, "_display", recording)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        frames.clear()
        await pilot.press("slash", "m")
        await settle(pilot)
        assert len(during) >= 18 and not any(during)
        assert timed_out and timed_out[0] < len(during)  # frames let go before the last slice
        shown = [f for f in frames if f[1] == ("m",)]
        assert shown and not shown[0][2], frames  # the result's frame: GC still off
        assert gc.isenabled()
        main_screen(app)._hold_frames()  # a hold no result ends
        assert not gc.isenabled()
        await pilot.pause(0.5)
        assert gc.isenabled()
    assert gc.isenabled()


async def test_an_earlier_keys_backstop_does_not_end_a_later_keys_collector_hold(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each key's hold has a backstop timer; a key whose frame ended its hold leaves its timer
    running, and that timer firing inside a later key's hold must not let the GC run there
    (it did: a 7 ms collection inside a key, traced in the benchmark's typing)."""
    monkeypatch.setattr(main_module, "HOLD_COLLECTOR_S", 0.1)
    app = ReadlistApp(library)
    fired: list[object] = []
    real_end = main_module.MainScreen._end_hold

    def end_hold(screen: main_module.MainScreen, token: object) -> None:
        fired.append(token)
        real_end(screen, token)

    monkeypatch.setattr(main_module.MainScreen, "_end_hold", end_hold)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        start = time.monotonic()
        screen._hold_frames()  # a key
        first = screen._hold_token
        screen._release_frames()  # its result painted
        assert gc.isenabled()
        await pilot.pause(0.05)
        screen._hold_frames()  # the next key, its search still running
        second = screen._hold_token
        assert second is not first and not gc.isenabled()
        while first not in fired:
            assert time.monotonic() - start < 5, "the first key's timer never fired"
            await pilot.pause(0.01)
        if second not in fired:  # (on a loaded machine the second may have fired as well)
            assert not gc.isenabled()  # the first key's timer left the second key's hold
        while second not in fired:
            assert time.monotonic() - start < 5, "the second key's timer never fired"
            await pilot.pause(0.01)
        assert gc.isenabled()  # its own timer ended it
        screen._release_frames()
    assert gc.isenabled()


async def test_the_frame_that_shows_a_search_draws_the_list_it_found(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The frame painted for a search's result draws the list's new rows: Textual redraws a
    widget once its refresh reaches the screen, a turn after the result is set, and that frame
    showed the old rows with the new count (the rows came 15-30 ms later at 100,000 papers)."""
    app = ReadlistApp(library)
    drawn: list[tuple[str, ...]] = []
    frames: list[tuple[tuple[str, ...], tuple[str, ...]]] = []  # (words set, words drawn)
    real_render_lines = PaperList.render_lines
    real_display = ReadlistApp._display

    def render_lines(self: PaperList, crop: object) -> object:
        drawn.append(self.words)
        return real_render_lines(self, crop)  # type: ignore[arg-type]

    def recording(self: ReadlistApp, *args: object, **kwargs: object) -> object:
        frames.append((paper_list(self).words, drawn[-1] if drawn else ()))
        return real_display(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(PaperList, "render_lines", render_lines)
    monkeypatch.setattr(ReadlistApp, "_display", recording)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        for key in "merging":
            frames.clear()
            await pilot.press(key)
            await settle(pilot)
            words = paper_list(app).words
            result = next(i for i, (shown, _) in enumerate(frames) if shown == words)
            assert frames[result][1] == words, (key, frames)


def record_layouts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The widgets each layout of the main screen is asked for, from now on."""
    laid_out: list[str] = []
    real_refresh_layout = main_module.MainScreen._refresh_layout

    def recording(self: main_module.MainScreen, *args: object, **kwargs: object) -> None:
        laid_out.extend(type(widget).__name__ for widget in self._layout_widgets)
        real_refresh_layout(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(main_module.MainScreen, "_refresh_layout", recording)
    return laid_out


async def test_a_key_typed_asks_for_no_layout(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search bar's new text is drawn in place: Textual's input set its text's width on
    every key, which asked for a layout of the whole screen (every pane reflowed and the list's
    scrollbar drawn again: ~10-15 ms a key at 120x40)."""
    app = ReadlistApp(library)
    laid_out = record_layouts(monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        laid_out.clear()
        await pilot.press(*"model", "backspace")
        await settle(pilot)
        assert main_screen(app).search_bar.value == "mode"
        assert "SearchBar" not in laid_out and "SearchInput" not in laid_out, laid_out


async def test_the_list_scrollbar_is_drawn_again_only_when_it_would_look_different(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new list of another length redraws the scrollbar (~7 ms at 100,000 papers) only if
    its thumb moves or changes size; as drawn, the bar is always what a fresh drawing shows."""
    lib = Library.open(tmp_path / "lib.json")
    lib.import_papers(make_papers(3000), "synthetic.txt")
    app = ReadlistApp(lib)
    laid_out = record_layouts(monkeypatch)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            papers = paper_list(app)
            everything = list(papers.entries)
            bar = papers.vertical_scrollbar
            region = Region(0, 0, 1, bar.size.height)
            redrawn: list[int] = []
            real_render = type(bar).render
            monkeypatch.setattr(
                type(bar), "render", lambda self: redrawn.append(1) or real_render(self)
            )
            # 3,000 -> 1,500 rows: the same one-cell thumb; 150: a longer one; and back. The
            # paper under the cursor stays, so nothing else changes.
            for count, same_thumb in ((1500, True), (150, False), (1500, False), (3000, True)):
                laid_out.clear()
                redrawn.clear()
                papers.set_entries(everything[:count], keep_id=everything[0].id)
                await settle(pilot)
                assert laid_out == [] and bar.window_virtual_size == count
                assert (redrawn == []) is same_thumb, count
                drawn = [list(line) for line in bar.render_lines(region)]
                bar.refresh()
                assert [list(line) for line in bar.render_lines(region)] == drawn, count
    finally:
        lib.close()


async def test_searches_typed_while_the_saved_index_loads_are_answered_by_the_helper(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library searched in slices gets a search helper when the app starts (here the sample's
    86 papers, with the limits set below them): the searches typed while the app's own index
    is still loading are answered by it, each showing what the definition finds, and once the
    index is in here the helper is closed and searches run here again."""
    monkeypatch.setattr(main_module, "SMALL_SCAN", 10)
    monkeypatch.setattr(main_module, "SEARCH_SLICE", 20)
    query_module.clear_cache()
    query_module.prepare(library.entries(), cache_key=library.path)  # saves the index
    query_module.clear_cache()
    here = os.getpid()
    real_load = index_cache.load

    def slow_here(
        path: Path, between: Callable[[], object] | None = None
    ) -> index_cache.CachedIndex | None:
        if os.getpid() == here:  # the helper, forked, loads at once
            time.sleep(2.0)
        return real_load(path, between)

    monkeypatch.setattr(index_cache, "load", slow_here)
    asked: list[tuple[str, bool]] = []
    real_ask = SearchHelper.ask

    def counting(
        helper: SearchHelper, text: str, ranked: bool, within: list[list[int]] | None
    ) -> Answer | None:
        answer = real_ask(helper, text, ranked, within)
        asked.append((text, answer is not None))
        return answer

    monkeypatch.setattr(SearchHelper, "ask", counting)
    try:
        app = ReadlistApp(library)
        helper = app.search_helper
        assert helper is not None, f"no helper: threads {threading.enumerate()}"
        async with app.run_test(size=SIZE) as pilot:
            typed = ["merging"[:n] for n in range(1, 8)]
            shown: list[list[str]] = []
            await pilot.press("slash")
            for key in "merging":
                await pilot.press(key)
                await main_screen(app).search_settled()
                assert not main_screen(app)._index_loaded.is_set()  # still loading here
                shown.append([e.id for e in paper_list(app).entries])
            assert [text for text, _ in asked] == typed and all(ok for _, ok in asked)
            assert shown == [expected_ids(library, text) for text in typed]
            # (the helper's ranking shows: for some of them it is not feed order)
            feed = [[e.id for e in library.entries() if parse_query(t).matches(e)] for t in typed]
            assert shown != feed
            await settle(pilot)  # the warm-up is done: the index is in here
            assert not helper.running
            before = len(asked)
            await pilot.press("backspace")
            await settle(pilot)
            assert [e.id for e in paper_list(app).entries] == expected_ids(library, "mergin")
            assert len(asked) == before
    finally:
        query_module.clear_cache()


def slices(entries: list[Entry], size: int) -> list[list[Entry]]:
    return [entries[i : i + size] for i in range(0, len(entries), size)]


def has_postings(entries: list[Entry]) -> bool:
    return query_module.search_rows(entries).postings is not None


def has_layout(entries: list[Entry]) -> bool:
    return query_module.search_rows(entries).rank_layout is not None


async def wait_for_slices(
    pilot: object, library: Library, size: int, ready: Callable[[list[Entry]], bool] = has_postings
) -> None:
    """Wait (10 s at most) until every slice of `size` of the library is `ready` (has postings,
    unless told)."""
    deadline = time.monotonic() + 10
    while not all(map(ready, slices(library.entries(), size))):
        assert time.monotonic() < deadline, f"{ready.__name__}: not for every slice"
        await pilot.pause(0.05)  # type: ignore[attr-defined]


@pytest.mark.parametrize("sliced", [True, False])
async def test_the_warm_up_lays_the_library_out_for_ranking_and_typing_ranks_from_it(
    library: Library, monkeypatch: pytest.MonkeyPatch, sliced: bool
) -> None:
    """After the postings, the warm-up gives the same rows their layout for ranking (see
    `RankLayout`): from then on a word typed ranks its matches from the layouts (at 100,000
    papers ~8 ms a key against ~16 scoring each match), in the order the command line gives."""
    if sliced:
        monkeypatch.setattr(main_module, "SMALL_SCAN", 10)
        monkeypatch.setattr(main_module, "SEARCH_SLICE", 20)
    answered: list[bool] = []
    real = ranking_module._rank_in_groups

    def spy(*args: object) -> object:
        ranked = real(*args)  # type: ignore[arg-type]
        answered.append(ranked is not None)
        return ranked

    app = ReadlistApp(library)
    try:
        async with app.run_test(size=SIZE) as pilot:
            size = 20 if sliced else len(library.entries())
            await wait_for_slices(pilot, library, size, has_layout)
            monkeypatch.setattr(ranking_module, "_rank_in_groups", spy)
            for text in ("disti", "distillation", "merging", "merging model"):
                await type_query(pilot, app, text)
                await settle(pilot)
                assert [e.id for e in paper_list(app).entries] == expected_ids(library, text)
            assert len(answered) == 4 and all(answered)
    finally:
        query_module.clear_cache()


@pytest.mark.parametrize("sliced", [True, False])
async def test_the_warm_up_gives_the_library_postings_and_searches_use_them(
    library: Library, monkeypatch: pytest.MonkeyPatch, sliced: bool
) -> None:
    """Once searches rest, the warm-up builds each token's papers for the rows a search of the
    library walks (each slice, or the whole list of a small library); from then on the first
    letters of a word are found from them, never by reading those rows' token strings one by
    one (80-220 ms a key at 100,000 papers), and find what the plain search finds."""
    if sliced:
        monkeypatch.setattr(main_module, "SMALL_SCAN", 10)
        monkeypatch.setattr(main_module, "SEARCH_SLICE", 20)  # the sample's 86 papers: 5 slices
    texts = ("m", "me", "mer", "merging", "la", "lan", '"large lan"')
    expected = {text: expected_ids(library, text) for text in texts}
    read: list[int] = []  # id() of each token string list read one string at a time
    real_split, real_held = index_module.Test.split, index_module.Test.held

    def split(test: index_module.Test, tokens: list[str], positions: list[int]) -> object:
        read.append(id(tokens))
        return real_split(test, tokens, positions)

    def held(test: index_module.Test, tokens: list[str], positions: list[int]) -> object:
        read.append(id(tokens))
        return real_held(test, tokens, positions)

    app = ReadlistApp(library)
    try:
        async with app.run_test(size=SIZE) as pilot:
            entries = library.entries()
            size = 20 if sliced else len(entries)
            await wait_for_slices(pilot, library, size)
            parts = slices(entries, size)
            walked = {id(query_module.search_rows(p).tokens) for p in parts}
            monkeypatch.setattr(index_module.Test, "split", split)
            monkeypatch.setattr(index_module.Test, "held", held)
            for text in texts:
                await type_query(pilot, app, text)
                await settle(pilot)
                assert [e.id for e in paper_list(app).entries] == expected[text]
            assert not walked.intersection(read)
    finally:
        query_module.clear_cache()


@pytest.mark.parametrize("by_search", [256, 2])
async def test_papers_imported_while_the_app_runs_get_tokens_and_postings_too(
    library: Library, monkeypatch: pytest.MonkeyPatch, by_search: int
) -> None:
    """An import shifts every slice of the library, so the rows a search walks are new: once
    the app has shown the import, the library's new slices get postings as well (else every
    search would read token strings one by one until the next session), and a search finds
    the new papers. A search tokenises a few new papers of a slice itself (`by_search`: 256);
    more (7 here with 2) are tokenised in the background, else no postings and every search
    read their text; the index saved for the next session holds them."""
    monkeypatch.setattr(main_module, "SMALL_SCAN", 10)
    monkeypatch.setattr(main_module, "SEARCH_SLICE", 20)
    monkeypatch.setattr(rows_module, "_INDEX_ON_SEARCH", by_search)
    adds: list[int] = []  # len() of each list the index was asked to add
    real_add = index_module.TokenIndex.add

    def add(index: index_module.TokenIndex, entries: list[Entry], **options: object) -> int:
        adds.append(len(entries))
        return real_add(index, entries, **options)  # type: ignore[arg-type]

    app = ReadlistApp(library)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_slices(pilot, library, 20)
            monkeypatch.setattr(index_module.TokenIndex, "add", add)
            paper_list(app).focus()
            await pilot.press("S")  # another order shows the library again: no papers changed
            await settle(pilot)
            assert adds == []
            new = [
                Paper(f"zz{i:04d}", f"Quokkanets {i}", "A new paper on quokkanets.")
                for i in range(7)
            ]
            library.import_papers(new, "test import")
            assert not all(map(has_postings, slices(library.entries(), 20)))  # (new rows)
            main_screen(app)._papers_changed()  # what the app does once an import is done
            await wait_for_slices(pilot, library, 20)
            assert adds == [len(library)]
            for part in slices(library.entries(), 20):
                assert not query_module.search_rows(part).unindexed
            await type_query(pilot, app, "quokka")
            await settle(pilot)
            assert sorted(e.id for e in paper_list(app).entries) == sorted(p.id for p in new)
        saved = index_cache.load(library.path)
        assert saved is not None and {p.id for p in new} <= set(saved.ids)
    finally:
        query_module.clear_cache()
