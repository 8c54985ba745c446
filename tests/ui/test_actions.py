"""One-key actions: each change is in the library at once, survives exit, and can be undone."""

from __future__ import annotations

import webbrowser

import pyperclip
import pytest
from tinydb import TinyDB

from readlist.app import ReadlistApp
from readlist.core.library import Library

from .conftest import SIZE, notifications, paper_list, settle, status, visible_rows


def stored(library: Library) -> dict[str, dict[str, object]]:
    """What stock TinyDB reads from the library file."""
    db = TinyDB(library.path)
    try:
        return {doc["id"]: dict(doc) for doc in db.table("papers").all()}
    finally:
        db.close()


async def test_star_and_read_are_saved_at_once_and_shown(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = library.entries()[0]
        await pilot.press("s", "m")
        assert library.get(first.id).state.starred
        assert library.get(first.id).state.read
        assert library.pending() > 0 or stored(library)[first.id]["starred"] is True
        assert visible_rows(app)[0].startswith("★ ")
        assert status(app) == "86 papers · 85 unread · 1 starred"
        await pilot.press("s", "m")
        assert not library.get(first.id).state.starred
        assert not library.get(first.id).state.read
        assert status(app) == "86 papers · 86 unread · 0 starred"
        await pilot.press("j", "s")
    second = library.entries()[1]
    docs = stored(library)  # the app closed the library: the TinyDB file holds everything
    assert docs[second.id]["starred"] is True
    assert docs[first.id]["starred"] is False


async def test_changes_are_compacted_into_the_file_soon(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        assert library.pending() == 1
        await pilot.pause(2.6)
        await settle(pilot)
        assert library.pending() == 0
        assert stored(library)[library.entries()[0].id]["starred"] is True


async def test_undo_restores_previous_values_repeatedly(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first, second = library.entries()[0], library.entries()[1]
        await pilot.press("s", "m", "j", "s")
        assert library.get(second.id).state.starred
        await pilot.press("u")
        assert not library.get(second.id).state.starred
        await pilot.press("u")
        assert not library.get(first.id).state.read
        assert library.get(first.id).state.starred
        assert paper_list(app).cursor == 0  # undo moves to the paper it changed
        await pilot.press("u")
        assert not library.get(first.id).state.starred
        await pilot.press("u")
        assert "Nothing to undo" in notifications(app)
    assert stored(library)[first.id]["starred"] is False


async def test_copy_github_link_to_both_clipboards(
    library: Library, no_system_clipboard: list[str]
) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = library.entries()[0]
        assert first.paper.github
        await pilot.press("c")
        assert app.clipboard == first.paper.github
        assert no_system_clipboard == [first.paper.github]
        assert f"Copied {first.paper.github} to the clipboard" in notifications(app)


async def test_y_copies_too_and_says_when_only_osc52_worked(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_backend(text: str) -> None:
        raise pyperclip.PyperclipException("Pyperclip could not find a copy/paste mechanism")

    monkeypatch.setattr(pyperclip, "copy", no_backend)
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        url = library.entries()[0].paper.github
        await pilot.press("y")
        assert app.clipboard == url
        # The reason after the semicolon depends on the machine (no copy program, no display).
        sent = [m for m in notifications(app) if m.startswith(f"Sent {url} to the terminal ")]
        assert sent and sent[0].startswith(f"Sent {url} to the terminal clipboard (OSC 52); ")
        assert not any(m.startswith("Copied") for m in notifications(app))


async def test_paper_without_github_link(library: Library) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        widget = paper_list(app)
        other = next(e for e in library.entries() if not e.paper.github and e.paper.links)
        widget.move_to(widget.index_of(other.id) or 0)
        await pilot.press("c")
        assert "No GitHub link for this paper" in notifications(app)
        assert app.clipboard == ""
        await pilot.press("C")
        assert app.clipboard == other.paper.links[0]


async def test_open_uses_the_browser_for_web_links_only(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setenv("BROWSER", "firefox")  # as if a graphical browser were there
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        url = library.entries()[0].paper.github
        assert opened == [url]
        assert f"Opening {url} in the browser" in notifications(app)
        widget = paper_list(app)
        bare = next(e for e in library.entries() if not e.paper.links and not e.paper.github)
        widget.move_to(widget.index_of(bare.id) or 0)
        await pilot.press("o")
        assert len(opened) == 1
        assert "No links in this paper" in notifications(app)


async def test_read_only_library_refuses_changes_and_says_so(library: Library) -> None:
    library.read_only = True
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        assert not library.entries()[0].state.starred
        assert any(m.startswith("Not saved:") for m in notifications(app))
        assert "READ-ONLY" in status(app)
        assert not visible_rows(app)[0].startswith("★")
