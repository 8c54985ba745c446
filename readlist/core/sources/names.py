"""What the user asks to fetch: the sources (`hf`, `arxiv:cs.CL+cs.LG`), their base URLs and the
days. No network here, and no httpx import: the config file and the app's start use these names.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from readlist.core.arxiv_ids import parse_arxiv_id

DEFAULT_HF_URL = "https://huggingface.co"
DEFAULT_ARXIV_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_ARXIV_RSS_URL = "https://rss.arxiv.org/rss"
#: Environment variables that set the base URLs; they win over the config file.
ENV_HF_URL = "READLIST_HF_URL"
ENV_ARXIV_API_URL = "READLIST_ARXIV_API_URL"
ENV_ARXIV_RSS_URL = "READLIST_ARXIV_RSS_URL"
#: The longest range one fetch asks for, one request per day.
MAX_DAYS = 366

_CATEGORY = re.compile(r"^[a-z][a-z-]*(\.[A-Za-z][A-Za-z-]*)?$")


class SourceSpecError(ValueError):
    """A source name, URL or range that cannot be used; str(e) is one line."""


@dataclass(frozen=True)
class SourceSpec:
    """One source to fetch: Hugging Face Daily Papers, or arXiv listings of some categories."""

    kind: Literal["hf", "arxiv"]
    categories: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return "hf" if self.kind == "hf" else "arxiv:" + "+".join(self.categories)


def parse_source(text: str) -> SourceSpec:
    """`hf` or `arxiv:CAT[+CAT...]` (`arxiv:cs.CL+cs.LG`, `arxiv:hep-th`)."""
    cleaned = text.strip()
    if cleaned.lower() in ("hf", "huggingface"):
        return SourceSpec("hf")
    if cleaned.lower().startswith("arxiv:"):
        categories = tuple(c.strip() for c in cleaned[6:].split("+"))
        bad = [c for c in categories if not _CATEGORY.match(c)]
        if not bad and categories:
            return SourceSpec("arxiv", categories)
        shown = ", ".join(repr(c) for c in bad) or "none given"
        raise SourceSpecError(
            f"{text!r}: not an arXiv category ({shown}); e.g. arxiv:cs.CL or arxiv:cs.CL+cs.LG"
        )
    raise SourceSpecError(f"{text!r}: unknown source (use hf or arxiv:CATEGORY, e.g. arxiv:cs.CL)")


def check_base_url(url: str, where: str) -> str:
    """A base URL as given, if it is an absolute http(s) URL; else SourceSpecError naming it."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceSpecError(f"{where}: {url!r} is not an http(s) URL")
    return url.strip()


@dataclass(frozen=True)
class SourceUrls:
    """The base URL of each endpoint."""

    hf: str = DEFAULT_HF_URL
    arxiv_api: str = DEFAULT_ARXIV_API_URL
    arxiv_rss: str = DEFAULT_ARXIV_RSS_URL

    @classmethod
    def resolve(
        cls, environ: Mapping[str, str], configured: Mapping[str, str | None] | None = None
    ) -> SourceUrls:
        """The environment wins over the config file (`hf_url`, `arxiv_api_url`,
        `arxiv_rss_url`), which wins over the defaults: a test, a mirror or a one-off
        `READLIST_HF_URL=... readlist fetch` never needs the config edited."""
        configured = configured or {}
        found: dict[str, str] = {}
        for field, env, key in (
            ("hf", ENV_HF_URL, "hf_url"),
            ("arxiv_api", ENV_ARXIV_API_URL, "arxiv_api_url"),
            ("arxiv_rss", ENV_ARXIV_RSS_URL, "arxiv_rss_url"),
        ):
            if environ.get(env, "").strip():
                found[field] = check_base_url(environ[env], f"${env}")
            elif configured.get(key):
                found[field] = check_base_url(str(configured[key]), f"[fetch] {key}")
        return cls(**found)


def days_asked(
    today: datetime.date,
    date: datetime.date | None = None,
    since: datetime.date | None = None,
    days: int | None = None,
) -> list[datetime.date]:
    """The days to fetch, oldest first: one `date`, `since` up to today, the last `days` days
    (today included), or today."""
    if date is not None:
        if date > today:
            raise SourceSpecError(f"--date {date}: that is after today ({today}, UTC)")
        return [date]
    if since is not None:
        if since > today:
            raise SourceSpecError(f"--since {since}: that is after today ({today}, UTC)")
        count = (today - since).days + 1
    else:
        count = 1 if days is None else days
        if count < 1:
            raise SourceSpecError(f"--days {count}: give a number of days of at least 1")
    if count > MAX_DAYS:
        raise SourceSpecError(f"{count} days asked for: at most {MAX_DAYS} in one fetch")
    return [today - datetime.timedelta(days=n) for n in range(count - 1, -1, -1)]


def arxiv_ids_asked(arguments: Sequence[str]) -> list[str]:
    """arXiv ids without versions, in the order given, once each; SourceSpecError naming the
    first argument that is not an arXiv id or URL."""
    ids: dict[str, None] = {}
    for argument in arguments:
        parsed = parse_arxiv_id(argument)
        if parsed is None:
            raise SourceSpecError(
                f"{argument!r}: not an arXiv id or URL (e.g. 2403.01234, arXiv:2403.01234v2, "
                "https://arxiv.org/abs/2403.01234, hep-th/9901001)"
            )
        ids.setdefault(parsed[0], None)
    return list(ids)
