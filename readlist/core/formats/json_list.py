"""JSON: the library documents as an array, the shape `readlist list --json` prints."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from readlist.core.models import Entry

_RAW_CONTROLS = re.compile("[\x7f-\x9f]")


def to_json(entries: Sequence[Entry]) -> str:
    """A JSON array of library documents (exactly `DOC_FIELDS`), as `readlist list --json`.

    Non-ASCII text stays readable; DEL and C1 controls, which json leaves raw and a terminal could
    act on, are written as \\u escapes like the C0 controls.
    """
    text = json.dumps([e.to_doc() for e in entries], ensure_ascii=False, indent=2) + "\n"
    return _RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
