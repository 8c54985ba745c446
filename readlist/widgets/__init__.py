"""Widgets of the main screen: paper list, detail pane, search bar, status line, welcome panel."""
