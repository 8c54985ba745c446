"""In a browser tab (`readlist serve`), what cannot work the terminal's way says so and works the
browser's way: `e` opens the in-app editor, `o` a new tab, copy goes through the browser, `x`
downloads. Here `App.is_web` is forced on; tests/e2e/test_browser_serve.py does it for real."""

from __future__ import annotations

import io
from typing import Any

import pytest
from textual.widgets import Input

from readlist.app import ReadlistApp
from readlist.clipboard import browser_copy
from readlist.core.library import Library
from readlist.screens.export_dialog import ExportDialog
from readlist.screens.note_editor import NoteEditor

from .conftest import SIZE, notifications, paper_list, settle


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """Make the app believe it runs in a browser; record what it asks the browser to do."""
    asked: dict[str, list[Any]] = {"open_url": [], "deliver_text": []}
    monkeypatch.setattr(ReadlistApp, "is_web", property(lambda self: True))

    def open_url(self: ReadlistApp, url: str, *, new_tab: bool = True) -> None:
        asked["open_url"].append((url, new_tab))

    def deliver_text(self: ReadlistApp, file: io.StringIO, **options: Any) -> str:
        asked["deliver_text"].append((file.getvalue(), options))
        return "key"

    monkeypatch.setattr(ReadlistApp, "open_url", open_url)
    monkeypatch.setattr(ReadlistApp, "deliver_text", deliver_text)
    monkeypatch.setenv("READLIST_WEB_ORIGIN", "http://127.0.0.1:8000")
    return asked


async def test_e_opens_the_in_app_editor_and_says_why(
    library: Library, web: dict[str, list[Any]]
) -> None:
    app = ReadlistApp(library=library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, NoteEditor)
        assert any("$EDITOR cannot run" in n for n in notifications(app))


async def test_o_opens_a_new_browser_tab(library: Library, web: dict[str, list[Any]]) -> None:
    app = ReadlistApp(library=library)
    async with app.run_test(size=SIZE) as pilot:
        github = paper_list(app).current.paper.github  # type: ignore[union-attr]
        await pilot.press("o")
        await settle(pilot)
        assert web["open_url"] == [(github, True)]
        assert any("new browser tab" in n for n in notifications(app))


async def test_copy_goes_through_the_browser_not_the_servers_clipboard(
    library: Library, web: dict[str, list[Any]], no_system_clipboard: list[str]
) -> None:
    app = ReadlistApp(library=library)
    async with app.run_test(size=SIZE) as pilot:
        github = paper_list(app).current.paper.github  # type: ignore[union-attr]
        await pilot.press("c")
        await settle(pilot)
        assert app.clipboard == github
        assert no_system_clipboard == []  # pyperclip never ran
        assert any("through the browser" in n for n in notifications(app))


async def test_a_tab_on_a_plain_http_address_is_told_the_copy_may_not_arrive(
    library: Library, web: dict[str, list[Any]]
) -> None:
    app = ReadlistApp(library=library)
    async with app.run_test(size=SIZE):
        local = browser_copy(app, "https://example.org", origin="http://localhost:8000")
        remote = browser_copy(app, "https://example.org", origin="http://192.168.1.5:8000")
    assert local.system and "Copied" in local.message
    assert not remote.system and "probably not copied" in remote.message


async def test_x_downloads_the_shown_list_under_a_plain_file_name(
    library: Library, web: dict[str, list[Any]]
) -> None:
    app = ReadlistApp(library=library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog) and dialog.download
        name = dialog.query_one("#export-path", Input)
        assert name.value == "readlist-export.md"
        await pilot.press("enter")  # take Markdown, on to the name
        name.value = "../etc/passwd"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)  # refused: a name, not a path
        name.value = "my-list.md"
        await pilot.press("enter")
        await settle(pilot)
        assert len(web["deliver_text"]) == 1
        text, options = web["deliver_text"][0]
        assert options["save_filename"] == "my-list.md"
        assert text.count("- [ ]") == 86
        assert any("Downloading 86 papers as my-list.md" in n for n in notifications(app))
