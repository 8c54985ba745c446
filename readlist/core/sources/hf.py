"""Hugging Face Daily Papers: `GET {HF}/api/daily_papers?date=YYYY-MM-DD`, one request a day.

The answer is a bare JSON array, empty on days without papers (weekends, holidays): that is an
answer, not an error. The reader (`formats.hf_daily.parse`) is injected so that tests and other
callers can read with their own; by default it is the library's.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from readlist.core.errors import FeedError
from readlist.core.models import Paper
from readlist.core.sources.failures import SourceError, html_instead
from readlist.core.sources.http import HttpClient

HfReader = Callable[[bytes, str, "datetime.date | None"], list[Paper]]


def daily_papers_url(base_url: str) -> str:
    return base_url.rstrip("/") + "/api/daily_papers"


def day_label(day: datetime.date) -> str:
    """How messages name one day of this source: `hf 2026-11-30`."""
    return f"hf {day.isoformat()}"


def is_empty_array(body: bytes) -> bool:
    """`[]` (with any whitespace): the answer for a day without papers."""
    stripped = body.strip()
    return stripped.startswith(b"[") and stripped.endswith(b"]") and not stripped[1:-1].strip()


def _default_reader(data: bytes, source: str, day: datetime.date | None) -> list[Paper]:
    from readlist.core.formats import hf_daily

    return hf_daily.parse(data, source, day)


def fetch_day(
    client: HttpClient, base_url: str, day: datetime.date, reader: HfReader | None = None
) -> list[Paper]:
    """The papers Hugging Face lists for `day` ([] for a day without papers); SourceError if the
    request fails or the answer is not a Daily Papers array."""
    label = day_label(day)
    fetched = client.get(
        daily_papers_url(base_url),
        label,
        params={"date": day.isoformat()},
        accept="application/json",
    )
    wrong = html_instead(fetched.body, "JSON")
    if wrong:
        raise SourceError(label, wrong, "response")
    if is_empty_array(fetched.body):
        return []
    try:
        return (reader or _default_reader)(fetched.body, label, day)
    except FeedError as error:
        raise SourceError.from_feed_error(label, error) from None
