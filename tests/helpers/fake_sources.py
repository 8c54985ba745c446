"""A local stand-in for Hugging Face and arXiv: an HTTP server on 127.0.0.1 (port 0) that answers
with hand-made responses in the real shapes, or with faults, and records every request.

The shapes follow the recorded responses in ../shared/real-feeds (HF `/api/daily_papers` items,
arXiv API Atom entries, arXiv RSS 2.0 items); nothing here is copied from them.
"""

from __future__ import annotations

import datetime
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

# ----------------------------------------------------------------- the server


@dataclass
class Reply:
    """One response: status, headers, a body (bytes, or chunks produced while sending), and
    optionally a stall after the headers (for read timeouts)."""

    status: int = 200
    body: bytes | Callable[[], Iterable[bytes]] = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"
    stall_s: float = 0.0
    length: bool = True  # send Content-Length (False: the body ends when the connection closes)


@dataclass
class Seen:
    """A request the server received."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    at: float
    target: str  # the request line's target as sent (an absolute URL through a proxy)


Handler = Callable[[Seen], Reply]


class FakeServer:
    """Answers `path` (or `path?query`) with its replies in order (the last one repeats), or
    with a handler's reply; anything else is a 404. Start with `with FakeServer() as server:`."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.routes: dict[str, list[Reply] | Handler] = {}
        self.seen: list[Seen] = []
        self.bytes_sent = 0
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, 0), _make_handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def route(self, path: str, *replies: Reply) -> None:
        self.routes[path] = list(replies)

    def handle(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._server.shutdown()
        self._server.server_close()

    def reply_for(self, seen: Seen, raw_query: str) -> Reply:
        with self._lock:
            self.seen.append(seen)
            route = self.routes.get(f"{seen.path}?{raw_query}") or self.routes.get(seen.path)
            if route is None:
                return Reply(404, b"not found", content_type="text/plain")
            if callable(route):
                handler = route
            else:
                return route.pop(0) if len(route) > 1 else route[0]
        return handler(seen)


def _make_handler(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # the connection closes after each response

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            seen = Seen(
                parts.path,
                parse_qs(parts.query),
                {k.lower(): v for k, v in self.headers.items()},
                time.monotonic(),
                self.path,
            )
            reply = server.reply_for(seen, parts.query)
            body = reply.body if isinstance(reply.body, bytes) else None
            chunks: Iterable[bytes] = [body] if body is not None else ()
            if callable(reply.body):
                chunks = reply.body()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                if body is not None and reply.length:
                    self.send_header("Content-Length", str(len(body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.flush()
                if reply.stall_s and server.stop.wait(reply.stall_s):
                    return
                for chunk in chunks:
                    self.wfile.write(chunk)
                    server.bytes_sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (too large, timed out): that is the point

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def zeros(total: int, chunk: int = 1024 * 1024) -> Callable[[], Iterator[bytes]]:
    """A body of `total` bytes made while sending: one chunk in memory at a time."""

    def produce() -> Iterator[bytes]:
        block = b" " * chunk
        sent = 0
        while sent < total:
            part = block[: min(chunk, total - sent)]
            sent += len(part)
            yield part

    return produce


# ----------------------------------------------------------------- Hugging Face shapes


@dataclass(frozen=True)
class Fake:
    """One paper as the fixtures describe it."""

    arxiv_id: str
    title: str
    abstract: str
    authors: tuple[str, ...] = ("Ada Lovelace", "Alan Turing")
    upvotes: int = 7
    github: str | None = None
    project: str | None = None


def hf_item(paper: Fake, day: datetime.date, n: int = 0) -> dict[str, Any]:
    """A `/api/daily_papers` item in the 2025-26 shape (optional fields left out, never null)."""
    stamp = f"{day.isoformat()}T00:00:00.000Z"
    inner: dict[str, Any] = {
        "id": paper.arxiv_id,
        "authors": [
            {"_id": f"6a87afc589e517cbfd75{n:04x}{i:02x}", "name": name, "hidden": False}
            for i, name in enumerate(paper.authors)
        ],
        "publishedAt": f"{(day - datetime.timedelta(days=1)).isoformat()}T00:00:00.000Z",
        "submittedOnDailyAt": stamp,
        "title": paper.title,
        "summary": paper.abstract,
        "upvotes": paper.upvotes,
        "discussionId": f"6a87afc589e517cbfd75{n:04x}ff",
    }
    if paper.project:
        inner["projectPage"] = paper.project
    if paper.github:
        inner["githubRepo"] = paper.github
        inner["githubRepoAddedBy"] = "user"
    return {
        "paper": inner,
        "publishedAt": f"{(day - datetime.timedelta(days=1)).isoformat()}T20:00:00.000Z",
        "title": paper.title,
        "summary": paper.abstract,
        "thumbnail": f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{paper.arxiv_id}.png",
        "numComments": 1,
        "submittedBy": {"_id": "6039478ab3ecf716b1a5fd4d", "name": "reader", "type": "user"},
        "isAuthorParticipating": False,
    }


def hf_day(papers: Iterable[Fake], day: datetime.date) -> bytes:
    return json.dumps([hf_item(p, day, n) for n, p in enumerate(papers)], indent=2).encode()


def many(count: int, start: int = 0, prefix: str = "2611") -> list[Fake]:
    """`count` distinct papers (ids `2611.0NNNN`), for bulk fixtures and benchmarks."""
    words = ["sparse", "diffusion", "agents", "retrieval", "video", "reasoning", "graphs"]
    return [
        Fake(
            f"{prefix}.{i:05d}",
            f"Paper {i}: {words[i % 7]} {words[(i * 3) % 7]} at scale",
            f"We study {words[i % 7]} for {words[(i * 5) % 7]}. " * 40 + f"({i})",
            authors=(f"Author {i} A", f"Author {i} B", f"Author {i} C"),
            upvotes=i % 50,
            github=f"https://github.com/lab{i}/repo{i}" if i % 4 == 0 else None,
        )
        for i in range(start, start + count)
    ]


# ----------------------------------------------------------------- arXiv shapes

PDF_TYPE = 'type="application/pdf" title="pdf"'
SPACE = " "  # arXiv's RSS descriptions have a space before the line break


def atom_feed(papers: Iterable[Fake], published: str = "2024-03-02T17:59:01Z") -> bytes:
    """An arXiv API response (Atom) holding these papers, versioned ids as arXiv writes them."""
    entries = []
    for paper in papers:
        authors = "".join(
            f"\n    <author>\n      <name>{escape(a)}</name>\n    </author>" for a in paper.authors
        )
        entries.append(
            f"""  <entry>
    <id>http://arxiv.org/abs/{paper.arxiv_id}v2</id>
    <title>{escape(paper.title)}</title>
    <updated>2024-03-09T10:00:00Z</updated>
    <link href="https://arxiv.org/abs/{paper.arxiv_id}v2" rel="alternate" type="text/html"/>
    <link href="https://arxiv.org/pdf/{paper.arxiv_id}v2" rel="related" {PDF_TYPE}/>
    <summary>{escape(paper.abstract)}</summary>
    <category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <published>{published}</published>
    <arxiv:comment>12 pages, 3 figures</arxiv:comment>
    <arxiv:primary_category term="cs.CL"/>{authors}
  </entry>
"""
        )
    return (
        """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"
 xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/fake</id>
  <title>arXiv Query: id_list</title>
  <updated>2024-03-10T00:00:00Z</updated>
  <opensearch:itemsPerPage>100</opensearch:itemsPerPage>
"""
        + "".join(entries)
        + "</feed>\n"
    ).encode()


def rss_feed(
    items: Iterable[tuple[Fake, str]], categories: str, day: str = "Mon, 30 Nov 2026"
) -> bytes:
    """An arXiv RSS 2.0 listing; each item is (paper, announce type: new/cross/replace)."""
    body = []
    for paper, kind in items:
        body.append(
            f"""    <item>
      <title>{escape(paper.title)}</title>
      <link>https://arxiv.org/abs/{paper.arxiv_id}</link>
      <description>arXiv:{paper.arxiv_id}v1 Announce Type: {kind}{SPACE}
Abstract: {escape(paper.abstract)}</description>
      <guid isPermaLink="false">oai:arXiv.org:{paper.arxiv_id}v1</guid>
      <category>cs.CL</category>
      <pubDate>{day} 00:00:00 -0500</pubDate>
      <arxiv:announce_type>{kind}</arxiv:announce_type>
      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>
      <dc:creator>{escape(", ".join(paper.authors))}</dc:creator>
    </item>
"""
        )
    return (
        f"""<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:atom="http://www.w3.org/2005/Atom"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">
  <channel>
    <title>{categories} updates on arXiv.org</title>
    <link>http://rss.arxiv.org/rss/{categories}</link>
    <description>{categories} updates on the arXiv.org e-print archive.</description>
    <language>en-us</language>
    <pubDate>{day} 00:00:00 -0500</pubDate>
    <skipDays>
      <day>Sunday</day>
      <day>Saturday</day>
    </skipDays>
"""
        + "".join(body)
        + "  </channel>\n</rss>\n"
    ).encode()


#: The "billion laughs": ten levels of ten entities, a few hundred bytes that expand to ~3 GB.
XML_BOMB = (
    b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
"""
    + b"".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
        for i in range(1, 10)
    )
    + b"""]>
<rss version="2.0"><channel><title>&lol9;</title></channel></rss>
"""
)

HTML_ERROR_PAGE = b"""<!DOCTYPE html>
<html><head><title>Hugging Face - We'll be right back</title></head>
<body><h1>503</h1><p>We're doing some maintenance.</p></body></html>
"""
