"""Writers that hand papers to the researcher's other tools: notes apps, LaTeX, spreadsheets.

Each writer takes entries in the order to write them and returns the whole text, so the command
line and the app's `x` key share one implementation and a test can check the exact output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from readlist.core.formats.bibtex import to_bibtex
from readlist.core.formats.csv_table import to_csv
from readlist.core.formats.json_list import to_json
from readlist.core.formats.markdown import to_markdown
from readlist.core.models import Entry

FORMATS: dict[str, Callable[[Sequence[Entry]], str]] = {
    "md": to_markdown,
    "bibtex": to_bibtex,
    "csv": to_csv,
    "json": to_json,
}
"""Export format name (as `--format` takes it) -> writer."""

EXTENSIONS = {"md": ".md", "bibtex": ".bib", "csv": ".csv", "json": ".json"}


def export_entries(entries: Sequence[Entry], format_name: str) -> str:
    """The entries written in `format_name` (a key of FORMATS; ValueError otherwise)."""
    try:
        writer = FORMATS[format_name]
    except KeyError:
        known = ", ".join(FORMATS)
        raise ValueError(f"unknown export format {format_name!r}: use {known}") from None
    return writer(entries)
