"""`readlist add` against a local server, the real recorded responses served the same way, and the
user's state surviving a fetch of papers imported from pasted text."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.fake_sources import Fake, Reply, Seen, atom_feed, hf_day, many
from helpers.fetch_cli import Net, local_sources, run

from readlist.cli import main
from readlist.core.library import Library
from readlist.core.models import paper_id

DAY = datetime.date(2026, 11, 30)
A = Fake("2611.00001", "Sparse Agents at Scale", "We study sparse agents.", ("Ada Lovelace",))
B = Fake("2611.00002", "Video Diffusion Without Tears", "We study video.", ("Alan Turing",))
REAL = Path(__file__).resolve().parents[3] / "shared" / "real-feeds"


@pytest.fixture
def net(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Net]:
    with local_sources(tmp_path, monkeypatch) as made:
        yield made


# ----------------------------------------------------------------- add


def test_add_asks_once_for_every_id_form(net: Net, capsys: pytest.CaptureFixture[str]) -> None:
    wanted = [
        Fake(i, f"Paper {i}", "Abstract.")
        for i in ("2403.01234", "2403.01235", "2403.01236", "2403.01237", "2403.01238")
    ] + [Fake("hep-th/9901001", "Strings", "Old style.")]
    net.server.route("/api/query", Reply(body=atom_feed(wanted)))
    code, out, err = run(
        net,
        capsys,
        "add",
        "2403.01234",
        "arXiv:2403.01235v2",
        "https://arxiv.org/abs/2403.01236",
        "https://arxiv.org/pdf/2403.01237v2",
        "https://huggingface.co/papers/2403.01238",
        "hep-th/9901001",
        "2403.01234v3",
    )
    assert (code, out, err) == (0, "arxiv: 6 papers, 6 new, 0 updated\n", "")
    (seen,) = net.server.seen
    assert seen.query["id_list"] == [
        "2403.01234,2403.01235,2403.01236,2403.01237,2403.01238,hep-th/9901001"
    ]
    assert seen.query["max_results"] == ["6"]
    assert "atom" in seen.headers["accept"]


def test_add_names_the_ids_arxiv_does_not_return(
    net: Net, capsys: pytest.CaptureFixture[str]
) -> None:
    net.server.route("/api/query", Reply(body=atom_feed([A])))
    code, out, err = run(net, capsys, "add", A.arxiv_id, "2611.99999", "2611.99998")
    assert code == 5
    assert out == "arxiv: 1 paper, 1 new, 0 updated\n"
    assert err == (
        "readlist: arxiv: not found: 2611.99999, 2611.99998 "
        "(the arXiv API returned no such paper)\n"
    )


def test_add_refuses_a_bad_id_before_any_request(
    net: Net, capsys: pytest.CaptureFixture[str]
) -> None:
    before = net.library_bytes()
    code, out, err = run(net, capsys, "add", "2403.01234", "https://example.com/abs/1")
    assert (code, out) == (2, "")
    assert err.startswith("readlist: 'https://example.com/abs/1': not an arXiv id or URL")
    assert net.server.seen == []
    assert net.library_bytes() == before


def test_add_sends_many_ids_in_chunks(net: Net, capsys: pytest.CaptureFixture[str]) -> None:
    papers = {p.arxiv_id: p for p in many(150)}

    def answer(seen: Seen) -> Reply:
        return Reply(body=atom_feed([papers[i] for i in seen.query["id_list"][0].split(",")]))

    net.server.handle("/api/query", answer)
    code, out, _ = run(net, capsys, "add", *papers)
    assert (code, out) == (0, "arxiv: 150 papers, 150 new, 0 updated\n")
    assert [s.query["max_results"] for s in net.server.seen] == [["100"], ["50"]]


def test_a_failed_add_leaves_the_library_alone(
    net: Net, capsys: pytest.CaptureFixture[str]
) -> None:
    net.server.route("/api/query", Reply(500))
    before = net.library_bytes()
    assert run(net, capsys, "add", "2403.01234") == (
        3,
        "",
        "readlist: arxiv: HTTP 500 Internal Server Error (after 3 retries)\n",
    )
    assert net.library_bytes() == before


# ----------------------------------------------------------------- state survives

PASTED = """new

Get trending papers in your email inbox!

Nov 30, 2026

Sparse Agents at Scale

We study sparse agents.

Video Diffusion Without Tears

We study video.
"""


def _pasted_then_fetched(net: Net, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    feed = tmp_path / "pasted.txt"
    feed.write_text(PASTED, encoding="utf-8")
    assert run(net, capsys, "import", str(feed))[0] == 0
    a, b = paper_id(A.title), paper_id(B.title)
    assert run(net, capsys, "set", a, "--star", "--note", "read §3", "--tag", "agents")[0] == 0
    assert run(net, capsys, "set", b, "--read", "--tag", "video")[0] == 0
    net.server.route("/api/daily_papers", Reply(body=hf_day([A, B], DAY)))
    assert run(net, capsys, "fetch", "--date", "2026-11-30")[0] == 0


def test_a_fetched_day_keeps_the_state_of_papers_pasted_before(
    net: Net, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _pasted_then_fetched(net, capsys, tmp_path)
    assert main(["list", "--json", "--db", str(net.db)]) == 0
    docs = {d["title"]: d for d in json.loads(capsys.readouterr().out)}
    assert len(docs) == 7  # 5 old papers + the 2 pasted, each once
    a, b = docs[A.title], docs[B.title]
    assert (a["starred"], a["read"], a["note"], a["tags"]) == (True, False, "read §3", ["agents"])
    assert (b["starred"], b["read"], b["note"], b["tags"]) == (False, True, "", ["video"])


def test_a_fetched_day_adds_authors_and_arxiv_ids_to_papers_pasted_before(
    net: Net, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _pasted_then_fetched(net, capsys, tmp_path)
    with Library.open(net.db) as library:
        fetched = {e.paper.title: e for e in library.entries()}
    assert len(fetched) == 7
    assert fetched[A.title].paper.authors == A.authors
    assert fetched[A.title].paper.arxiv_id == A.arxiv_id
    assert fetched[B.title].paper.authors == B.authors
    assert fetched[A.title].state.starred and fetched[A.title].state.note == "read §3"
    assert fetched[B.title].state.read and fetched[B.title].state.tags == ("video",)


# ----------------------------------------------------------------- real recorded responses


def real(name: str) -> bytes:
    path = REAL / name
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared/real-feeds is beside a checkout only)")
    return path.read_bytes()


@pytest.mark.parametrize(
    ("name", "day", "count"),
    [
        ("hf_daily_papers_2024-04-03.raw.json", "2024-04-03", 11),
        ("hf_daily_papers_2025-10-03.json", "2025-10-03", 39),
        ("hf_daily_papers_2026-08-21.json", "2026-08-21", 17),
    ],
)
def test_real_daily_papers_days_come_in(
    net: Net, capsys: pytest.CaptureFixture[str], name: str, day: str, count: int
) -> None:
    net.server.route("/api/daily_papers", Reply(body=real(name)))
    assert run(net, capsys, "fetch", "hf", "--date", day) == (
        0,
        f"hf {day}: {count} papers, {count} new, 0 updated\n",
        "",
    )


def test_a_real_arxiv_listing_takes_its_new_and_cross_listed_papers(
    net: Net, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = real("arxiv_rss_2026-09-24_cs.LG+cs.AI+cs.CL+stat.ML_4items.xml")
    net.server.route("/rss/cs.LG+cs.AI+cs.CL+stat.ML", Reply(body=listing))
    assert run(net, capsys, "fetch", "arxiv:cs.LG+cs.AI+cs.CL+stat.ML") == (
        0,
        "arxiv:cs.LG+cs.AI+cs.CL+stat.ML 2026-09-24: 3 papers, 3 new, 0 updated\n",
        "",
    )


def test_add_takes_only_the_asked_papers_from_a_real_api_response(
    net: Net, capsys: pytest.CaptureFixture[str]
) -> None:
    net.server.route(
        "/api/query", Reply(body=real("arxiv_api_2026-04-12_search-testing_max100.xml"))
    )
    code, out, err = run(net, capsys, "add", "2202.12139", "arXiv:2405.13786v1")
    assert (code, out, err) == (0, "arxiv: 2 papers, 2 new, 0 updated\n", "")


def test_add_reads_old_style_ids_from_a_real_legacy_response(
    net: Net, capsys: pytest.CaptureFixture[str]
) -> None:
    net.server.route(
        "/api/query", Reply(body=real("arxiv_api_2016-10-09_au-del_maestro_legacy.xml"))
    )
    code, out, _ = run(net, capsys, "add", "cond-mat/0412498", "1201.4869v1")
    assert (code, out) == (0, "arxiv: 2 papers, 2 new, 0 updated\n")
