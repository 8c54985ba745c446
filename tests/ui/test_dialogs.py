"""Pilot tests for the dialogs and the external editor, each driven from a bare host app.

The dialogs are used by the main screen, but their behaviour (what they return, when they ask
first) is theirs, so they are tested on their own, with keys as a user presses them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static, TextArea

from readlist.external_editor import EditorError, edit_in_editor, editor_command
from readlist.screens.confirm import ConfirmDialog
from readlist.screens.help import HelpScreen
from readlist.screens.import_dialog import ImportDialog, complete_path
from readlist.screens.note_editor import NoteEditor
from readlist.screens.tags_dialog import TagsDialog, parse_tags

MARKUP_TITLE = "Attention [bold]is[/] all [/] you need"


class HostApp(App[None]):
    """Pushes one dialog and records what it was dismissed with."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list[Any] = []

    def open(self, dialog: Screen[Any]) -> None:
        self.push_screen(dialog, self.results.append)


def top_screen(app: App[Any]) -> Screen[Any]:
    """The screen on top (a function, so type narrowing does not outlive a key press)."""
    return app.screen


def text_of(screen: Screen[Any], selector: str) -> str:
    return str(screen.query_one(selector, Static).visual)


async def type_text(pilot: Pilot[None], text: str) -> None:
    keys = {" ": "space", ",": "comma", "/": "slash", ".": "full_stop", "-": "minus", "~": "tilde"}
    await pilot.press(*(keys.get(char, char) for char in text))


# ---- ConfirmDialog --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "answer"),
    [(["y"], True), (["n"], False), (["escape"], False), (["enter"], False)],
)
async def test_confirm_answers_by_key(keys: list[str], answer: bool) -> None:
    app = HostApp()
    async with app.run_test() as pilot:
        app.open(ConfirmDialog("Delete [red]everything[/]?"))
        await pilot.pause()
        assert text_of(app.screen, "#confirm-question") == "Delete [red]everything[/]?"
        await pilot.press(*keys)
        await pilot.pause()
        assert app.results == [answer]


async def test_confirm_yes_button() -> None:
    app = HostApp()
    async with app.run_test() as pilot:
        app.open(ConfirmDialog("Sure?"))
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
        assert app.results == [True]


# ---- NoteEditor -----------------------------------------------------------------------


async def open_editor(pilot: Pilot[None], note: str) -> NoteEditor:
    app = pilot.app
    assert isinstance(app, HostApp)
    editor = NoteEditor(MARKUP_TITLE, note)
    app.open(editor)
    await pilot.pause()
    return editor


async def test_note_editor_shows_title_literally_and_the_note() -> None:
    app = HostApp()
    async with app.run_test() as pilot:
        editor = await open_editor(pilot, "first thoughts")
        assert text_of(editor, "#note-title") == MARKUP_TITLE
        assert editor.query_one(TextArea).text == "first thoughts"
        assert editor.query_one(TextArea).has_focus


async def test_note_editor_typing_and_ctrl_s_saves() -> None:
    app = HostApp()
    async with app.run_test() as pilot:
        await open_editor(pilot, "old")
        await type_text(pilot, " and new")
        await pilot.press("enter", "x", "ctrl+s")
        await pilot.pause()
        assert app.results == ["old and new\nx"]
        assert not isinstance(app.screen, NoteEditor)


async def test_note_editor_escape_without_changes_cancels_at_once() -> None:
    app = HostApp()
    async with app.run_test() as pilot:
        await open_editor(pilot, "keep")
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]
        assert not isinstance(app.screen, (NoteEditor, ConfirmDialog))


async def test_note_editor_escape_with_changes_asks_before_discarding() -> None:
    app = HostApp()
    async with app.run_test() as pilot:
        editor = await open_editor(pilot, "keep")
        await type_text(pilot, " draft")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(top_screen(app), ConfirmDialog)
        assert text_of(top_screen(app), "#confirm-question") == "Discard unsaved changes?"

        await pilot.press("n")
        await pilot.pause()
        assert top_screen(app) is editor
        assert editor.query_one(TextArea).text == "keep draft"
        assert app.results == []

        await type_text(pilot, "!")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.results == [None]
        assert not isinstance(app.screen, (NoteEditor, ConfirmDialog))


async def test_note_editor_saves_an_emptied_note() -> None:
    app = HostApp()
    async with app.run_test() as pilot:
        editor = await open_editor(pilot, "gone")
        editor.query_one(TextArea).text = ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.results == [""]


# ---- TagsDialog -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("agents, RL ,, vision,", ["agents", "rl", "vision"]),
        ("  ", []),
        ("a,a, b", ["a", "b"]),
        ("multi  word tag", ["multi word tag"]),
    ],
)
def test_parse_tags(text: str, tags: list[str]) -> None:
    assert parse_tags(text) == tags


async def test_tags_dialog_edits_and_saves_parsed_tags() -> None:
    app = HostApp()
    async with app.run_test() as pilot:
        app.open(TagsDialog(MARKUP_TITLE, ["agents"], ["agents", "vision"]))
        await pilot.pause()
        assert app.screen.query_one(Input).value == "agents"
        assert MARKUP_TITLE in text_of(app.screen, "#tags-title")
        await type_text(pilot, ", RL ,, to-read ,")
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [["agents", "rl", "to-read"]]


async def test_tags_dialog_suggests_known_tags_for_the_last_one() -> None:
    app = HostApp()
    async with app.run_test() as pilot:
        app.open(TagsDialog("T", ["agents"], ["agents", "alignment", "vision"]))
        await pilot.pause()
        await type_text(pilot, ", a")
        await pilot.pause()
        await pilot.press("right")
        await pilot.pause()
        assert app.screen.query_one(Input).value == "agents, alignment"
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [["agents", "alignment"]]


async def test_tags_dialog_escape_cancels() -> None:
    app = HostApp()
    async with app.run_test() as pilot:
        app.open(TagsDialog("T", ["agents"], []))
        await pilot.pause()
        await type_text(pilot, ", more")
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


# ---- ImportDialog ---------------------------------------------------------------------


@pytest.fixture
def feed_folder(tmp_path: Path) -> Path:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    for name in ("daily-03-12.txt", "daily-03-13.txt", "notes.md", ".hidden"):
        (feeds / name).write_text("x", encoding="utf-8")
    (tmp_path / "other.txt").write_text("x", encoding="utf-8")
    return tmp_path


def test_complete_path_like_a_shell(feed_folder: Path) -> None:
    assert complete_path("fe", feed_folder) == ("feeds/", ["feeds/"])
    assert complete_path("feeds/d", feed_folder) == (
        "feeds/daily-03-1",
        ["daily-03-12.txt", "daily-03-13.txt"],
    )
    assert complete_path("feeds/.h", feed_folder) == ("feeds/.hidden", [".hidden"])
    assert ".hidden" not in complete_path("feeds/", feed_folder)[1]
    assert complete_path("zzz", feed_folder) == ("zzz", [])
    absolute = f"{feed_folder}/oth"
    assert complete_path(absolute, Path("/")) == (f"{feed_folder}/other.txt", ["other.txt"])


def test_complete_path_expands_home(feed_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(feed_folder))
    assert complete_path("~/fe", Path("/")) == ("~/feeds/", ["feeds/"])


async def test_import_dialog_tab_completes_and_returns_the_file(feed_folder: Path) -> None:
    app = HostApp()
    async with app.run_test() as pilot:
        app.open(ImportDialog(feed_folder))
        await pilot.pause()
        path_input = app.screen.query_one(Input)
        await type_text(pilot, "fe")
        await pilot.press("tab")
        assert path_input.value == "feeds/"
        assert path_input.has_focus
        await type_text(pilot, "d")
        await pilot.press("tab")
        await pilot.pause()
        assert path_input.value == "feeds/daily-03-1"
        assert "daily-03-12.txt" in text_of(app.screen, "#import-candidates")
        await pilot.press("3", "tab", "enter")
        await pilot.pause()
        assert app.results == [feed_folder / "feeds" / "daily-03-13.txt"]


async def test_import_dialog_explains_a_missing_file_and_stays_open(feed_folder: Path) -> None:
    app = HostApp()
    async with app.run_test() as pilot:
        app.open(ImportDialog(feed_folder))
        await pilot.pause()
        await type_text(pilot, "nope.txt")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ImportDialog)
        assert text_of(app.screen, "#import-error") == f"No such file: {feed_folder / 'nope.txt'}"
        assert app.results == []

        app.screen.query_one(Input).value = "feeds"
        await pilot.press("enter")
        await pilot.pause()
        assert "is a folder" in text_of(app.screen, "#import-error")

        app.screen.query_one(Input).value = "other.txt"
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [feed_folder / "other.txt"]


async def test_import_dialog_escape_cancels(feed_folder: Path) -> None:
    app = HostApp()
    async with app.run_test() as pilot:
        app.open(ImportDialog(feed_folder))
        await pilot.pause()
        await type_text(pilot, "other.txt")
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


# ---- HelpScreen -----------------------------------------------------------------------

HELP_ROWS = [("j, down", "Next paper"), ("[b]", "A key shown [literally]")] + [
    (f"f{n}", f"Action number {n}") for n in range(60)
]


@pytest.mark.parametrize("key", ["escape", "q", "question_mark"])
async def test_help_lists_keys_and_closes(key: str) -> None:
    app = HostApp()
    async with app.run_test(size=(100, 30)) as pilot:
        app.open(HelpScreen(HELP_ROWS))
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == len(HELP_ROWS)
        assert [str(cell) for cell in table.get_row_at(1)] == ["[b]", "A key shown [literally]"]
        await pilot.press(key)
        await pilot.pause()
        assert app.results == [None]


async def test_help_scrolls() -> None:
    app = HostApp()
    async with app.run_test(size=(100, 30)) as pilot:
        app.open(HelpScreen(HELP_ROWS))
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == len(HELP_ROWS) - 1
        assert table.scroll_y == table.max_scroll_y > 0
        await pilot.press("g", "j", "j", "k")
        await pilot.pause()
        assert table.cursor_row == 1
        assert table.scroll_y == 0
        assert isinstance(app.screen, HelpScreen)


# ---- external editor ------------------------------------------------------------------


class SuspendingApp(App[None]):
    """Headless drivers cannot suspend; this host records that the editor ran suspended."""

    def __init__(self) -> None:
        super().__init__()
        self.suspended = 0

    @contextmanager
    def suspend(self) -> Iterator[None]:
        self.suspended += 1
        yield


def make_editor(tmp_path: Path, body: str) -> str:
    """A script acting as the user's editor; it also logs the file it was given and its mode."""
    script = tmp_path / "fake-editor.sh"
    log = tmp_path / "editor.log"
    script.write_text(f'#!/bin/sh\nstat -c "%a %n" "$1" > "{log}"\n{body}\n', encoding="utf-8")
    script.chmod(0o755)
    return str(script)


async def test_external_editor_round_trip(tmp_path: Path) -> None:
    editor = make_editor(tmp_path, 'printf "edited\\nnote\\n" > "$1"')
    app = SuspendingApp()
    async with app.run_test():
        result = edit_in_editor(app, "old note", env={"EDITOR": editor})
    assert result == "edited\nnote"
    assert app.suspended == 1
    mode, name = (tmp_path / "editor.log").read_text(encoding="utf-8").split()
    assert mode == "600"
    assert name.endswith(".md")
    assert not os.path.exists(name)


async def test_external_editor_sees_the_current_note(tmp_path: Path) -> None:
    editor = make_editor(tmp_path, f'cp "$1" "{tmp_path}/seen"; echo "added" >> "$1"')
    app = SuspendingApp()
    async with app.run_test():
        result = edit_in_editor(app, "note ü", env={"VISUAL": editor, "EDITOR": "nope"})
    assert result == "note ü\nadded"  # a line appended by the editor is a line of its own
    assert (tmp_path / "seen").read_text(encoding="utf-8") == "note ü\n"


@pytest.mark.parametrize("body", ["true", 'printf "same\\n" > "$1"'])
async def test_external_editor_unchanged_gives_none(tmp_path: Path, body: str) -> None:
    editor = make_editor(tmp_path, body)
    app = SuspendingApp()
    async with app.run_test():
        assert edit_in_editor(app, "same", env={"EDITOR": editor}) is None


async def test_external_editor_failure_raises_one_line_error(tmp_path: Path) -> None:
    editor = make_editor(tmp_path, 'printf "half" > "$1"; exit 3')
    app = SuspendingApp()
    async with app.run_test():
        with pytest.raises(EditorError, match=r"exited with status 3; the note was not changed$"):
            edit_in_editor(app, "note", env={"EDITOR": editor})


async def test_missing_editor_is_named() -> None:
    app = SuspendingApp()
    async with app.run_test():
        with pytest.raises(EditorError, match="Editor not found: no-such-editor-xyz"):
            edit_in_editor(app, "note", env={"EDITOR": "no-such-editor-xyz --wait"})
    assert app.suspended == 0


async def test_terminal_that_cannot_suspend_is_explained(tmp_path: Path) -> None:
    editor = make_editor(tmp_path, 'printf "x" > "$1"')
    app = HostApp()
    async with app.run_test():
        with pytest.raises(EditorError, match="cannot hand over to an external editor"):
            edit_in_editor(app, "note", env={"EDITOR": editor})
    assert not (tmp_path / "editor.log").exists()


def test_editor_command_choice() -> None:
    assert editor_command({"VISUAL": "code --wait", "EDITOR": "nano"}) == ["code", "--wait"]
    assert editor_command({"EDITOR": "'my editor' -n"}) == ["my editor", "-n"]
    assert editor_command({"VISUAL": " ", "EDITOR": ""}) == ["vi"]
    assert editor_command({}) == ["vi"]
    with pytest.raises(EditorError, match="Cannot understand the editor command"):
        editor_command({"EDITOR": "vim 'unclosed"})
