"""The detail pane: everything about the paper under the cursor.

Feed text is drawn as Rich `Text` built from plain strings (never markup). Links carry both a
terminal hyperlink and a click action naming the link by its index, so no feed text ever becomes
part of an action string. The note is the user's own Markdown and is rendered as such; Textual's
Markdown widget (and markdown_it under it, ~50 ms to import) is loaded with the first note shown,
so a start-up without one never pays for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from readlist.core.arxiv_ids import abs_url, pdf_url
from readlist.core.links import is_web_url
from readlist.core.models import Entry, Paper
from readlist.core.text import clean_text
from readlist.widgets.paper_list import highlight_words

if TYPE_CHECKING:
    from textual.widget import AwaitMount
    from textual.widgets import Markdown

MAX_ABSTRACT = 20_000
"""Characters of an abstract shown (a real one is ~2,000). Wrapping a 10 MB one took 71 s."""
MAX_TITLE = 2_000
MAX_NOTE = 50_000
AUTHORS_SHOWN = 8
"""Authors named in the header; a longer list ends with "and N more"."""
PRELOAD_DELAY_S = 0.5
"""When the Markdown widget is imported in the background: after the first paint, not before it."""


def shown_text(text: str, limit: int) -> str:
    """`text` on one line (runs of whitespace as one space), at most `limit` characters, with no
    escape sequence or control character (whatever the library holds, nothing reaches the terminal).

    The cut comes first, so a huge feed field costs no more than a normal one.
    """
    return clean_text(" ".join(text[: limit * 2].split()))[:limit]


class DetailPane(VerticalScroll, can_focus=True):
    """Title, day, state, links, the note and the abstract of one paper; scrolls when long.

    The note comes before the abstract: it is what the user wrote, and what they look for.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Scroll down", show=False, id="detail.scroll_down"),
        Binding("k", "scroll_up", "Scroll up", show=False, id="detail.scroll_up"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "detail--title",
        "detail--meta",
        "detail--state",
        "detail--label",
        "detail--link",
        "detail--match",
        "detail--tags",
    }

    class LinkClicked(Message):
        """A link in the note was clicked (links in feed text use `screen.open_link`)."""

        def __init__(self, url: str) -> None:
            super().__init__()
            self.url = url

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.entry: Entry | None = None
        self.links: list[str] = []
        self._words: tuple[str, ...] = ()
        self._shown_note: str | None = None
        self._note: Markdown | None = None
        self._note_text = ""

    def compose(self) -> ComposeResult:
        yield Static(id="detail-header")
        yield Static(id="detail-links")
        yield Static(Text("Note", end=""), id="detail-note-label")
        # The note's Markdown widget goes here when a note is first shown (see `_note_widget`).
        yield Static(id="detail-abstract")

    def on_mount(self) -> None:
        self.set_timer(PRELOAD_DELAY_S, self._preload_markdown)

    @work(thread=True, group="preload", description="import the Markdown widget")
    def _preload_markdown(self) -> None:
        """Import the Markdown widget off the UI thread, so the first note shown needn't wait."""
        from textual.widgets import Markdown  # noqa: F401

    def show(self, entry: Entry | None, words: Sequence[str] = ()) -> None:
        """Show `entry` (None: nothing selected), highlighting `words` in title and abstract."""
        words = tuple(words)
        if entry is self.entry and words == self._words:
            return
        moved = entry is None or self.entry is None or entry.id != self.entry.id
        # Same paper, only the highlighted words differ: same text, same height, no layout pass.
        layout = entry is not self.entry
        self.entry, self._words = entry, words
        header = self.query_one("#detail-header", Static)
        links = self.query_one("#detail-links", Static)
        abstract = self.query_one("#detail-abstract", Static)
        if entry is None:
            header.update(Text("No paper selected.", end=""))
            links.update("")
            abstract.update("")
            self.links = []
            self._show_note("")
            return
        header.update(self._header(entry), layout=layout)
        if layout:
            links.update(self._links(entry))
        abstract_text = Text(shown_text(entry.paper.abstract, MAX_ABSTRACT), end="")
        highlight_words(
            abstract_text,
            abstract_text.plain,
            words,
            self.component_style("detail--match"),
        )
        hidden = len(entry.paper.abstract) - MAX_ABSTRACT
        if hidden > 0:
            abstract_text.append(
                f"\n\n… the rest of this very long abstract is not shown (~{hidden:,} characters)",
                self.component_style("detail--label"),
            )
        abstract.update(abstract_text, layout=layout)
        self._show_note(entry.state.note)
        if moved:
            self.scroll_home(animate=False, immediate=True)

    def _show_note(self, note: str) -> None:
        has_note = bool(note.strip())
        self.query_one("#detail-note-label").display = has_note
        if self._note is None and not has_note:
            return  # no note shown yet: nothing to hide, no Markdown widget to pay for
        markdown = self._note_widget()
        markdown.display = has_note
        if note != self._shown_note:
            self._shown_note = note
            if len(note) > MAX_NOTE:  # rendering megabytes of Markdown would freeze the app
                hidden = len(note) - MAX_NOTE
                note = f"{note[:MAX_NOTE]}\n\n*… {hidden:,} more characters not shown here*"
            self._note_text = clean_text(note, keep_lines=True)
            if markdown.is_mounted:  # else `_note_mounted` shows it
                markdown.update(self._note_text)

    def _note_widget(self) -> Markdown:
        """The note's Markdown widget, mounted before the abstract the first time one is needed."""
        if self._note is None:
            from textual.widgets import Markdown

            self._note = Markdown(id="detail-note", open_links=False)
            self.call_later(self._note_mounted, self.mount(self._note, before="#detail-abstract"))
        return self._note

    async def _note_mounted(self, mounting: AwaitMount) -> None:
        """Show the latest note once the widget is mounted (its own mount shows an empty one)."""
        await mounting
        if self._note is not None and self._note.source != self._note_text:
            self._note.update(self._note_text)

    def _header(self, entry: Entry) -> Text:
        paper, state = entry.paper, entry.state
        style = self.component_style
        text = Text(end="")
        title = Text(shown_text(paper.title, MAX_TITLE), style=style("detail--title"))
        highlight_words(title, title.plain, self._words, style("detail--match"))
        text.append_text(title)
        text.append("\n")
        if paper.authors:
            text.append(authors_line(paper.authors), style("detail--meta"))
            text.append("\n")
        meta = [paper.date or "no date", paper.id]
        if paper.arxiv_id:
            meta.append(f"arXiv:{shown_text(paper.arxiv_id, 40)}")
        if paper.categories:
            meta.append(shown_text(" ".join(paper.categories), 200))
        if paper.upvotes is not None:
            meta.append(f"▲ {paper.upvotes:,}")
        if paper.source:
            meta.append(shown_text(paper.source, 200))
        text.append(" · ".join(meta), style("detail--meta"))
        text.append("\n")
        states = [
            "★ starred" if state.starred else "not starred",
            "read" if state.read else "• unread",
        ]
        text.append(" · ".join(states), style("detail--state"))
        if state.tags:
            text.append(" · ")
            tags = " ".join(f"#{tag}" for tag in state.tags)
            text.append(shown_text(tags, MAX_TITLE), style("detail--tags"))
        return text

    def _links(self, entry: Entry) -> Text:
        """GitHub link first, then arXiv's pages, project page, DOI and the others; each
        clickable by index."""
        labelled = labelled_links(entry.paper)
        self.links = [url for _, url in labelled]
        style = self.component_style
        text = Text(end="")
        if not labelled:
            text.append("No links", style("detail--label"))
            return text
        for index, (label, url) in enumerate(labelled):
            if index:
                text.append("\n")
            text.append(f"{label:<8}", style("detail--label"))
            shown = shown_text(url, MAX_TITLE)
            # A terminal hyperlink only for a clean web URL: the URL goes inside an escape sequence.
            hyperlink = url if shown == url and is_web_url(url) else None
            link_style = style("detail--link") + Style(
                link=hyperlink, meta={"@click": f"screen.open_link({index})"}
            )
            text.append(shown, link_style)
        return text

    def component_style(self, component: str) -> Style:
        """A component's style from the stylesheet (theme colours resolved)."""
        return self.get_component_rich_style(component)

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        self.post_message(self.LinkClicked(event.href))


def authors_line(authors: Sequence[str]) -> str:
    """`A, B, C and 12 more`: a long author list shortened, every name cleaned."""
    named = [shown_text(name, 100) for name in authors[:AUTHORS_SHOWN]]
    more = len(authors) - len(named)
    return ", ".join(named) + (f" and {more} more" if more > 0 else "")


def labelled_links(paper: Paper) -> list[tuple[str, str]]:
    """(label, URL) for every link of a paper, GitHub first, each URL once."""
    found: dict[str, str] = {}
    if paper.github:
        found[paper.github] = "GitHub"
    if paper.arxiv_id:
        found.setdefault(abs_url(paper.arxiv_id), "arXiv")
        found.setdefault(pdf_url(paper.arxiv_id), "PDF")
    if paper.project_page:
        found.setdefault(paper.project_page, "Project")
    if paper.doi:
        found.setdefault(f"https://doi.org/{paper.doi}", "DOI")
    for url in paper.links:
        found.setdefault(url, "Link")
    return [(label, url) for url, label in found.items()]
