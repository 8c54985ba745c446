"""What a change to the library may be: state values checked before they are written, and the
content a re-import leaves behind. Kept apart from the Library so the rules read on their own."""

from __future__ import annotations

from typing import Any

from readlist.core.models import STATE_FIELDS, Paper, normalise_tags


def clean_state_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise state values, so nothing odd ever reaches the journal."""
    unknown = set(fields) - set(STATE_FIELDS)
    if unknown:
        raise ValueError(f"not state fields: {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if name in ("starred", "read"):
            values[name] = bool(value)
        elif name == "note":
            if not isinstance(value, str):
                raise TypeError("a note must be text")
            values[name] = value
        else:
            if isinstance(value, str):
                raise TypeError("tags must be a sequence of strings, not one string")
            values[name] = normalise_tags(value)
    return values


def merge_content(old: Paper, new: Paper) -> Paper:
    """The content after re-importing `new` over `old`: fresher text and links, the first day.

    A later feed that lacks something (no GitHub link, an empty abstract) never erases it, and the
    paper keeps the feed it first came from.
    """
    if new.abstract:
        abstract, links = new.abstract, new.links
    else:
        abstract, links = old.abstract, old.links
    return Paper(
        id=old.id,
        title=new.title or old.title,
        abstract=abstract,
        date=old.date or new.date,
        github=new.github or old.github,
        links=links,
        source=old.source or new.source,
    )
