"""CSV for spreadsheets: one row per paper, safe from formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from readlist.core.models import DOC_FIELDS, Entry

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    text = "; ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    # A cell starting like a formula would run in a spreadsheet (CSV injection); quote it away.
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(entries: Sequence[Entry]) -> str:
    """RFC 4180 CSV: a header row of `DOC_FIELDS`, one row per paper, CRLF line ends.

    Lists (links, tags) are joined with "; ". A cell that starts with =, +, -, @ gets a leading
    apostrophe so a spreadsheet shows it instead of evaluating it.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(DOC_FIELDS)
    for entry in entries:
        doc = entry.to_doc()
        writer.writerow([_csv_cell(doc[name]) for name in DOC_FIELDS])
    return buffer.getvalue()
