"""The one HTTP client every source uses, and the one error every network failure becomes.

Network text is untrusted and the network is unreliable, so every request here: times out (connect
10 s, no data for 30 s, 5 minutes in all), retries 429 and 5xx at most 3 times with exponential
backoff or the server's `Retry-After` (a wait over 60 s is not waited: the request fails and says
so), streams the body and refuses it past 50 MB while it arrives, follows redirects by hand only to
the same host and never from https to plain http, keeps to a per-host politeness interval (arXiv
asks for one request every 3 s), and can be cancelled through a `threading.Event`, checked before
each request, during waits and between chunks (a read that is blocked waits for its timeout).
Proxies come from the environment (`HTTPS_PROXY`, `NO_PROXY`, ...). Whatever goes wrong is one
`SourceError` whose message is one line naming the source and what went wrong.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata

import httpx

from readlist import __version__
from readlist.core.sources.failures import (
    SourceError,
    describe_transport_error,
    html_instead,
)

__all__ = ["Fetched", "HttpClient", "HttpSettings", "SourceError", "html_instead"]

MB = 1024 * 1024
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def _user_agent() -> str:
    """`readlist/VERSION (+URL)`: arXiv and Hugging Face ask clients to say who they are."""
    try:
        meta = metadata.metadata("readlist")
        version = meta["Version"] or __version__
        urls = [u.split(",", 1)[-1].strip() for u in meta.get_all("Project-URL") or ()]
    except metadata.PackageNotFoundError:
        version, urls = __version__, []
    contact = f"+{urls[0]}" if urls else "a terminal reading list for research papers"
    return f"readlist/{version} ({contact})"


USER_AGENT = _user_agent()


@dataclass(frozen=True)
class HttpSettings:
    """Limits of every request; tests lower the timeouts and backoff, production keeps these."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 300.0
    retries: int = 3
    backoff_s: float = 1.0  # the first retry's wait; doubles with each retry
    max_retry_wait_s: float = 60.0  # a longer Retry-After fails the request instead of waiting
    max_bytes: int = 50 * MB
    max_redirects: int = 5


@dataclass(frozen=True)
class Fetched:
    """One successful response: its body, media type and the URL it finally came from."""

    body: bytes
    content_type: str
    url: str


class PolitenessGate:
    """At most one request per `interval` seconds to each host, measured from the end of the
    previous request to that host, shared by every request of one client."""

    def __init__(self) -> None:
        self._last_done: dict[str, float] = {}
        self._lock = threading.Lock()
        self.waited_s = 0.0

    def pause_for(self, host: str, interval: float) -> float:
        """Seconds to wait before `host` may be asked again (0 if it may be asked now)."""
        with self._lock:
            last = self._last_done.get(host)
        if last is None or interval <= 0:
            return 0.0
        return max(0.0, last + interval - time.monotonic())

    def wait(self, pause: float, cancel: threading.Event) -> bool:
        """Sleep `pause` seconds (counted in `waited_s`); False if cancelled meanwhile."""
        self.waited_s += pause
        return not cancel.wait(pause)

    def done(self, host: str) -> None:
        with self._lock:
            self._last_done[host] = time.monotonic()


@dataclass(frozen=True)
class _Retry:
    status: int
    phrase: str
    retry_after: float | None


@dataclass(frozen=True)
class _Redirect:
    location: str


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP date; None if absent
    or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = datetime.now(timezone.utc).timestamp() if now is None else now
    return max(0.0, when.timestamp() - current)


def redirect_refusal(current: httpx.URL, target: httpx.URL) -> str | None:
    """Why a redirect from `current` to `target` is refused, or None if it may be followed.

    Only the same host, and never from https down to http: a feed that sends readlist elsewhere
    (another host, or plain text anyone on the path can change) is not followed silently.
    """
    if target.scheme not in ("http", "https"):
        return f"redirect to a {target.scheme or 'relative'} URL refused ({target})"
    if current.scheme == "https" and target.scheme == "http":
        return f"redirect from https to plain http refused ({target})"
    if target.host != current.host:
        return f"redirect to another host refused ({target.host}, asked for {current.host})"
    if target.scheme == current.scheme and target.port != current.port:
        return f"redirect to another port refused ({target.host}:{target.port})"
    return None


def display_url(url: httpx.URL) -> str:
    """host/path?query, for progress lines (the scheme adds nothing there)."""
    query = f"?{url.query.decode('ascii', 'replace')}" if url.query else ""
    port = f":{url.port}" if url.port else ""
    return f"{url.host}{port}{url.path}{query}"


class HttpClient:
    """GET with readlist's manners; one instance per command or fetch, used from one thread.

    `cancel` is checked before each request, during waits and between chunks of a body;
    `progress` receives one line per request (and per wait) for a progress display.
    """

    def __init__(
        self,
        settings: HttpSettings | None = None,
        *,
        cancel: threading.Event | None = None,
        progress: Callable[[str], None] | None = None,
        transport: httpx.BaseTransport | None = None,
        gate: PolitenessGate | None = None,
    ) -> None:
        self.settings = settings or HttpSettings()
        self.cancel = cancel or threading.Event()
        self.gate = gate or PolitenessGate()
        self._progress = progress
        timeout = httpx.Timeout(self.settings.read_timeout, connect=self.settings.connect_timeout)
        self._client = httpx.Client(
            timeout=timeout,
            follow_redirects=False,
            trust_env=True,
            headers={"User-Agent": USER_AGENT},
            transport=transport,
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def say(self, line: str) -> None:
        if self._progress is not None:
            self._progress(line)

    def _check_cancel(self, source: str) -> None:
        if self.cancel.is_set():
            raise SourceError(source, "cancelled", "cancelled")

    def get(
        self,
        url: str,
        source: str,
        *,
        params: Mapping[str, str] | None = None,
        accept: str = "*/*",
        interval: float = 0.0,
    ) -> Fetched:
        """The body of `url`; raises SourceError naming `source` for every failure.

        `interval` is the politeness gap for this URL's host (seconds between requests).
        """
        try:
            current = httpx.URL(url, params=params) if params else httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as error:
            raise SourceError(source, f"not a usable URL: {url} ({error})") from None
        retries = redirects = 0
        while True:
            self._check_cancel(source)
            pause = self.gate.pause_for(current.host, interval)
            if pause > 0:
                self.say(f"{source}: waiting {pause:.1f} s (one request every {interval:g} s)")
                if not self.gate.wait(pause, self.cancel):
                    raise SourceError(source, "cancelled", "cancelled")
            note = f" (retry {retries} of {self.settings.retries})" if retries else ""
            self.say(f"{source}: GET {display_url(current)}{note}")
            try:
                outcome = self._once(current, source, accept)
            finally:
                self.gate.done(current.host)
            if isinstance(outcome, Fetched):
                return outcome
            if isinstance(outcome, _Redirect):
                redirects += 1
                current = self._follow(current, outcome.location, source, redirects)
                continue
            retries += 1
            self._wait_before_retry(outcome, retries, source)

    def _follow(self, current: httpx.URL, location: str, source: str, count: int) -> httpx.URL:
        if count > self.settings.max_redirects:
            raise SourceError(source, f"more than {self.settings.max_redirects} redirects")
        try:
            target = current.join(location)
        except (httpx.InvalidURL, ValueError):
            raise SourceError(source, f"redirect to an unusable URL refused ({location})") from None
        refusal = redirect_refusal(current, target)
        if refusal:
            raise SourceError(source, refusal)
        return target

    def _wait_before_retry(self, retry: _Retry, count: int, source: str) -> None:
        status = f"HTTP {retry.status}{' ' + retry.phrase if retry.phrase else ''}"
        if count > self.settings.retries:
            raise SourceError(source, f"{status} (after {self.settings.retries} retries)")
        wait = retry.retry_after
        if wait is None:
            wait = self.settings.backoff_s * 2 ** (count - 1)
        elif wait > self.settings.max_retry_wait_s:
            limit = self.settings.max_retry_wait_s
            raise SourceError(
                source,
                f"{status}: the server asks to wait {wait:.0f} s, longer than readlist waits "
                f"({limit:g} s); try again later",
            )
        self.say(f"{source}: {status}, retry {count} of {self.settings.retries} in {wait:g} s")
        if self.cancel.wait(wait):
            raise SourceError(source, "cancelled", "cancelled")

    def _once(self, url: httpx.URL, source: str, accept: str) -> Fetched | _Retry | _Redirect:
        try:
            with self._client.stream("GET", url, headers={"Accept": accept}) as response:
                status = response.status_code
                if status in REDIRECT_STATUSES:
                    location = response.headers.get("location")
                    if not location:
                        raise SourceError(source, f"HTTP {status} redirect without a Location")
                    return _Redirect(location)
                if status == 429 or 500 <= status <= 599:
                    after = parse_retry_after(response.headers.get("retry-after"))
                    return _Retry(status, response.reason_phrase, after)
                if not 200 <= status <= 299:
                    phrase = f" {response.reason_phrase}" if response.reason_phrase else ""
                    raise SourceError(source, f"HTTP {status}{phrase} from {url.host}")
                body = self._read_capped(response, source)
                content_type = response.headers.get("content-type", "")
                return Fetched(body, content_type.split(";")[0].strip().lower(), str(url))
        except httpx.DecodingError as error:
            reason = f"the response cannot be decoded ({error})"
            raise SourceError(source, reason, "response") from None
        except httpx.HTTPError as error:
            limits = (self.settings.connect_timeout, self.settings.read_timeout)
            reason = describe_transport_error(error, url, *limits)
            raise SourceError(source, reason) from None

    def _read_capped(self, response: httpx.Response, source: str) -> bytes:
        """The body, refused as soon as it passes `max_bytes` (never read whole first)."""
        limit = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise SourceError(source, _too_large(int(declared), limit), "response")
        deadline = time.monotonic() + self.settings.total_timeout
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():  # as each read arrives: a cancel is seen at once
            size += len(chunk)
            if size > limit:
                raise SourceError(source, _too_large(size, limit, more=True), "response")
            chunks.append(chunk)
            self._check_cancel(source)
            if time.monotonic() > deadline:
                took = self.settings.total_timeout
                raise SourceError(source, f"timed out: the response took over {took:g} s")
        return b"".join(chunks)


def _too_large(size: int, limit: int, more: bool = False) -> str:
    over = "over " if more else ""
    return (
        f"response too large ({over}{size / MB:.1f} MB; readlist takes at most {limit / MB:g} MB)"
    )
