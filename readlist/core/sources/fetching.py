"""Fetching one source whole (every day asked for) before anything of it is imported, so a
source that fails half-way leaves nothing of itself in the library."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from readlist.core.models import Paper
from readlist.core.sources import arxiv, hf
from readlist.core.sources.http import HttpClient
from readlist.core.sources.names import SourceSpec, SourceUrls


@dataclass(frozen=True)
class Batch:
    """What one request brought: the papers of one day of a source (none on an empty day)."""

    label: str  # `hf 2026-11-30`, `arxiv:cs.CL 2026-11-30`
    day: datetime.date | None
    papers: list[Paper]


def fetch_source(
    client: HttpClient,
    spec: SourceSpec,
    days: Sequence[datetime.date],
    urls: SourceUrls,
    *,
    replacements: bool = False,
    arxiv_interval: float = arxiv.INTERVAL_S,
) -> list[Batch]:
    """Every batch of one source, or SourceError (nothing returned) if any request fails.

    Hugging Face is asked once per day; an arXiv listing once, for its latest announcement.
    """
    if spec.kind == "hf":
        return [Batch(hf.day_label(day), day, hf.fetch_day(client, urls.hf, day)) for day in days]
    papers = arxiv.fetch_listing(
        client,
        urls.arxiv_rss,
        spec.categories,
        replacements=replacements,
        interval=arxiv_interval,
    )
    day = arxiv.announcement_day(papers)
    label = f"{spec.name} {day.isoformat()}" if day else spec.name
    return [Batch(label, day, papers)]
