"""`x` exports what the list shows, in the order shown, to a file the user names."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from bibtexparser.entrypoint import parse_string
from textual.pilot import Pilot
from textual.widgets import Input, Static

from readlist.app import ReadlistApp
from readlist.core.formats.bibtex import citation_key
from readlist.core.formats.markdown import read_markdown
from readlist.core.library import Library
from readlist.screens.confirm import ConfirmDialog
from readlist.screens.export_dialog import ExportDialog, with_extension

from .conftest import SIZE, main_screen, notifications, paper_list, settle

FORMAT_KEYS = {"md": 0, "bibtex": 1, "csv": 2, "json": 3}  # right-arrow presses from Markdown


def shown_ids_in(fmt: str, text: str) -> list[str]:
    """The paper ids an export holds, in file order, read back with the format's own reader."""
    if fmt == "md":
        return [paper.id for paper, _ in read_markdown(text, "export")]
    if fmt == "csv":
        return [row["id"] for row in csv.DictReader(io.StringIO(text, newline=""))]
    if fmt == "json":
        return [doc["id"] for doc in json.loads(text)]
    library = parse_string(text)
    assert library.failed_blocks == []
    return [entry.key for entry in library.entries]


async def narrow_and_sort(pilot: Pilot[None], app: ReadlistApp) -> None:
    """A search, then sort by title: the export must follow both."""
    field = main_screen(app).query_one("#search-input", Input)
    await pilot.press("slash")
    field.value = "model"
    await settle(pilot)
    await pilot.press("enter", "S", "S")  # relevance -> feed order -> title
    await settle(pilot)


async def open_dialog(pilot: Pilot[None], app: ReadlistApp) -> ExportDialog:
    await pilot.press("x")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, ExportDialog)
    return dialog


@pytest.mark.parametrize("fmt", list(FORMAT_KEYS))
async def test_export_writes_exactly_the_shown_papers_in_order(
    library: Library, tmp_path: Path, fmt: str
) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await narrow_and_sort(pilot, app)
        shown = list(paper_list(app).entries)
        assert 1 < len(shown) < len(library)
        titles = [entry.paper.title.casefold() for entry in shown]
        assert titles == sorted(titles)

        dialog = await open_dialog(pilot, app)
        await pilot.press(*["right"] * FORMAT_KEYS[fmt], "enter")
        await pilot.pause()
        path_input = dialog.query_one("#export-path", Input)
        assert path_input.has_focus
        assert path_input.value == with_extension("~/readlist-export.md", fmt)
        target = tmp_path / f"out-{fmt}"
        path_input.value = str(target)
        await pilot.press("enter")
        await settle(pilot)

        assert not isinstance(app.screen, ExportDialog)
        assert f"Exported {len(shown)} papers to {target}" in notifications(app)
    text = target.read_text(encoding="utf-8")
    expected = [citation_key(e) if fmt == "bibtex" else e.id for e in shown]
    assert shown_ids_in(fmt, text) == expected
    assert os.stat(target).st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


async def test_export_asks_before_replacing_a_file(library: Library, tmp_path: Path) -> None:
    target = tmp_path / "list.md"
    target.write_text("keep me", encoding="utf-8")
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for answer in ("n", "y"):
            dialog = await open_dialog(pilot, app)
            dialog.query_one("#export-path", Input).value = str(target)
            await pilot.press("tab", "enter")  # tab: from the formats to the path
            await pilot.pause()
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press(answer)
            await settle(pilot)
            if answer == "n":
                assert target.read_text(encoding="utf-8") == "keep me"
                assert "Not exported: the file was left as it was" in notifications(app)
    assert len(read_markdown(target.read_text(encoding="utf-8"), "x")) == len(library)


async def test_export_to_a_missing_folder_is_explained_and_writes_nothing(
    library: Library, tmp_path: Path
) -> None:
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = await open_dialog(pilot, app)
        dialog.query_one("#export-path", Input).value = str(tmp_path / "nope" / "out.md")
        await pilot.press("tab", "enter")
        await pilot.pause()
        assert app.screen is dialog
        error = str(dialog.query_one("#export-error", Static).visual)
        assert error == f"No such folder: {tmp_path / 'nope'}"
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ExportDialog)
    assert list(tmp_path.glob("nope*")) == []


async def test_export_write_error_is_one_message_and_nothing_is_left(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that fails (permission, disk full) leaves neither the file nor a temporary one."""
    target = tmp_path / "out" / "list.json"
    target.parent.mkdir()

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = await open_dialog(pilot, app)
        dialog.query_one("#export-path", Input).value = str(target)
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert f"Not exported: cannot write {target}: Permission denied" in notifications(app)
    assert list(target.parent.iterdir()) == []


def test_with_extension_changes_only_export_extensions() -> None:
    assert with_extension("~/readlist-export.md", "bibtex") == "~/readlist-export.bib"
    assert with_extension("a.json", "csv") == "a.csv"
    assert with_extension("notes.txt", "json") == "notes.txt"


async def test_export_path_completes_with_tab(library: Library, tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = await open_dialog(pilot, app)
        path_input = dialog.query_one("#export-path", Input)
        await pilot.press("tab")  # from the formats to the path
        assert path_input.has_focus
        path_input.value = f"{tmp_path}/exp"
        await pilot.press("tab")
        assert path_input.value == f"{tmp_path}/exports/"
        assert path_input.has_focus
