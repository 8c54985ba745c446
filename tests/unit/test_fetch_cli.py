"""`readlist fetch` against a local server: what it prints, its exit statuses, and a library left
byte-for-byte as it was by every source that failed."""

from __future__ import annotations

import datetime
import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from helpers.fake_sources import (
    HTML_ERROR_PAGE,
    XML_BOMB,
    Fake,
    Reply,
    Seen,
    hf_day,
    rss_feed,
    zeros,
)
from helpers.fetch_cli import QUICK, Net, local_sources, run

from readlist import cli_fetch
from readlist.cli import main
from readlist.core.library import Library
from readlist.core.models import paper_id
from readlist.core.sources.http import MB

DAY = datetime.date(2026, 11, 30)
TODAY = datetime.datetime.now(datetime.timezone.utc).date()
A = Fake("2611.00001", "Sparse Agents at Scale", "We study sparse agents.", ("Ada Lovelace",))
B = Fake("2611.00002", "Video Diffusion Without Tears", "We study video.", ("Alan Turing",))
C = Fake("2611.00003", "Graphs That Reason", "We study graphs.", ("Grace Hopper", "Ed Codd"))


@pytest.fixture
def net(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Net]:
    with local_sources(tmp_path, monkeypatch) as made:
        yield made


def by_date(days: dict[datetime.date, list[Fake]]) -> Callable[[Seen], Reply]:
    def answer(seen: Seen) -> Reply:
        day = datetime.date.fromisoformat(seen.query["date"][0])
        return Reply(body=hf_day(days.get(day, []), day))

    return answer


# ----------------------------------------------------------------- fetch: what came in


def test_fetch_a_day_prints_what_came_in(net: Net, capsys: pytest.CaptureFixture[str]) -> None:
    net.server.route("/api/daily_papers", Reply(body=hf_day([A, B], DAY)))
    assert run(net, capsys, "fetch", "hf", "--date", "2026-11-30") == (
        0,
        "hf 2026-11-30: 2 papers, 2 new, 0 updated\n",
        "",
    )
    assert run(net, capsys, "fetch", "--date", "2026-11-30")[1] == (
        "hf 2026-11-30: 2 papers, 0 new, 0 updated\n"
    )
    assert len(net.ids()) == 7


def test_a_day_without_papers_is_not_a_failure(
    net: Net, capsys: pytest.CaptureFixture[str]
) -> None:
    net.server.route("/api/daily_papers", Reply(body=b"[]"))
    before = net.library_bytes()
    assert run(net, capsys, "fetch", "--date", "2026-11-29") == (
        0,
        "hf 2026-11-29: no papers that day (weekend or holiday)\n",
        "",
    )
    assert net.library_bytes() == before


def test_days_in_a_row_with_an_empty_day_and_a_paper_listed_twice(
    net: Net, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second, third = (TODAY - datetime.timedelta(days=n) for n in (2, 1, 0))
    net.server.handle("/api/daily_papers", by_date({first: [A, B], third: [B, C]}))
    code, out, err = run(net, capsys, "fetch", "hf", "--days", "3")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"hf {first}: 2 papers, 2 new, 0 updated",
        f"hf {second}: no papers that day (weekend or holiday)",
        f"hf {third}: 2 papers, 1 new, 0 updated",
    ]
    with Library.open(net.db) as library:
        assert library.get(paper_id(B.title)).paper.date == first.isoformat()
        titles = [e.paper.title for e in library.entries()]
    assert len(titles) == 8
    assert {A.title, B.title, C.title} <= set(titles)
    assert [s.query["date"] for s in net.server.seen] == [[str(d)] for d in (first, second, third)]


def test_the_config_names_the_sources_when_none_is_given(
    net: Net, capsys: pytest.CaptureFixture[str]
) -> None:
    net.config.parent.mkdir(parents=True)
    net.config.write_text('[fetch]\nsources = ["arxiv:cs.CL+cs.LG"]\n', encoding="utf-8")
    net.server.route("/rss/cs.CL+cs.LG", Reply(body=rss_feed([(A, "new")], "cs.CL+cs.LG")))
    code, out, _ = run(net, capsys, "fetch")
    assert (code, out) == (0, "arxiv:cs.CL+cs.LG 2026-11-30: 1 paper, 1 new, 0 updated\n")


def test_an_arxiv_listing_takes_new_and_cross_lists_unless_replacements_are_asked(
    net: Net, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = rss_feed([(A, "new"), (B, "cross"), (C, "replace")], "cs.CL")
    net.server.route("/rss/cs.CL", Reply(body=listing, content_type="application/rss+xml"))
    assert run(net, capsys, "fetch", "arxiv:cs.CL")[:2] == (
        0,
        "arxiv:cs.CL 2026-11-30: 2 papers, 2 new, 0 updated\n",
    )
    assert run(net, capsys, "fetch", "arxiv:cs.CL", "--replacements")[1] == (
        "arxiv:cs.CL 2026-11-30: 3 papers, 1 new, 0 updated\n"
    )


def test_a_date_range_with_an_arxiv_listing_says_the_feed_has_one_day(
    net: Net, capsys: pytest.CaptureFixture[str]
) -> None:
    net.server.route("/rss/cs.CL", Reply(body=rss_feed([(A, "new")], "cs.CL")))
    code, _, err = run(net, capsys, "fetch", "arxiv:cs.CL", "--days", "2")
    assert code == 0
    assert err == (
        "readlist: arxiv:cs.CL: arXiv's RSS feed holds only the latest announcement; "
        "--date, --since and --days apply to hf\n"
    )


# ----------------------------------------------------------------- fetch: failures

FAULTS = {
    "500": ([Reply(500)], 3, "HTTP 500 Internal Server Error (after 3 retries)"),
    "404": ([Reply(404)], 3, "HTTP 404 Not Found from 127.0.0.1"),
    "stall": ([Reply(body=hf_day([A], DAY), stall_s=10)], 3, "timed out: 127.0.0.1 sent nothing"),
    "truncated": ([Reply(body=hf_day([A, B], DAY)[:-25])], 4, ""),
    "html": (
        [Reply(body=HTML_ERROR_PAGE, content_type="text/html")],
        4,
        "expected JSON, got an HTML page",
    ),
    "bad gzip": (
        [Reply(body=b"not gzip at all", headers={"Content-Encoding": "gzip"})],
        4,
        "the response cannot be decoded",
    ),
    "60 MB": ([Reply(body=zeros(60 * MB), length=False)], 4, "response too large (over 50"),
    "other host": (
        [Reply(302, headers={"Location": "http://localhost:1/api/daily_papers"})],
        3,
        "redirect to another host refused (localhost, asked for 127.0.0.1)",
    ),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_failed_fetch_is_one_line_its_status_and_an_untouched_library(
    net: Net, capsys: pytest.CaptureFixture[str], fault: str
) -> None:
    replies, status, message = FAULTS[fault]
    net.server.route("/api/daily_papers", *replies)
    before = net.library_bytes()
    code, out, err = run(net, capsys, "fetch", "hf", "--date", "2026-11-30")
    assert (code, out) == (status, "")
    (line,) = err.splitlines()
    assert line.startswith("readlist: hf 2026-11-30: ")
    assert message in line
    if fault == "truncated":
        assert "json" in line.lower()
    assert net.library_bytes() == before


def test_429_with_retry_after_waits_and_then_imports(
    net: Net, capsys: pytest.CaptureFixture[str]
) -> None:
    net.server.route(
        "/api/daily_papers", Reply(429, headers={"Retry-After": "1"}), Reply(body=hf_day([A], DAY))
    )
    code, out, _ = run(net, capsys, "fetch", "--date", "2026-11-30")
    assert (code, out) == (0, "hf 2026-11-30: 1 paper, 1 new, 0 updated\n")
    assert len(net.server.seen) == 2


def test_offline_is_exit_3(
    net: Net, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READLIST_HF_URL", "http://127.0.0.1:9")
    before = net.library_bytes()
    assert run(net, capsys, "fetch", "--date", "2026-11-30") == (
        3,
        "",
        "readlist: hf 2026-11-30: connection refused by 127.0.0.1:9 (offline, or the server is "
        "down)\n",
    )
    assert net.library_bytes() == before


def test_a_redirect_to_plain_http_is_refused(
    net: Net, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "http://huggingface.co/api/daily_papers"})

    transport = httpx.MockTransport(answer)
    monkeypatch.setattr(cli_fetch, "NETWORK", cli_fetch.Network(QUICK, 0.0, transport))
    monkeypatch.setenv("READLIST_HF_URL", "https://huggingface.co")
    before = net.library_bytes()
    code, out, err = run(net, capsys, "fetch", "--date", "2026-11-30")
    assert (code, out) == (3, "")
    assert err == (
        "readlist: hf 2026-11-30: redirect from https to plain http refused "
        "(http://huggingface.co/api/daily_papers)\n"
    )
    assert net.library_bytes() == before


def test_an_xml_bomb_is_a_bad_response(net: Net, capsys: pytest.CaptureFixture[str]) -> None:
    net.server.route("/rss/cs.CL", Reply(body=XML_BOMB, content_type="application/rss+xml"))
    before = net.library_bytes()
    code, out, err = run(net, capsys, "fetch", "arxiv:cs.CL")
    assert (code, out) == (4, "")
    (line,) = err.splitlines()
    assert line.startswith("readlist: arxiv:cs.CL: ")
    assert net.library_bytes() == before


def test_a_source_that_fails_half_way_adds_nothing(
    net: Net, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second, third = (TODAY - datetime.timedelta(days=n) for n in (2, 1, 0))
    net.server.route(f"/api/daily_papers?date={first}", Reply(body=hf_day([A], first)))
    net.server.route(f"/api/daily_papers?date={second}", Reply(body=hf_day([B], second)))
    net.server.route(f"/api/daily_papers?date={third}", Reply(body=b'[{"paper": '))
    before = net.library_bytes()
    code, out, err = run(net, capsys, "fetch", "--days", "3")
    assert (code, out) == (4, "")
    assert err.startswith(f"readlist: hf {third}: ")
    assert net.library_bytes() == before


def test_sources_that_succeed_are_kept_and_the_first_failure_sets_the_status(
    net: Net, capsys: pytest.CaptureFixture[str]
) -> None:
    net.server.route("/api/daily_papers", Reply(body=b"{not json"))
    net.server.route("/rss/cs.CL", Reply(503))
    net.server.route("/rss/cs.LG", Reply(body=rss_feed([(C, "new")], "cs.LG")))
    code, out, err = run(
        net, capsys, "fetch", "hf", "arxiv:cs.CL", "arxiv:cs.LG", "--date", str(DAY)
    )
    assert code == 4
    assert out == "arxiv:cs.LG 2026-11-30: 1 paper, 1 new, 0 updated\n"
    lines = err.splitlines()
    assert lines[-2].startswith("readlist: hf 2026-11-30: ")
    assert lines[-1] == "readlist: arxiv:cs.CL: HTTP 503 Service Unavailable (after 3 retries)"
    assert paper_id(C.title) in net.ids()


def test_a_failed_fetch_creates_no_library(
    net: Net, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    net.db = tmp_path / "new" / "library.json"
    net.server.route("/api/daily_papers", Reply(500))
    assert run(net, capsys, "fetch", "--date", "2026-11-30")[0] == 3
    assert not net.db.exists()


def test_bad_sources_and_ranges_are_refused_before_any_request(
    net: Net, capsys: pytest.CaptureFixture[str]
) -> None:
    for args, message in (
        (["fetch", "arxiv"], "'arxiv': unknown source"),
        (["fetch", "arxiv:cs CL"], "not an arXiv category"),
        (["fetch", "--days", "0"], "--days 0: give a number of days of at least 1"),
        (["fetch", "--since", "2999-01-01"], "--since 2999-01-01: that is after today"),
        (["fetch", "--date", "2999-01-01"], "--date 2999-01-01: that is after today"),
    ):
        code, _, err = run(net, capsys, *args)
        assert code == 2
        assert message in err
    assert run(net, capsys, "fetch", "--date", "tomorrow")[0] == 2
    assert net.server.seen == []


def test_progress_goes_to_a_terminal_only(
    net: Net, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    net.server.route("/api/daily_papers", Reply(body=hf_day([A], DAY)))
    assert "\r" not in run(net, capsys, "fetch", "--date", "2026-11-30")[2]

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["fetch", "--date", "2026-11-30", "--db", str(net.db)]) == 0
    shown = terminal.getvalue()
    assert shown.startswith("\r\x1b[Khf 2026-11-30: GET 127.0.0.1:")
    assert shown.endswith("\r\x1b[K")  # cleared before the summary
