"""The one error of fetching, and the words for what went wrong: every failure on the way (offline,
DNS, refused, timeout, TLS, proxy) or in what came back (an HTML page instead of the feed, a
reader's FeedError) becomes one `SourceError` line naming the source."""

from __future__ import annotations

import errno
import re
import socket
import ssl
from typing import Literal

import httpx

from readlist.core.errors import FeedError

Kind = Literal["network", "response", "cancelled"]


class SourceError(Exception):
    """A fetch that failed; str(error) is one line: `<source>: <what went wrong>`.

    `kind` tells the command line which exit status to use: "network" (offline, DNS, timeout, an
    HTTP error status, a refused redirect), "response" (an answer that is not what the source
    serves: not JSON, not a feed, too large) or "cancelled" (the caller's cancel event was set).
    """

    def __init__(self, source: str, reason: str, kind: Kind = "network") -> None:
        self.source = source
        self.reason = " ".join(reason.split())
        self.kind: Kind = kind
        super().__init__(f"{source}: {self.reason}" if source else self.reason)

    @classmethod
    def from_feed_error(cls, source: str, error: FeedError) -> SourceError:
        """A reader's FeedError as a bad response, without naming the source twice."""
        message = " ".join(str(error).split())
        if message.startswith(f"{source}: "):
            message = message[len(source) + 2 :]
        return cls(source, message, "response")


def _causes(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def describe_transport_error(
    error: httpx.HTTPError, url: httpx.URL, connect_timeout: float, read_timeout: float
) -> str:
    """One line saying what went wrong on the way: offline, DNS, refused, timeout, TLS, proxy."""
    host = url.host
    if isinstance(error, httpx.ConnectTimeout):
        return f"timed out connecting to {host} (no answer in {connect_timeout:g} s)"
    if isinstance(error, httpx.ReadTimeout):
        return f"timed out: {host} sent nothing for {read_timeout:g} s"
    if isinstance(error, httpx.TimeoutException):
        return f"timed out talking to {host}"
    if isinstance(error, httpx.ProxyError):
        return f"the proxy failed ({error}); check HTTPS_PROXY / HTTP_PROXY"
    causes = _causes(error)
    for cause in causes:
        if isinstance(cause, socket.gaierror):
            return f"DNS lookup for {host} failed (offline, or no such host: {cause.strerror})"
        if isinstance(cause, ConnectionRefusedError):
            port = url.port or (443 if url.scheme == "https" else 80)
            return f"connection refused by {host}:{port} (offline, or the server is down)"
        if isinstance(cause, ssl.SSLError):
            return f"secure connection to {host} failed ({cause.reason or cause})"
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return f"cannot reach {host}: the network is unreachable (offline?)"
    if isinstance(error, httpx.ConnectError):
        return f"cannot connect to {host} ({error or type(error).__name__})"
    if isinstance(error, httpx.RemoteProtocolError):
        return f"{host} broke off the response ({error})"
    return f"network error talking to {host} ({type(error).__name__}: {error})"


_TITLE = re.compile(rb"<title[^>]*>(.{0,200}?)</title", re.IGNORECASE | re.DOTALL)


def html_instead(body: bytes, expected: str) -> str | None:
    """If `body` is an HTML page (an error or login page served with 200), say so; else None."""
    head = body[:2048].lstrip().lower()
    if not (head.startswith((b"<!doctype html", b"<html")) or b"<body" in head):
        return None
    found = _TITLE.search(body[:65536])
    title = " ".join(found.group(1).decode("utf-8", "replace").split()) if found else ""
    shown = f" ({title[:80]!r})" if title else ""
    return f"expected {expected}, got an HTML page{shown}"
