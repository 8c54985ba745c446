"""Edit a paper's tags as one comma-separated line (`t` on the main screen)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from readlist.core.models import normalise_tags

MAX_KNOWN_SHOWN = 12


def parse_tags(text: str) -> list[str]:
    """Tags from `a, b ,, c`: split on commas, trimmed, empties and repeats dropped."""
    return list(normalise_tags(text.split(",")))


class TagSuggester(Suggester):
    """Completes the tag being typed (the text after the last comma) from the tags in use."""

    def __init__(self, known: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.known = list(dict.fromkeys(known))

    async def get_suggestion(self, value: str) -> str | None:
        head, _, last = value.rpartition(",")
        typed = last.lstrip()
        if not typed:
            return None
        already = set(parse_tags(head))
        wanted = typed.casefold()
        for tag in self.known:
            if tag.casefold().startswith(wanted) and len(tag) > len(typed) and tag not in already:
                return value + tag[len(typed) :]
        return None


class TagsDialog(ModalScreen[list[str] | None]):
    """Dismisses with the new tags on Enter, or None on Esc; → accepts a suggested tag."""

    DEFAULT_CSS = """
    TagsDialog {
        align: center middle;
    }
    TagsDialog > Vertical {
        width: 80%;
        max-width: 100;
        height: auto;
        border: thick $primary;
        background: $panel;
        padding: 0 1;
    }
    TagsDialog #tags-title {
        text-style: bold;
        height: auto;
        max-height: 3;
        margin-bottom: 1;
    }
    TagsDialog #tags-known, TagsDialog #tags-keys {
        color: $text-muted;
        height: auto;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
    ]

    AUTO_FOCUS = "#tags-input"

    def __init__(self, title: str, tags: Sequence[str], known: Sequence[str]) -> None:
        super().__init__()
        self.paper_title = title
        self.tags = list(tags)
        self.known = list(known)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Tags for: {self.paper_title}", id="tags-title", markup=False)
            yield Input(
                ", ".join(self.tags),
                placeholder="comma separated, e.g. agents, to-read",
                suggester=TagSuggester(self.known),
                select_on_focus=False,
                id="tags-input",
            )
            yield Static(self._known_line(), id="tags-known", markup=False)
            yield Static("enter save · → accept suggestion · esc cancel", id="tags-keys")

    def _known_line(self) -> str:
        if not self.known:
            return "No tags in the library yet"
        shown = ", ".join(self.known[:MAX_KNOWN_SHOWN])
        more = len(self.known) - MAX_KNOWN_SHOWN
        return f"In use: {shown}" + (f" and {more} more" if more > 0 else "")

    def on_mount(self) -> None:
        tags_input = self.query_one(Input)
        tags_input.focus()
        tags_input.cursor_position = len(tags_input.value)

    @on(Input.Submitted)
    def save(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(parse_tags(event.value))

    def action_cancel(self) -> None:
        self.dismiss(None)
