"""Notes in the Markdown export: the user's Markdown renders inside the item and reads back exactly.

Rendered with markdown-it-py's CommonMark preset, as a notes app would render the file.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

from readlist.core.formats.markdown import read_markdown, to_markdown
from readlist.core.library.changes import clean_state_fields
from readlist.core.models import Entry, Paper, PaperState, paper_id

NOTE = """# Why it matters

**Retrieval** beats `fine_tune()` here:
- [x] Foo
  - Note: x

## Open questions
1. does it scale?

```python
print("hi")
```

    indented = "code, as on its own"
"""


def entry(title: str, note: str = "", abstract: str = "An abstract.") -> Entry:
    paper = Paper(paper_id(title), title, abstract, "2024-03-12", "https://github.com/o/r")
    return Entry(paper, PaperState(read=True, note=note, tags=("ml",)))


def inside_notes(markdown: str) -> list[set[str]]:
    """For each `Note:` sub-item of a paper, the HTML tags (and block types) inside that item."""
    found: list[set[str]] = []
    stack: list[tuple[str, set[str] | None]] = []  # open tags; a set once known to be a note
    for token in MarkdownIt("commonmark").parse(markdown):
        if token.nesting == -1:
            stack.pop()
            continue
        note = next((tags for _, tags in reversed(stack) if tags is not None), None)
        outer = [tag for tag, _ in stack[:-1]]
        if (
            token.type == "inline"
            and token.content == "Note:"
            and outer == ["ul", "li", "ul", "li"]
        ):
            tags: set[str] = set()
            stack[-2] = ("li", tags)
            found.append(tags)
        elif note is not None:
            note |= {token.tag, token.type} | {child.tag for child in token.children or ()}
        if token.nesting == 1:
            stack.append((token.tag, None))
    return found


def top_level_items(markdown: str) -> list[str]:
    """The source of each outer item's first line: one per paper if nothing escaped its item."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [
        tokens[i + 2].content.split("\n")[0]
        for i, token in enumerate(tokens)
        if token.type == "list_item_open" and token.level == 1
    ]


def test_a_note_renders_as_markdown_inside_its_item() -> None:
    text = to_markdown([entry("A *very* big_deal", NOTE), entry("Next Paper")])
    (tags,) = inside_notes(text)
    assert {"h1", "h2", "ul", "ol", "li", "strong", "code", "fence", "code_block"} <= tags
    html = MarkdownIt("commonmark").render(text)
    assert "<strong>Retrieval</strong>" in html and "<code>fine_tune()</code>" in html
    assert "**" not in html and "\\" not in html
    # The title stays escaped: its asterisks and underscore show as written.
    assert "A *very* big_deal" in html and "<em>" not in html
    assert top_level_items(text) == ["[x] A \\*very\\* big\\_deal", "[x] Next Paper"]


def test_the_note_shape() -> None:
    lines = to_markdown([entry("T", "# Why\n\n**b**  \n\tx")]).splitlines()
    start = lines.index("  - Note:")
    assert lines[start : start + 6] == [
        "  - Note:",
        "",
        "    # Why",
        "    ",
        "    **b**  ",
        "    \tx",
    ]
    assert lines[start + 6].startswith("  - Abstract: ")


def test_an_unbalanced_fence_or_indented_code_stays_inside_the_note() -> None:
    for note in ("```\nnever closed", "~~~~\n```\n", "    indented code\n", "<!-- open", "> q"):
        text = to_markdown([entry("First", note), entry("Second", note)])
        assert top_level_items(text) == ["[x] First", "[x] Second"], note
        html = MarkdownIt("commonmark").render(text)
        assert html.count("<p>Abstract: An abstract.</p>") == 2, note


TRICKY = [
    NOTE,
    "- [x] Foo\n  - Note: x\n  - Tags: a, b\n- [ ] ⭐ Bar\n  - Abstract: y",
    "Note: a\nTags: b\nAbstract: c\n# readlist: 3 papers",
    "```\nunbalanced\n\n~~~\n  - Note:\n",
    "\n\nleading and trailing blank lines\n\n",
    "  two leading spaces\ntrailing spaces   \n\ttab\tinside\t\n        eight",
    "   \n \t\nonly whitespace lines above",
    " ",
    "\n",
    "\\*escaped\\* stays escaped, <b>html</b> stays, line\u2028separator",
]


def test_every_note_reads_back_exactly() -> None:
    entries = [entry(f"Paper {i}", note) for i, note in enumerate(TRICKY)]
    found = read_markdown(to_markdown(entries), "list.md")
    assert [state.note for _, state in found] == TRICKY
    assert [paper.title for paper, _ in found] == [e.paper.title for e in entries]
    assert all(state.tags == ("ml",) and state.read for _, state in found)


def test_a_note_reads_back_from_a_file_saved_on_windows_or_trimmed_by_an_editor() -> None:
    note = "first\n\nsecond\n\n"
    text = to_markdown([entry("Title", note)])
    assert read_markdown(text.replace("\n", "\r\n"), "x.md")[0][1].note == note
    trimmed = "\n".join(line.rstrip() for line in text.split("\n"))
    assert read_markdown(trimmed, "x.md")[0][1].note == "first\n\nsecond"


def test_an_export_from_before_notes_stayed_markdown_still_reads() -> None:
    old = (
        "# readlist: 2 papers\n\n"
        "- [x] Old Paper\n"
        "  - Note: first \\*bold\\* line  \n"
        "    second \\[link\\]\n\n"
        "    \\# not a heading\n"
        "  - Abstract: Words.\n"
        "- [ ] Next\n"
        "  - Note: one line\n"
    )
    (_, first), (_, second) = read_markdown(old, "old.md")
    assert first.note == "first *bold* line  \nsecond [link]\n\n# not a heading"
    assert second.note == "one line"


def test_what_the_app_stores_is_what_comes_back() -> None:
    typed = "pasted \x1b[31mred\x1b[0m\r\nline\tand tab\n\n"
    stored = clean_state_fields({"note": typed})["note"]
    ((_, state),) = read_markdown(to_markdown([entry("T", stored)]), "x.md")
    assert state.note == stored == "pasted red\nline\tand tab\n\n"
