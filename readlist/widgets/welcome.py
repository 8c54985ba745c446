"""The welcome panel shown instead of the list while the library is empty."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

WELCOME = """\
Welcome to readlist

Your library is empty. To add papers:

  • press  i  in the app and type the path of a feed file, or
  • run    readlist import FILE   in a shell, or
  • press  L  to load the bundled sample feed (86 papers).

A feed is the plain-text copy of a Hugging Face "Daily Papers" page.
Press  ?  for every key,  ctrl+p  for the command palette,  q  to quit.
"""


class Welcome(Static):
    """How to get papers into an empty library."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text(WELCOME, end=""), id=id)
