"""Keys that open dialogs: note, tags, $EDITOR, import, help, the sample feed and the palette."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import DataTable, Input, TextArea

from readlist.app import ReadlistApp
from readlist.core.library import Library
from readlist.screens.confirm import ConfirmDialog
from readlist.screens.help import HelpScreen
from readlist.screens.import_dialog import ImportDialog
from readlist.screens.note_editor import NoteEditor
from readlist.screens.tags_dialog import TagsDialog

from .conftest import (
    SAMPLE,
    SIZE,
    main_screen,
    notifications,
    paper_list,
    settle,
    shown_titles,
    status,
    visible_rows,
)


async def test_annotate_saves_with_ctrl_s(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = library.entries()[0]
        await pilot.press("a")
        assert isinstance(app.screen, NoteEditor)
        app.screen.query_one(TextArea).insert("Read **section 3** first")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, NoteEditor)
        assert library.get(first.id).state.note == "Read **section 3** first"
        assert visible_rows(app)[0][2] == "✎"
        assert "Note saved" in notifications(app)
        await pilot.press("u")
        assert library.get(first.id).state.note == ""


async def test_annotate_escape_asks_before_discarding(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = library.entries()[0]
        await pilot.press("a")
        app.screen.query_one(TextArea).insert("half a thought")
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmDialog)
        app.screen.dismiss(True)
        await settle(pilot)
        assert library.get(first.id).state.note == ""
        assert app.screen is main_screen(app)


async def test_tags_are_saved_and_shown(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = library.entries()[0]
        await pilot.press("t")
        assert isinstance(app.screen, TagsDialog)
        field = app.screen.query_one(Input)
        field.value = "Vision, to read"
        await pilot.press("enter")
        await settle(pilot)
        assert library.get(first.id).state.tags == ("vision", "to read")
        assert "#vision" in visible_rows(app)[0]
        header = str(main_screen(app).query_one("#detail-header").render())
        assert "#vision #to read" in header


async def test_external_editor_missing_is_a_message_not_a_crash(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISUAL", "no-such-editor-readlist")
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        assert any("no-such-editor-readlist" in m for m in notifications(app))
        assert library.entries()[0].state.note == ""


async def test_help_lists_every_key(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        rows = [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        keys = {row[0] for row in rows}
        for wanted in ("s", "m", "a", "e", "t", "u", "c, y", "C", "o", "i", "n", "f", "/", "q"):
            assert wanted in keys, wanted
        assert ("?", "Help") in rows
        await pilot.press("escape")
        assert app.screen is main_screen(app)


async def test_command_palette_runs_actions(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(main_screen(app))]
        for wanted in (
            "Star / unstar",
            "Mark read / unread",
            "Write a note (ctrl+s saves)",
            "Edit tags (comma separated)",
            "Copy the GitHub link",
            "Undo the last change",
            "Next paper",
            "Theme",
            "Help",
        ):
            assert wanted in titles
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Star")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert library.entries()[0].state.starred


async def test_welcome_then_load_sample(empty_library: Library) -> None:
    app = ReadlistApp(empty_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        welcome = main_screen(app).query_one("#welcome")
        assert welcome.display and not paper_list(app).display
        assert "readlist import FILE" in str(welcome.render())
        await pilot.press("L")
        await settle(pilot)
        assert len(empty_library) == 86
        assert not welcome.display and paper_list(app).display
        assert len(shown_titles(app)) == 86
        assert status(app) == "86 papers · 86 unread · 0 starred"


async def test_import_a_feed_by_path(empty_library: Library, tmp_path: Path) -> None:
    feed = tmp_path / "today.txt"
    shutil.copy(SAMPLE, feed)
    app = ReadlistApp(empty_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        assert isinstance(app.screen, ImportDialog)
        app.screen.query_one(Input).value = str(feed)
        await pilot.press("enter")
        await settle(pilot)
        assert len(empty_library) == 86
        assert "today.txt: 86 papers, 86 new, 0 updated" in notifications(app)
        assert len(shown_titles(app)) == 86


async def test_import_of_a_bad_file_is_a_message(empty_library: Library, tmp_path: Path) -> None:
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    app = ReadlistApp(empty_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        main_screen(app).import_feed(bad)
        await settle(pilot)
        assert len(empty_library) == 0
        assert any("bad.bin" in m for m in notifications(app))
