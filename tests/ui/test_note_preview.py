"""The note preview in the detail pane: its Markdown widget is mounted with the first note shown.

Textual's Markdown widget (and markdown_it) cost ~50 ms to import, so a start-up that shows no note
must not load it; once loaded it must show the note of the paper under the cursor, even when the
cursor moved on while the widget was still being mounted.
"""

from __future__ import annotations

from textual.widgets import Markdown

from readlist.app import ReadlistApp
from readlist.core.library import Library
from readlist.widgets.detail import DetailPane

from .conftest import SIZE, main_screen, settle


def child_ids(detail: DetailPane) -> list[str | None]:
    return [child.id for child in detail.children]


async def test_the_note_widget_is_mounted_with_the_first_note(library: Library) -> None:
    entries = library.entries()
    library.set_note(entries[1].id, "first **note**")
    library.set_note(entries[2].id, "second *note*")
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        detail = main_screen(app).query_one(DetailPane)
        assert not detail.query(Markdown)  # the first paper has no note
        await pilot.press("j", "j")  # past the first note before its widget is mounted
        await settle(pilot)
        markdown = detail.query_one("#detail-note", Markdown)
        assert markdown.display and markdown.source == "second *note*"
        assert child_ids(detail) == [
            "detail-header",
            "detail-links",
            "detail-note-label",
            "detail-note",
            "detail-abstract",
        ]
        await pilot.press("j")  # a paper without a note hides the preview and its label
        await settle(pilot)
        assert not markdown.display
        assert not detail.query_one("#detail-note-label").display
        await pilot.press("k", "k")
        await settle(pilot)
        assert markdown.display and markdown.source == "first **note**"
