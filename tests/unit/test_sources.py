"""The HTTP client and the source modules against a local server: retries, Retry-After, timeouts,
the size cap, redirects, politeness, cancelling, proxies, and every failure as one line."""

from __future__ import annotations

import datetime
import itertools
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from helpers.fake_sources import (
    HTML_ERROR_PAGE,
    Fake,
    FakeServer,
    Reply,
    atom_feed,
    hf_day,
    many,
    zeros,
)

from readlist.core.sources import arxiv, hf
from readlist.core.sources.fetching import fetch_source
from readlist.core.sources.http import (
    MB,
    USER_AGENT,
    HttpClient,
    HttpSettings,
    SourceError,
    parse_retry_after,
    redirect_refusal,
)
from readlist.core.sources.names import (
    SourceSpec,
    SourceSpecError,
    SourceUrls,
    days_asked,
    parse_source,
)

DAY = datetime.date(2026, 11, 30)
QUICK = HttpSettings(read_timeout=0.5, connect_timeout=1.0, backoff_s=0.01)
PAPERS = [
    Fake("2611.00001", "Sparse Agents at Scale", "We study sparse agents."),
    Fake("2611.00002", "Video Diffusion Without Tears", "We study video.", github=None),
]


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as running:
        yield running


@pytest.fixture
def client() -> Iterator[HttpClient]:
    with HttpClient(QUICK) as made:
        yield made


def failure(call: object) -> SourceError:
    with pytest.raises(SourceError) as caught:
        call()  # type: ignore[operator]
    message = str(caught.value)
    assert "\n" not in message
    return caught.value


# ----------------------------------------------------------------- requests and retries


def test_a_day_is_one_get_with_readlists_user_agent(server: FakeServer, client: HttpClient) -> None:
    server.route("/api/daily_papers", Reply(body=hf_day(PAPERS, DAY)))
    papers = hf.fetch_day(client, server.url, DAY)
    assert [p.arxiv_id for p in papers] == ["2611.00001", "2611.00002"]
    (seen,) = server.seen
    assert seen.query == {"date": ["2026-11-30"]}
    assert seen.headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("readlist/0.1.0 (")
    assert "json" in seen.headers["accept"]


def test_an_empty_array_is_a_day_without_papers(server: FakeServer, client: HttpClient) -> None:
    server.route("/api/daily_papers", Reply(body=b"[ ]\n"))
    assert hf.fetch_day(client, server.url, DAY) == []


def test_5xx_is_retried_with_backoff_then_succeeds(server: FakeServer, client: HttpClient) -> None:
    server.route("/api/daily_papers", Reply(500), Reply(502), Reply(body=hf_day(PAPERS, DAY)))
    assert len(hf.fetch_day(client, server.url, DAY)) == 2
    assert len(server.seen) == 3


def test_at_most_three_retries_then_one_line(server: FakeServer, client: HttpClient) -> None:
    server.route("/api/daily_papers", Reply(503))
    error = failure(lambda: hf.fetch_day(client, server.url, DAY))
    assert str(error) == "hf 2026-11-30: HTTP 503 Service Unavailable (after 3 retries)"
    assert error.kind == "network"
    assert len(server.seen) == 4


def test_429_honours_retry_after_seconds(server: FakeServer, client: HttpClient) -> None:
    server.route(
        "/api/daily_papers",
        Reply(429, headers={"Retry-After": "1"}),
        Reply(body=hf_day(PAPERS, DAY)),
    )
    assert len(hf.fetch_day(client, server.url, DAY)) == 2
    first, second = server.seen
    assert second.at - first.at >= 0.9


def test_a_retry_after_longer_than_the_cap_fails_at_once(
    server: FakeServer, client: HttpClient
) -> None:
    server.route("/api/daily_papers", Reply(429, headers={"Retry-After": "3600"}))
    error = failure(lambda: hf.fetch_day(client, server.url, DAY))
    assert "HTTP 429" in str(error)
    assert "asks to wait 3600 s" in str(error) and "60 s" in str(error)
    assert len(server.seen) == 1


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    now = datetime.datetime(2026, 11, 30, 12, 0, 0, tzinfo=datetime.timezone.utc).timestamp()
    assert parse_retry_after("Mon, 30 Nov 2026 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Mon, 30 Nov 2026 11:00:00 GMT", now) == 0.0


def test_other_4xx_is_not_retried(server: FakeServer, client: HttpClient) -> None:
    server.route("/api/daily_papers", Reply(404, b"{}"))
    error = failure(lambda: hf.fetch_day(client, server.url, DAY))
    assert str(error) == "hf 2026-11-30: HTTP 404 Not Found from 127.0.0.1"
    assert len(server.seen) == 1


# ----------------------------------------------------------------- network failures


def test_a_stalled_body_times_out_after_the_read_timeout(
    server: FakeServer, client: HttpClient
) -> None:
    server.route("/api/daily_papers", Reply(body=hf_day(PAPERS, DAY), stall_s=10))
    started = time.monotonic()
    error = failure(lambda: hf.fetch_day(client, server.url, DAY))
    assert time.monotonic() - started < 3
    assert str(error) == "hf 2026-11-30: timed out: 127.0.0.1 sent nothing for 0.5 s"


def test_connection_refused_says_offline_or_down(client: HttpClient) -> None:
    error = failure(lambda: hf.fetch_day(client, "http://127.0.0.1:9", DAY))
    assert str(error) == (
        "hf 2026-11-30: connection refused by 127.0.0.1:9 (offline, or the server is down)"
    )


def test_a_dns_failure_names_the_host(client: HttpClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(host: str, *args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    error = failure(lambda: hf.fetch_day(client, "https://hf.invalid", DAY))
    assert str(error).startswith("hf 2026-11-30: DNS lookup for hf.invalid failed (offline")


# ----------------------------------------------------------------- what comes back


def test_an_html_page_with_status_200_is_not_json(server: FakeServer, client: HttpClient) -> None:
    server.route("/api/daily_papers", Reply(body=HTML_ERROR_PAGE, content_type="text/html"))
    error = failure(lambda: hf.fetch_day(client, server.url, DAY))
    assert error.kind == "response"
    assert str(error) == (
        'hf 2026-11-30: expected JSON, got an HTML page ("Hugging Face - We\'ll be right back")'
    )


def test_truncated_json_is_a_bad_response(server: FakeServer, client: HttpClient) -> None:
    server.route("/api/daily_papers", Reply(body=hf_day(PAPERS, DAY)[:-40]))
    error = failure(lambda: hf.fetch_day(client, server.url, DAY))
    assert error.kind == "response"
    assert str(error).startswith("hf 2026-11-30: ")
    assert "json" in str(error).lower()


def test_a_declared_60_mb_body_is_refused_before_reading_it(
    server: FakeServer, client: HttpClient
) -> None:
    declared = {"Content-Length": str(60 * MB)}
    server.route("/api/daily_papers", Reply(body=zeros(60 * MB), headers=declared, length=False))
    error = failure(lambda: hf.fetch_day(client, server.url, DAY))
    assert error.kind == "response"
    assert str(error) == (
        "hf 2026-11-30: response too large (60.0 MB; readlist takes at most 50 MB)"
    )


def test_an_undeclared_60_mb_body_is_refused_while_streaming(
    server: FakeServer, client: HttpClient
) -> None:
    server.route("/api/daily_papers", Reply(body=zeros(60 * MB), length=False))
    error = failure(lambda: hf.fetch_day(client, server.url, DAY))
    assert error.kind == "response"
    assert "response too large (over 50." in str(error)
    assert server.bytes_sent < 60 * MB  # the client hung up before the end


# ----------------------------------------------------------------- redirects


def test_a_redirect_on_the_same_host_is_followed(server: FakeServer, client: HttpClient) -> None:
    server.route("/api/daily_papers", Reply(302, headers={"Location": "/moved?date=2026-11-30"}))
    server.route("/moved", Reply(body=hf_day(PAPERS, DAY)))
    assert len(hf.fetch_day(client, server.url, DAY)) == 2


def test_a_redirect_to_another_host_is_refused(server: FakeServer, client: HttpClient) -> None:
    elsewhere = f"http://localhost:{server.port}/moved"
    server.route("/api/daily_papers", Reply(302, headers={"Location": elsewhere}))
    server.route("/moved", Reply(body=hf_day(PAPERS, DAY)))
    error = failure(lambda: hf.fetch_day(client, server.url, DAY))
    assert str(error) == (
        "hf 2026-11-30: redirect to another host refused (localhost, asked for 127.0.0.1)"
    )
    assert [s.path for s in server.seen] == ["/api/daily_papers"]


def test_a_redirect_from_https_to_http_is_refused() -> None:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(301, headers={"Location": "http://huggingface.co/api/x"})

    with HttpClient(QUICK, transport=httpx.MockTransport(answer)) as client:
        error = failure(lambda: hf.fetch_day(client, "https://huggingface.co", DAY))
    assert str(error) == (
        "hf 2026-11-30: redirect from https to plain http refused (http://huggingface.co/api/x)"
    )
    assert len(asked) == 1


def test_redirect_rules() -> None:
    here = httpx.URL("https://export.arxiv.org/api/query")
    assert redirect_refusal(here, httpx.URL("https://export.arxiv.org/other")) is None
    assert redirect_refusal(here, httpx.URL("https://evil.example/x")) is not None
    assert redirect_refusal(here, httpx.URL("http://export.arxiv.org/x")) is not None
    assert redirect_refusal(here, httpx.URL("ftp://export.arxiv.org/x")) is not None
    plain = httpx.URL("http://export.arxiv.org/api/query")
    assert redirect_refusal(plain, httpx.URL("https://export.arxiv.org/api/query")) is None


# ----------------------------------------------------------------- politeness, cancel, proxy


def test_arxiv_requests_keep_the_politeness_interval(server: FakeServer) -> None:
    server.handle("/api/query", lambda seen: Reply(body=atom_feed([]), content_type="text/xml"))
    ids = [f"2403.{n:05d}" for n in range(5)]
    with HttpClient(QUICK) as client:
        arxiv.fetch_ids(client, server.url + "/api/query", ids, per_request=2, interval=0.3)
    times = [s.at for s in server.seen]
    assert len(times) == 3
    assert all(b - a >= 0.29 for a, b in itertools.pairwise(times))
    assert client.gate.waited_s > 0.4


def test_many_ids_go_in_chunks_and_only_asked_ids_come_back(server: FakeServer) -> None:
    papers = {p.arxiv_id: p for p in many(250)}

    def answer(seen: object) -> Reply:
        (id_list,) = seen.query["id_list"]  # type: ignore[attr-defined]
        asked = id_list.split(",")
        found = [papers[i] for i in asked if i in papers]
        return Reply(body=atom_feed([*found, Fake("9999.99999", "Unasked", "x")]))

    server.handle("/api/query", answer)
    with HttpClient(QUICK) as client:
        got = arxiv.fetch_ids(client, server.url + "/api/query", list(papers), interval=0)
    assert len(server.seen) == 3
    assert [s.query["max_results"] for s in server.seen] == [["100"], ["100"], ["50"]]
    assert sorted(p.arxiv_id or "" for p in got) == sorted(papers)


def test_cancel_stops_a_retry_wait(server: FakeServer) -> None:
    server.route("/api/daily_papers", Reply(503, headers={"Retry-After": "30"}))
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    started = time.monotonic()
    with HttpClient(QUICK, cancel=cancel) as client:
        error = failure(lambda: hf.fetch_day(client, server.url, DAY))
    assert (str(error), error.kind) == ("hf 2026-11-30: cancelled", "cancelled")
    assert time.monotonic() - started < 5


def test_cancel_before_a_request_makes_none(server: FakeServer) -> None:
    cancel = threading.Event()
    cancel.set()
    with HttpClient(QUICK, cancel=cancel) as client:
        failure(lambda: hf.fetch_day(client, server.url, DAY))
    assert server.seen == []


def test_proxy_variables_are_honoured(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server.route("/api/daily_papers", Reply(body=hf_day(PAPERS, DAY)))
    monkeypatch.setenv("HTTP_PROXY", server.url)
    with HttpClient(QUICK) as client:
        assert len(hf.fetch_day(client, "http://hf.invalid", DAY)) == 2
    (seen,) = server.seen
    assert seen.target == "http://hf.invalid/api/daily_papers?date=2026-11-30"


def test_progress_names_each_request_and_each_retry(server: FakeServer) -> None:
    server.route("/api/daily_papers", Reply(500), Reply(body=b"[]"))
    lines: list[str] = []
    with HttpClient(QUICK, progress=lines.append) as client:
        hf.fetch_day(client, server.url, DAY)
    host = f"127.0.0.1:{server.port}"
    assert lines == [
        f"hf 2026-11-30: GET {host}/api/daily_papers?date=2026-11-30",
        "hf 2026-11-30: HTTP 500 Internal Server Error, retry 1 of 3 in 0.01 s",
        f"hf 2026-11-30: GET {host}/api/daily_papers?date=2026-11-30 (retry 1 of 3)",
    ]


# ----------------------------------------------------------------- names, URLs, days


def test_sources_are_hf_or_arxiv_categories() -> None:
    assert parse_source("hf") == SourceSpec("hf")
    assert parse_source("arxiv:cs.CL+cs.LG") == SourceSpec("arxiv", ("cs.CL", "cs.LG"))
    assert parse_source("arxiv:hep-th").name == "arxiv:hep-th"
    for bad in ("arxiv:", "arxiv:cs.CL+", "arxiv:CS CL", "hugging", "arxiv:cs.CL/../x"):
        with pytest.raises(SourceSpecError):
            parse_source(bad)


def test_the_environment_wins_over_the_config() -> None:
    configured = {"hf_url": "https://mirror.example/hf", "arxiv_api_url": None}
    urls = SourceUrls.resolve({"READLIST_HF_URL": "http://127.0.0.1:8000"}, configured)
    assert urls.hf == "http://127.0.0.1:8000"
    assert urls.arxiv_api == "https://export.arxiv.org/api/query"
    assert SourceUrls.resolve({}, configured).hf == "https://mirror.example/hf"
    with pytest.raises(SourceSpecError, match=r"\$READLIST_HF_URL: 'file:///etc' is not"):
        SourceUrls.resolve({"READLIST_HF_URL": "file:///etc"})


def test_days_asked_oldest_first() -> None:
    assert days_asked(DAY) == [DAY]
    assert days_asked(DAY, date=datetime.date(2024, 3, 12)) == [datetime.date(2024, 3, 12)]
    assert days_asked(DAY, days=3) == [DAY - datetime.timedelta(days=n) for n in (2, 1, 0)]
    assert days_asked(DAY, since=datetime.date(2026, 11, 28))[0] == datetime.date(2026, 11, 28)
    for bad in ({"days": 0}, {"since": DAY + datetime.timedelta(days=1)}, {"days": 400}):
        with pytest.raises(SourceSpecError):
            days_asked(DAY, **bad)  # type: ignore[arg-type]


def test_a_source_fails_whole_when_one_day_fails(server: FakeServer, client: HttpClient) -> None:
    server.route("/api/daily_papers?date=2026-11-28", Reply(body=hf_day(PAPERS, DAY)))
    server.route("/api/daily_papers?date=2026-11-29", Reply(404))
    server.route("/api/daily_papers?date=2026-11-30", Reply(body=hf_day(PAPERS, DAY)))
    urls = SourceUrls(hf=server.url)
    with pytest.raises(SourceError, match="hf 2026-11-29: HTTP 404"):
        fetch_source(client, SourceSpec("hf"), days_asked(DAY, days=3), urls)
