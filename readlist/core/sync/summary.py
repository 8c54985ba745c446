"""What changed between two versions of the library, in words, for commit messages and for the
lines `readlist sync` prints: `star 6843568f00 "Attention Is All..."; note ...; 3 papers added`.

`git log` on the library's folder then reads like a history of the reading list.
"""

from __future__ import annotations

from typing import Any

import orjson

from readlist.core.library.documents import RawLibrary
from readlist.core.text import plural

SUBJECT_WIDTH = 100
TITLE_WIDTH = 24
BODY_LINES = 200


def _short(title: Any) -> str:
    text = " ".join(title.split()) if isinstance(title, str) else ""
    return text if len(text) <= TITLE_WIDTH else text[: TITLE_WIDTH - 3].rstrip() + "..."


def _content(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in ("starred", "read", "note", "tags")}


def describe_changes(before: RawLibrary, after: RawLibrary) -> list[str]:
    """One item per paper whose state changed (`star, note 6843568f00 "Title..."`), then counts
    of papers added, updated (content) and removed."""
    items: list[str] = []
    added = updated = 0
    for pid, doc in after.docs.items():
        old = before.docs.get(pid)
        if old is None:
            added += 1
            continue
        if old == doc:
            continue
        was, now = orjson.loads(old), orjson.loads(doc)
        verbs = [
            yes if now.get(name) else no
            for name, yes, no in (("starred", "star", "unstar"), ("read", "read", "unread"))
            if bool(was.get(name)) != bool(now.get(name))
        ]
        verbs += [name for name in ("note", "tags") if was.get(name) != now.get(name)]
        if verbs:
            items.append(f'{", ".join(verbs)} {pid} "{_short(now.get("title"))}"')
        if _content(was) != _content(now) or not verbs:
            updated += 1
    removed = sum(1 for pid in before.docs if pid not in after.docs)
    for count, what in ((added, "added"), (updated, "updated"), (removed, "removed")):
        if count:
            items.append(f"{plural(count, 'paper')} {what}")
    return items


def commit_message(items: list[str], fallback: str) -> tuple[str, str]:
    """(subject, body): as many items as fit on one line, then every item below it."""
    if not items:
        return fallback, ""
    subject = ""
    for index, item in enumerate(items):
        candidate = f"{subject}; {item}" if subject else item
        rest = len(items) - index - 1
        suffix = f"; and {plural(rest, 'more change')}" if rest else ""
        if subject and len(candidate) + len(suffix) > SUBJECT_WIDTH:
            subject += f"; and {plural(len(items) - index, 'more change')}"
            break
        subject = candidate
    body_items = items if len(items) > 1 else []
    body = "\n".join(body_items[:BODY_LINES])
    if len(body_items) > BODY_LINES:
        body += f"\n... and {plural(len(body_items) - BODY_LINES, 'more change')}"
    return subject, body
