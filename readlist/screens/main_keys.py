"""The main screen's keys: one-key actions on the paper under the cursor and the list.

Each binding has an id (the name `[keys]` in the config rebinds it) and a description; the help
screen, the footer and the command palette are all built from this list.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

SEARCH_BINDINGS: list[Binding] = [
    Binding(
        str(number),
        f"saved_search({number})",
        f"Saved search {number}",
        show=False,
        id=f"saved_search_{number}",  # `[keys]` in the config can rebind them by these ids
        priority=True,
    )
    for number in range(1, 10)
]
"""The keys 1-9: the saved searches of the config's `[searches]`, in file order."""

MAIN_BINDINGS: list[BindingType] = [
    Binding(
        "slash",
        "focus_search",
        "Search",
        tooltip="Search (type a query)",
        id="focus_search",
        priority=True,  # see MoveActions.action_focus_search
    ),
    Binding("s", "toggle_star", "Star", tooltip="Star / unstar", id="toggle_star"),
    Binding("m", "toggle_read", "Read", tooltip="Mark read / unread", id="toggle_read"),
    Binding(
        "a",
        "annotate",
        "Note",
        tooltip="Write a note (ctrl+s saves)",
        id="annotate",
        priority=True,  # see action_annotate
    ),
    Binding(
        "t",
        "edit_tags",
        "Tags",
        tooltip="Edit tags (comma separated)",
        id="edit_tags",
        priority=True,  # see ChangeActions.action_edit_tags
    ),
    Binding("c,y", "copy_github", "Copy", tooltip="Copy the GitHub link", id="copy_github"),
    Binding("u", "undo", "Undo", tooltip="Undo the last change", id="undo"),
    Binding(
        "f",
        "cycle_filter",
        "Filter",
        tooltip="Filter: all, unread, starred, with code",
        id="cycle_filter",
    ),
    Binding(
        "S",
        "cycle_sort",
        "Sort",
        tooltip="Sort: relevance (while searching), feed order, title, starred, unread, upvotes",
        show=False,
        id="cycle_sort",
    ),
    Binding(
        "R",
        "related",
        "Related papers",
        tooltip="Related papers: the papers most like this one (esc: back)",
        show=False,
        id="related",
    ),
    Binding("n", "next_unread", "Next unread", show=False, id="next_unread"),
    Binding("enter", "open", "Open the paper (detail pane)", show=False, id="open"),
    Binding("tab", "switch_pane", "Switch between list and detail", show=False, id="switch_pane"),
    Binding("escape", "back", "Back / leave related papers / clear search", show=False, id="back"),
    Binding("e", "edit_external", "Edit note in $EDITOR", show=False, id="edit_external"),
    Binding("C", "copy_first_link", "Copy first link", show=False, id="copy_first_link"),
    Binding("o", "open_in_browser", "Open link in browser", show=False, id="open_in_browser"),
    Binding("i", "import_feed", "Import a feed file", show=False, id="import_feed", priority=True),
    Binding("L", "load_sample", "Load the sample feed", show=False, id="load_sample"),
    Binding(
        "x", "export", "Export the shown list (md, bibtex, csv, json)", show=False, id="export"
    ),
    Binding(
        "F",
        "fetch",
        "Fetch",
        tooltip="Fetch today's papers from [fetch] sources (again or esc: cancel)",
        show=False,
        id="fetch",
    ),
    Binding(
        "A",
        "add_papers",
        "Add papers by arXiv id or URL",
        show=False,
        id="add_papers",
        priority=True,
    ),
    # In the search bar, Enter and Esc move the focus before the keys after them are read.
    Binding(
        "enter",
        "search_done",
        "Search bar: back to the list, keeping the search",
        show=False,
        id="search_done",
        priority=True,
    ),
    Binding(
        "escape",
        "search_cancel",
        "Search bar: clear the search",
        show=False,
        id="search_cancel",
        priority=True,
    ),
    Binding("b", "copy_bibtex", "Copy the BibTeX entry", show=False, id="copy_bibtex"),
    # Priority bindings: they run as the app reads the key, so keys typed after them act on
    # what they show (main_triage.py); in the search bar they are letters and digits.
    Binding(
        "M",
        "mark_all_read",
        "Mark all shown read",
        tooltip="Mark every shown paper read (all read already: unread), after a yes",
        show=False,
        id="mark_all_read",
        priority=True,
    ),
    Binding(
        "U",
        "mark_all_unread",
        "Mark all shown unread",
        tooltip="Mark every shown paper unread, after a yes",
        show=False,
        id="mark_all_unread",
        priority=True,
    ),
    *SEARCH_BINDINGS,
]
