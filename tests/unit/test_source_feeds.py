"""The front door picks the reader by content; every real recorded response parses.

The real responses live beside the checkout in `../shared/real-feeds/` (see its SOURCES.md) and
are never copied into the project: where that folder is absent (a fresh clone), those tests skip.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readlist.core.errors import FeedError
from readlist.core.formats import feed_kind, parse_feed, read_feed
from readlist.core.formats.fields import one_line
from readlist.core.models import paper_id
from readlist.core.text import clean_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "real-feeds"
HF_2024 = "hf_daily_papers_2024-04-03.raw.json"
HF_2025 = "hf_daily_papers_2025-10-03.json"
HF_2026 = "hf_daily_papers_2026-08-21.json"
ATOM_2026 = "arxiv_api_2026-04-12_search-testing_max100.xml"
ATOM_LEGACY = "arxiv_api_2016-10-09_au-del_maestro_legacy.xml"
RSS_2026 = "arxiv_rss_2026-09-24_cs.LG+cs.AI+cs.CL+stat.ML_4items.xml"


def real(name: str) -> Path:
    path = REAL / name
    if not path.is_file():
        pytest.skip(f"{path} is absent: the real recorded responses live in ../shared/real-feeds")
    return path


@pytest.mark.parametrize(
    ("name", "kind"),
    [("hf_daily.json", "hf"), ("arxiv_atom.xml", "atom"), ("arxiv_rss.xml", "rss")],
)
def test_the_reader_is_chosen_by_content_not_name(tmp_path: Path, name: str, kind: str) -> None:
    data = (FIXTURES / name).read_bytes()
    assert feed_kind(data.decode()) == kind
    disguised = tmp_path / "papers.txt"
    disguised.write_bytes(data)
    feed = read_feed(str(disguised), replacements=True)
    assert feed.source == "papers.txt"
    assert feed.encoding == "utf-8"
    assert all(p.arxiv_id and p.authors and p.source == "papers.txt" for p in feed.papers)


def test_daily_papers_text_is_still_text() -> None:
    assert feed_kind("Mar 12\n\n[bold]A Title[/]\n\nAbstract.\n") == "text"
    assert feed_kind("[2403.01234] A Title\n\nAbstract.") == "text"
    feed = parse_feed(b"Mar 12\n\nA Title\n\nAn abstract.\n", "page.txt")
    assert [p.title for p in feed.papers] == ["A Title"]
    assert feed.papers[0].arxiv_id is None


def test_replacements_thread_through_the_front_door(tmp_path: Path) -> None:
    data = (FIXTURES / "arxiv_rss.xml").read_bytes()
    default = parse_feed(data, "rss")
    assert len(default.papers) == 2
    assert default.notes == ["rss: 2 replaced paper(s) skipped (new and cross-listed papers only)"]
    assert len(parse_feed(data, "rss", replacements=True).papers) == 4
    path = tmp_path / "listing"
    path.write_bytes(data)
    assert len(read_feed(str(path), replacements=True).papers) == 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[]", "day.json: no papers found (an empty Hugging Face daily papers response)"),
        (b'{"error": "Not Found"}', "the server said: Not Found"),
        (b'[{"paper": {"id": "2510.0', "not valid JSON"),
        (b"<!DOCTYPE html>\n<html><body>Oops</body></html>", "day.json: an HTML page, not a feed"),
        (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="x"/>', "an RSS 1.0 (RDF) feed"),
        (b"<?xml version='1.0'?><opml/>", "XML with a <opml> root, not a feed"),
        (
            b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>',
            "no papers found (an arXiv API response with no entries)",
        ),
        (
            (FIXTURES / "arxiv_rss.xml").read_bytes().split(b"<item>")[0] + b"</channel></rss>",
            "no papers found (an arXiv RSS feed with no new or cross-listed papers)",
        ),
    ],
)
def test_unknown_or_empty_content_is_one_line(data: bytes, message: str) -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed(data, "day.json")
    assert message in str(caught.value)
    assert str(caught.value).startswith("day.json: ") and "\n" not in str(caught.value)


def test_every_real_response_parses() -> None:
    counts = {HF_2024: 11, HF_2025: 39, HF_2026: 17, ATOM_2026: 100, ATOM_LEGACY: 10, RSS_2026: 3}
    for name, count in counts.items():
        feed = read_feed(str(real(name)))
        assert len(feed.papers) == count, name
        assert all(p.arxiv_id and p.authors and p.title and p.abstract for p in feed.papers), name
        for paper in feed.papers:
            assert "\n" not in paper.title + paper.abstract
            assert "  " not in paper.title + paper.abstract  # hard wraps joined
            assert paper.id == paper_id(paper.title)
    assert len(read_feed(str(real(RSS_2026)), replacements=True).papers) == 4


def test_real_hugging_face_values() -> None:
    old = read_feed(str(real(HF_2024))).papers
    first = old[0]
    assert first.title == "Advancing LLM Reasoning Generalists with Preference Trees"
    assert (first.arxiv_id, first.upvotes, first.date) == ("2404.02078", 31, "2024-04-03")
    assert first.published == "2024-04-02"
    assert first.authors[:2] == ("Lifan Yuan", "Ganqu Cui") and len(first.authors) == 15
    assert first.github is None and first.project_page is None
    assert {p.date for p in old} == {"2024-04-03"}
    mid = {p.arxiv_id: p for p in read_feed(str(real(HF_2025))).papers}
    assert {p.date for p in mid.values()} == {"2025-10-03"}
    forcing = mid["2510.02283"]
    assert forcing.github == "https://github.com/justincui03/Self-Forcing-Plus-Plus"
    assert forcing.project_page == "https://self-forcing-plus-plus.github.io/"
    assert forcing.upvotes == 43
    # One of the 22 hard-wrapped titles of that day, joined.
    assert mid["2510.01241"].title == (
        "SKYLENAGE Technical Report: Mathematical Reasoning and Contest-Innovation Benchmarks "
        "for Multi-Level Math Evaluation"
    )
    # A githubRepo with a trailing slash and one with a deeper path, made canonical.
    assert mid["2510.02250"].github == "https://github.com/simular-ai/Agent-S"
    assert mid["2510.02294"].github == (
        "https://github.com/codefuse-ai/CodeFuse-Embeddings/tree/main/F2LLM"
    )
    latest = read_feed(str(real(HF_2026))).papers[0]
    assert (latest.arxiv_id, latest.upvotes, latest.date) == ("2608.19880", 163, "2026-08-21")
    assert latest.title == "EnvHarness: Awakening Static Worlds for Agent Learning"
    assert latest.github == "https://github.com/google-research/envharness"


def test_real_arxiv_api_values() -> None:
    current = read_feed(str(real(ATOM_2026))).papers
    first = current[0]
    assert first.arxiv_id == "2202.12139"
    assert first.authors == ("Mohit Kumar Ahuja", "Arnaud Gotlieb", "Helge Spieker")
    assert first.categories == ("cs.SE", "cs.LG")
    assert (first.published, first.date) == ("2022-02-24", "2022-02-24")
    assert first.doi == "10.1109/ICSTW55395.2022.00035"
    assert first.comment == "Artificial Intelligence in Software Testing 2022 workshop @ ICST 2022"
    assert first.journal_ref is not None and first.journal_ref.endswith("Workshops (ICSTW)")
    assert current[1].authors[0] == "Aurora Ramírez"
    legacy = {p.arxiv_id: p for p in read_feed(str(real(ATOM_LEGACY))).papers}
    luttinger = legacy["1201.4869"]
    assert luttinger.title == "A Luttinger Liquid Core Inside Helium-4 Filled Nanopores"
    assert luttinger.abstract.startswith("As helium-4 is cooled below 2.17 K it undergoes")
    assert luttinger.categories == ("cond-mat.mes-hall", "cond-mat.other")
    assert luttinger.journal_ref == "Int. J. Mod. Phys. B, 26, 1244002 (2012)"
    stripes = legacy["cond-mat/0603029"]  # an old-style id, a wrapped and indented title
    assert stripes.title == (
        "From stripe to checkerboard order on the square lattice in the presence of quenched "
        "disorder"
    )
    assert legacy["cond-mat/0412498"].abstract.startswith(
        'We present the theory of the effect of thermal fluctuations on commensurate "p x p"'
    )


def test_real_arxiv_rss_values() -> None:
    papers = read_feed(str(real(RSS_2026)), replacements=True).papers
    assert [p.arxiv_id for p in papers] == ["2609.26811", "2609.26820", "2205.06398", "2009.13987"]
    assert {p.date for p in papers} == {"2026-09-24"}
    assert papers[1].authors == ("Naser Mansour", "Sidahmed Benabderrahmane", "Ameer Rahwan")
    assert papers[2].categories == ("stat.ME", "stat.AP", "stat.ML")
    assert papers[2].doi == "10.1093/bioinformatics/btac431"
    assert papers[0].abstract.startswith("Local learning trains each layer with its own")


def test_the_real_responses_stay_out_of_the_project() -> None:
    root = Path(__file__).resolve().parents[2]
    names = {p.name for p in real(HF_2024).parent.iterdir()} - {"SOURCES.md"}
    ours = {
        p.name for folder in ("tests", "benchmarks", "readlist") for p in (root / folder).rglob("*")
    }
    assert not names & (ours | {p.name for p in root.iterdir()})


PREFIXES = st.sampled_from(
    [
        b"[",
        b'[{"paper": {"title": "',
        b"{",
        b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>http://arxiv.org/abs/2403.01234",
        b"<rss><channel><item><title>",
        b"<?xml version='1.0'?>",
        b"<",
    ]
)


@settings(max_examples=300, deadline=None)
@given(PREFIXES, st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_json_or_xml_of_any_content_gives_papers_or_one_line(prefix: bytes, rest: bytes) -> None:
    try:
        feed = parse_feed(prefix + rest, "b.json", replacements=True)
    except FeedError as error:
        assert str(error).startswith("b.json: ") and "\n" not in str(error)
    else:
        assert feed.papers


def test_deeply_nested_xml_is_no_crash() -> None:
    title = b"<b>" * 50_000 + b"x" + b"</b>" * 50_000
    data = b"<rss><channel><item><title>" + title + b"</title></item></channel></rss>"
    with contextlib.suppress(FeedError):
        parse_feed(data, "deep.xml")


@settings(max_examples=500)
@given(
    st.text()
    | st.lists(st.sampled_from([" ", "  ", "\n  ", "a", "é", "\x1b[2J", "\x9b"])).map("".join)
)
def test_one_line_takes_its_shortcut_only_where_the_answer_is_the_same(text: str) -> None:
    assert one_line(text) == " ".join(clean_text(text).split())
