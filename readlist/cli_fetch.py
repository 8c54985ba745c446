"""`readlist fetch` and `readlist add`: papers straight from Hugging Face and arXiv.

Each source is fetched whole (every day asked for) before anything of it is imported, so a source
that fails leaves the library byte-for-byte as it was, while sources that succeeded are kept.
Exit statuses (also in the README and `--help`):

    0  everything asked for came in (a day without papers is not a failure)
    2  bad arguments, config value or library (as for every readlist command)
    3  network or HTTP failure: offline, DNS, timeout, an HTTP error status, a refused redirect
    4  a bad response: not JSON, not a feed, too large
    5  `add`: some ids are not on arXiv (the others were added)
  130  interrupted (Ctrl-C) or cancelled

With several sources failing, the status is the first failure's. httpx is imported only when a
fetch runs, so the other commands start without it.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from readlist.core.library import Library
from readlist.core.sources.names import (
    SourceSpec,
    SourceSpecError,
    SourceUrls,
    arxiv_ids_asked,
    days_asked,
    parse_source,
)
from readlist.core.text import clean_text
from readlist.paths import default_library_path

if TYPE_CHECKING:
    import httpx

    from readlist.core.sources.http import HttpClient, HttpSettings, SourceError

EXIT_OK = 0
EXIT_NETWORK = 3
EXIT_RESPONSE = 4
EXIT_NOT_FOUND = 5
EXIT_CANCELLED = 130

EXIT_HELP = (
    "Exit status: 0 done (a day without papers is not a failure); 2 bad arguments, config or "
    "library; 3 network or HTTP failure; 4 bad response (not JSON, not a feed, too large); "
    "5 (add) some ids not on arXiv; 130 interrupted. A source that fails adds nothing."
)


class FetchUsageError(Exception):
    """A fetch or add that cannot be carried out as given (exit status 2, like a usage error)."""


@dataclass
class Network:
    """What the commands' HTTP client uses. Production keeps the defaults (arXiv's 3 s interval,
    30 s read timeout); tests lower them through `readlist.cli_fetch.NETWORK`."""

    settings: HttpSettings | None = None
    arxiv_interval: float | None = None
    transport: httpx.BaseTransport | None = None


NETWORK = Network()


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def add_commands(commands: Any, add_db: Any) -> None:
    """Add `fetch` and `add` to readlist's subcommand parsers (`commands`)."""
    fetcher = commands.add_parser(
        "fetch",
        help="fetch papers from Hugging Face Daily Papers or arXiv listings",
        description="Fetch papers and import them; prints what came in per source and day.",
        epilog="SOURCE: hf (Hugging Face Daily Papers, one request per day) or arxiv:CAT[+CAT...] "
        "(an arXiv RSS listing, e.g. arxiv:cs.CL+cs.LG: its latest announcement only). Base "
        "URLs: $READLIST_HF_URL, $READLIST_ARXIV_RSS_URL, else [fetch] in the config. " + EXIT_HELP,
    )
    add_db(fetcher)
    fetcher.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help="hf or arxiv:CAT[+CAT...] (default: the config's [fetch] sources, else hf)",
    )
    when = fetcher.add_mutually_exclusive_group()
    when.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="that day only")
    when.add_argument("--since", type=_date, metavar="YYYY-MM-DD", help="that day up to today")
    when.add_argument("--days", type=int, metavar="N", help="the last N days, today included")
    fetcher.add_argument(
        "--replacements",
        action="store_true",
        help="arXiv listings: also papers replaced by a new version (default: new and cross-lists)",
    )
    adder = commands.add_parser(
        "add",
        help="add papers by arXiv id or URL (one request for many)",
        description="Add papers from the arXiv API by id or URL: 2403.01234, arXiv:2403.01234v2, "
        "https://arxiv.org/abs/..., https://arxiv.org/pdf/...v2, "
        "https://huggingface.co/papers/2403.01234, hep-th/9901001.",
        epilog="Base URL: $READLIST_ARXIV_API_URL, else [fetch] arxiv_api_url. " + EXIT_HELP,
    )
    add_db(adder)
    adder.add_argument("ids", nargs="+", metavar="ID_OR_URL", help="arXiv id or URL")


# ----------------------------------------------------------------- shared parts


class _Progress:
    """One progress line on a terminal's stderr, rewritten in place (`\\r`), cleared before any
    other output; nothing at all when stderr is not a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = False

    def __call__(self, line: str) -> None:
        width = shutil.get_terminal_size((80, 24)).columns
        self.stream.write("\r\x1b[K" + clean_text(line)[: max(10, width - 1)])
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


def _progress_for(err: TextIO) -> _Progress | None:
    isatty = getattr(err, "isatty", None)
    return _Progress(err) if isatty is not None and isatty() else None


def _client(progress: _Progress | None) -> HttpClient:
    from readlist.core.sources.http import HttpClient

    return HttpClient(NETWORK.settings, progress=progress, transport=NETWORK.transport)


def _arxiv_interval() -> float:
    from readlist.core.sources import arxiv

    return arxiv.INTERVAL_S if NETWORK.arxiv_interval is None else NETWORK.arxiv_interval


def _library_path(args: argparse.Namespace) -> Path:
    db = getattr(args, "db", None)
    return Path(db) if db else default_library_path()


def _urls(configured: dict[str, str | None]) -> SourceUrls:
    try:
        return SourceUrls.resolve(os.environ, configured)
    except SourceSpecError as error:
        raise FetchUsageError(str(error)) from None


def _status(error: SourceError) -> int:
    return {"network": EXIT_NETWORK, "response": EXIT_RESPONSE}.get(error.kind, EXIT_CANCELLED)


class _LibraryWhenNeeded:
    """Opens the library for the first import only: a fetch whose every source fails never
    creates a library file that was not there, nor touches one that was."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.library: Library | None = None
        if path.exists():  # an unreadable library fails before any request is made
            self.library = Library.open(path)

    def get(self) -> Library:
        if self.library is None:
            self.library = Library.open(self.path)
        return self.library

    def close(self) -> None:
        if self.library is not None:
            self.library.close()


# ----------------------------------------------------------------- fetch


def _sources(args: argparse.Namespace, configured: tuple[str, ...]) -> list[SourceSpec]:
    names = args.sources or list(configured)
    if not names:
        raise FetchUsageError("nothing to fetch: name a SOURCE or set [fetch] sources")
    specs: dict[SourceSpec, None] = {}
    try:
        for name in names:
            specs.setdefault(parse_source(name), None)
    except SourceSpecError as error:
        raise FetchUsageError(str(error)) from None
    return list(specs)


def cmd_fetch(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from readlist.config import load_config
    from readlist.core.sources.fetching import fetch_source
    from readlist.core.sources.http import SourceError
    from readlist.paths import config_path

    config, warnings = load_config(config_path())
    for warning in warnings:
        print(f"readlist: {warning}", file=err)
    specs = _sources(args, config.fetch.sources)
    urls = _urls(config.fetch.urls())
    today = datetime.datetime.now(datetime.timezone.utc).date()  # Daily Papers days are UTC
    try:
        days = days_asked(today, args.date, args.since, args.days)
    except SourceSpecError as error:
        raise FetchUsageError(str(error)) from None
    ranged = args.date or args.since or args.days is not None
    for spec in specs:
        if spec.kind == "arxiv" and ranged:
            print(
                f"readlist: {spec.name}: arXiv's RSS feed holds only the latest announcement; "
                "--date, --since and --days apply to hf",
                file=err,
            )
    status = EXIT_OK
    progress = _progress_for(err)
    opened = _LibraryWhenNeeded(_library_path(args))
    try:
        with _client(progress) as client:
            for spec in specs:
                try:
                    batches = fetch_source(
                        client,
                        spec,
                        days,
                        urls,
                        replacements=args.replacements,
                        arxiv_interval=_arxiv_interval(),
                    )
                except SourceError as error:
                    if progress:
                        progress.clear()
                    print(f"readlist: {error}", file=err)
                    status = status or _status(error)
                    if error.kind == "cancelled":
                        break
                    continue
                if progress:
                    progress.clear()
                for batch in batches:
                    if not batch.papers:
                        when = "that day" if spec.kind == "hf" else "in the latest announcement"
                        print(f"{batch.label}: no papers {when} (weekend or holiday)", file=out)
                        continue
                    result = opened.get().import_papers(batch.papers, batch.label)
                    print(result.summary(), file=out)
    finally:
        if progress:
            progress.clear()
        opened.close()
    return status


# ----------------------------------------------------------------- add


def wanted_ids(arguments: list[str]) -> list[str]:
    """arXiv ids without versions (see `names.arxiv_ids_asked`); FetchUsageError (exit 2)
    naming the first argument that is not an arXiv id or URL, before any request is made."""
    try:
        return arxiv_ids_asked(arguments)
    except SourceSpecError as error:
        raise FetchUsageError(str(error)) from None


def cmd_add(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from readlist.config import load_config
    from readlist.core.sources.arxiv import API_LABEL, fetch_ids
    from readlist.core.sources.http import SourceError
    from readlist.paths import config_path

    ids = wanted_ids(args.ids)
    config, warnings = load_config(config_path())
    for warning in warnings:
        print(f"readlist: {warning}", file=err)
    urls = _urls(config.fetch.urls())
    progress = _progress_for(err)
    opened = _LibraryWhenNeeded(_library_path(args))
    try:
        with _client(progress) as client:
            papers = fetch_ids(client, urls.arxiv_api, ids, interval=_arxiv_interval())
        if progress:
            progress.clear()
        if papers:
            print(opened.get().import_papers(papers, API_LABEL).summary(), file=out)
    except SourceError as error:
        if progress:
            progress.clear()
        print(f"readlist: {error}", file=err)
        return _status(error)
    finally:
        opened.close()
    found = {paper.arxiv_id for paper in papers}
    missing = [arxiv_id for arxiv_id in ids if arxiv_id not in found]
    if missing:
        print(
            f"readlist: {API_LABEL}: not found: {', '.join(missing)} "
            "(the arXiv API returned no such paper)",
            file=err,
        )
        return EXIT_NOT_FOUND
    return EXIT_OK
