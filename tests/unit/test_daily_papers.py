# ruff: noqa: E501  (the expected titles and URLs are written out whole)
"""The Daily Papers parser: every paper, title, abstract, GitHub link and day, and clear errors."""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readlist.core.errors import FeedError
from readlist.core.formats import parse_feed, read_feed
from readlist.core.formats.daily_papers import parse, parse_with_notes
from readlist.core.models import normalise_title, paper_id

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_feed.txt"
VARIANTS = ROOT / "tests" / "fixtures" / "feeds" / "variants.txt"
TODAY = datetime.date(2024, 6, 1)

#: Read off sample_feed.txt by hand: each paper whose abstract names a github.com repository.
SAMPLE_GITHUB = {
    "UniFashion: A Unified Vision-Language Model for Multimodal Fashion Retrieval and Generation": "https://github.com/xiangyu-mm/UniFashion",
    "Integrating Reinforcement Learning with Foundation Models for Autonomous Robotics: Methods and Perspectives": "https://github.com/clmoro/Robotics-RL-FMs-Integration",
    "Enhancing Retrieval and Managing Retrieval: A Four-Module Synergy for Improved Quality and Efficiency in RAG Systems": "https://github.com/Ancientshi/ERM4",
    "MaPLe: Multi-modal Prompt Learning": "https://github.com/muzairkhattak/multimodal-prompt-learning",
    "When Graph meets Multimodal: Benchmarking and Meditating on Multimodal Attributed Graphs Learning": "https://github.com/sktsherlock/MAGB",
    "Scaling Supervised Local Learning with Augmented Auxiliary Networks": "https://github.com/ChenxiangMA/AugLocal",
    "Unleashing Cognitive Synergy in Large Language Models: A Task-Solving Agent through Multi-Persona Self-Collaboration": "https://github.com/MikeWangWZHL/Solo-Performance-Prompting",
    "Can LLMs Learn by Teaching? A Preliminary Study": "https://github.com/imagination-research/lbt",
    "Twin-Merging: Dynamic Integration of Modular Expertise in Model Merging": "https://github.com/LZY-the-boys/Twin-Mergin",
    "Understanding the Role of Mixup in Knowledge Distillation: An Empirical Study": "https://github.com/hchoi71/MIX-KD",
    "Teacher algorithms for curriculum learning of Deep RL in continuously parameterized environments": "https://github.com/flowersteam/teachDeepRL",
    "FuseChat: Knowledge Fusion of Chat Models": "https://github.com/fanqiwan/FuseLLM",
    "Flow of Reasoning: Efficient Training of LLM Policy with Divergent Thinking": "https://github.com/Yu-Fangxu/FoR",
    "Can LLMs Learn from Previous Mistakes? Investigating LLMs' Errors to Boost for Reasoning": "https://github.com/YookiTong/Learn-from-Mistakes-CotErrorSet",
    "MixtureGrowth: Growing Neural Networks by Recombining Learned Parameters": "https://github.com/chaudatascience/mixturegrowth",
    "A Unified and General Framework for Continual Learning": "https://github.com/joey-wang123/CL-refresh-learning",
    "Meta-DMoE: Adapting to Domain Shift by Meta-Distillation from Mixture-of-Experts": "https://github.com/n3il666/Meta-DMoE",
    "Multi-task Self-supervised Graph Neural Networks Enable Stronger Task Generalization": "https://github.com/jumxglhf/ParetoGNN",
    "Pretraining task diversity and the emergence of non-Bayesian in-context learning for regression": "https://github.com/mansheej/icl-task-diversity",
}


def _sample_lines() -> list[str]:
    """The non-blank lines of the sample after its day line: title, abstract, title, abstract..."""
    lines = [line for line in SAMPLE.read_text(encoding="utf-8").split("\n") if line.strip()]
    return lines[lines.index("Mar 12") + 1 :]


# --- sample_feed.txt ---------------------------------------------------------------------------


def test_sample_gives_86_papers_in_file_order_with_whole_titles_and_abstracts() -> None:
    feed = read_feed(str(SAMPLE), today=TODAY)
    lines = _sample_lines()
    assert len(feed.papers) == 86
    assert [p.title for p in feed.papers] == lines[0::2]
    assert [p.abstract for p in feed.papers] == lines[1::2]
    assert feed.papers[0].title.startswith("UniFashion: A Unified")
    assert feed.papers[-1].title.startswith("Challenges and Opportunities of Using Transformer")
    assert all(p.id == paper_id(p.title) for p in feed.papers)
    assert {p.source for p in feed.papers} == {"sample_feed.txt"}
    assert {p.date for p in feed.papers} == {"2024-03-12"}
    assert (feed.encoding, feed.notes) == ("utf-8", [])


def test_sample_has_exactly_the_19_github_links() -> None:
    papers = read_feed(str(SAMPLE), today=TODAY).papers
    assert {p.title: p.github for p in papers if p.github} == SAMPLE_GITHUB
    assert sum(p.github is not None for p in papers) == 19


def test_sample_page_chrome_is_never_a_paper() -> None:
    titles = {p.title for p in read_feed(str(SAMPLE), today=TODAY).papers}
    chrome = {"new", "Subscribe", "Get trending papers in your email inbox!", "Mar 12"}
    assert not titles & (chrome | {"byAK and the research community"})


def test_sample_project_pages_are_links_not_the_github_link() -> None:
    by_title = {p.title: p for p in read_feed(str(SAMPLE), today=TODAY).papers}
    uni = by_title[
        "Uni-O4: Unifying Online and Offline Deep Reinforcement Learning with Multi-Step "
        "On-Policy Optimization"
    ]
    assert (uni.github, uni.links) == (None, ("https://lei-kun.github.io/uni-o4/",))
    lifelong = by_title["A Deep Learning Framework for Lifelong Machine Learning"]
    assert lifelong.links == ("https://youtu.be/gCuUyGETbTU", "https://youtu.be/XsaGI01b-1o")
    solo = by_title[next(t for t in SAMPLE_GITHUB if t.startswith("Unleashing"))]
    assert solo.links == ("https://github.com/MikeWangWZHL/Solo-Performance-Prompting",)


def test_sample_day_without_year_is_the_latest_not_in_the_future() -> None:
    before = read_feed(str(SAMPLE), today=datetime.date(2024, 3, 11)).papers
    assert {p.date for p in before} == {"2023-03-12"}


# --- a feed the parser was not written against ---------------------------------------------------


def test_variants_fixture_every_paper_title_link_and_day() -> None:
    """BOM, CRLF, CR-only and LF, cp1252 bytes, wrapped abstracts, a two-line title, blank and
    whitespace-only lines, trailing tabs, three days with their own chrome, a repeated title."""
    feed = read_feed(str(VARIANTS), today=datetime.date(2025, 3, 14))
    got = [(p.title, p.date, p.github) for p in feed.papers]
    assert got == [
        (
            "Café-Bench: Evaluating Naïve Agents on “Real” Tasks",
            "2025-03-14",
            "https://github.com/cafe-lab/cafe-bench",
        ),
        (
            "Sparse Mixture-of-Experts Routing Without Tears: A Practical Guide for Small Labs",
            "2025-03-14",
            "https://github.com/moe-lab/tears",
        ),
        ("Grasping in Clutter from a Single View", "2025-03-14", None),
        ("Do Agents Dream?", "2025-03-14", "https://github.com/dream-team/agents/tree/main/src"),
        (
            "Tokenizer-Free Language Modeling at Scale",
            "2025-03-13",
            "https://github.com/byte-lm/tokfree",
        ),
        ("Learning to Forget Gracefully", "2023-12-30", None),
    ]
    first = feed.papers[0]
    assert first.abstract == (
        "We introduce Café-Bench, a benchmark of everyday tasks that naive agents fail in "
        "surprising ways. Each task is checked by a program, so scores are exact. We evaluate "
        "twelve agents and find that none completes more than a third of the tasks. "
        "Code: https://github.com/cafe-lab/cafe-bench.git."
    )
    assert feed.papers[1].abstract.endswith("(code: https://github.com/moe-lab/tears).")
    assert feed.papers[2].links == (
        "https://robo-lab.github.io/grasp/",
        "https://github.com/robo-lab",
    )
    assert feed.papers[4].abstract == (
        "We train byte-level models at scale and match tokenised baselines. "
        "Weights at <https://github.com/byte-lm/tokfree>."
    )
    assert feed.encoding == "cp1252"
    assert feed.notes == [
        "variants.txt: not UTF-8, read as cp1252",
        "variants.txt: 1 repeated title(s) imported once, keeping the first",
    ]


def test_variants_days_follow_today() -> None:
    papers = read_feed(str(VARIANTS), today=datetime.date(2025, 3, 13)).papers
    assert [p.date for p in papers] == ["2024-03-14"] * 4 + ["2025-03-13", "2023-12-30"]


# --- structure ---------------------------------------------------------------------------------


def _parse(text: str, today: datetime.date = TODAY) -> list[tuple[str, str, str | None]]:
    return [(p.title, p.abstract, p.date) for p in parse(text, "t.txt", today)]


@pytest.mark.parametrize(
    ("day_line", "today", "date"),
    [
        ("Mar 12", datetime.date(2024, 3, 12), "2024-03-12"),
        ("Mar 12", datetime.date(2024, 3, 11), "2023-03-12"),
        ("March 12", datetime.date(2024, 6, 1), "2024-03-12"),
        ("Mar 12, 2020", datetime.date(2024, 6, 1), "2020-03-12"),
        ("March 12, 2030", datetime.date(2024, 6, 1), "2030-03-12"),
        ("Dec 31", datetime.date(2025, 1, 1), "2024-12-31"),
        ("Feb 29", datetime.date(2025, 3, 1), "2024-02-29"),
        ("Sept 3", datetime.date(2024, 9, 3), "2024-09-03"),
        ("  mar 12\t", datetime.date(2024, 6, 1), "2024-03-12"),
        ("2024-03-12", datetime.date(2020, 1, 1), "2024-03-12"),
    ],
)
def test_day_lines(day_line: str, today: datetime.date, date: str) -> None:
    assert _parse(f"{day_line}\n\nA Title\n\nAn abstract.\n", today) == [
        ("A Title", "An abstract.", date)
    ]


def test_a_day_that_does_not_exist_is_text_not_a_day() -> None:
    assert _parse("Mar 12\n\nFeb 30\n\nAn abstract.\n") == [
        ("Feb 30", "An abstract.", "2024-03-12")
    ]


def test_papers_before_any_day_line_have_no_date() -> None:
    assert _parse("Title\n\nAbstract.\n") == [("Title", "Abstract.", None)]


def test_day_and_chrome_lines_need_no_blank_lines_around_them() -> None:
    text = "new\nSubscribe\nMar 12\nFirst Title\n\nFirst abstract.\nMar 11\nSecond\n\nIts abstract."
    assert _parse(text) == [
        ("First Title", "First abstract.", "2024-03-12"),
        ("Second", "Its abstract.", "2024-03-11"),
    ]


def test_wrapped_title_and_abstract_are_joined_with_one_space() -> None:
    text = (
        "Mar 12\n\n  A Title That\t\nWraps  \n \t\n\n\nAn abstract\n  hard wrapped \nover lines.\n"
    )
    assert _parse(text) == [
        ("A Title That Wraps", "An abstract hard wrapped over lines.", "2024-03-12")
    ]


def test_interior_spacing_of_an_abstract_is_kept_with_tabs_as_spaces() -> None:
    assert _parse("T\n\nA  b\tc.\n")[0][1] == "A  b c."


def test_a_title_without_an_abstract_before_a_new_paper_is_joined_or_skipped() -> None:
    abstract = "A long abstract sentence. " * 20
    split_title = f"Mar 12\n\nA Title Split\n\nBy A Blank Line\n\n{abstract}\n"
    assert _parse(split_title)[0][0] == "A Title Split By A Blank Line"
    text = f"Mar 12\n\nOrphan Title\n\nMar 11\n\nReal Title\n\n{abstract}\n"
    papers, notes = parse_with_notes(text, "t.txt", TODAY)
    assert [p.title for p in papers] == ["Real Title"]
    assert notes == ["t.txt: 1 title(s) without an abstract skipped"]


def test_a_long_paragraph_where_a_title_is_due_continues_the_abstract() -> None:
    more = "The abstract goes on in a second paragraph. " * 10
    papers = _parse(f"Title\n\nFirst part.\n\n{more}\n\nNext\n\nNext abstract.")
    assert papers[0][1] == f"First part. {more.strip()}"
    assert [p[0] for p in papers] == ["Title", "Next"]


#: A paragraph of exactly 412 characters: too long to be a title (TITLE_MAX is 300).
LONG_412 = "A Very Long Title " * 21 + "That Goes On And On Past The Limit"


def test_a_long_paragraph_joined_to_an_abstract_is_named_in_the_notes() -> None:
    assert len(LONG_412) == 412
    text = f"Mar 12\n\nAttention Is All You Need\n\nFirst part.\n\n{LONG_412}\n\nMar 11\n\nN\n\nA."
    papers, notes = parse_with_notes(text, "sample.txt", TODAY)
    assert [p.title for p in papers] == ["Attention Is All You Need", "N"]
    assert papers[0].abstract == f"First part. {LONG_412}"
    assert notes == [
        "sample.txt: a paragraph where a title was due, too long to be one (over 300 characters), "
        'was joined to the abstract of "Attention Is All You Need" (+412 characters)'
    ]


def test_joined_paragraphs_are_counted_per_paper_and_named_for_the_first_five() -> None:
    text = f"Paper 0\n\nAbstract 0.\n\n{LONG_412}\n\n{LONG_412}\n\n"
    text += "".join(f"Paper {i}\n\nAbstract {i}.\n\n{LONG_412}\n\n" for i in range(1, 7))
    papers, notes = parse_with_notes(text, "t.txt", TODAY)
    assert [p.title for p in papers] == [f"Paper {i}" for i in range(7)]
    assert notes[0] == (
        "t.txt: 2 paragraphs where a title was due, too long to be one (over 300 characters), "
        'were joined to the abstract of "Paper 0" (+824 characters)'
    )
    assert [note.split('"')[1] for note in notes[1:5]] == [
        "Paper 1",
        "Paper 2",
        "Paper 3",
        "Paper 4",
    ]
    assert notes[5:] == [
        "t.txt: 2 more paragraph(s) where a title was due, too long to be one, joined to the "
        "abstract before them"
    ]


def test_a_long_paragraph_before_any_paper_is_skipped() -> None:
    intro = "Some introduction that is not a paper at all. " * 10
    papers, notes = parse_with_notes(f"{intro}\n\nTitle\n\nAbstract.", "t.txt", TODAY)
    assert [p.title for p in papers] == ["Title"]
    assert notes == ["t.txt: 1 paragraph(s) outside any paper skipped"]


def test_same_title_twice_is_one_paper_keeping_the_first_day() -> None:
    text = (
        "Mar 13\n\nA Paper\n\nFirst abstract https://github.com/a/one.\n\n"
        "Mar 12\n\nA  paper!\n\nSecond abstract https://github.com/a/two.\n\nOther\n\nX."
    )
    papers = parse(text, "t.txt", TODAY)
    assert [(p.title, p.date, p.github) for p in papers] == [
        ("A Paper", "2024-03-13", "https://github.com/a/one"),
        ("Other", "2024-03-12", None),
    ]


def test_line_endings_and_bom_are_all_read() -> None:
    expected = [("T1", "A one.", "2024-03-12"), ("T2", "A two.", "2024-03-12")]
    for eol in ("\n", "\r\n", "\r"):
        text = eol.join(["\ufeffMar 12", "", "T1", "", "A one.", "", "T2", "", "A two."])
        assert _parse(text) == expected, repr(eol)


# --- hostile text ------------------------------------------------------------------------------


def test_rich_markup_in_titles_is_kept_literally() -> None:
    title = "[bold]Bold[/] and [link=file:///etc/passwd]x[/link] [red]"
    assert _parse(f"{title}\n\nAbstract [i]x[/i].")[0][:2] == (title, "Abstract [i]x[/i].")


def test_escape_sequences_are_removed_and_said_so() -> None:
    text = (
        "\x1b[2J\x1b[HMar 12\n\n\x1b[31mRed\x1b[0m Title\x1b]52;c;ZXZpbA==\x07\n\n"
        "Abstract\x1b]0;title\x1b\\ with\x07 bell\x00 and NUL.\x1bc\n"
    )
    papers, notes = parse_with_notes(text, "t.txt", TODAY)
    assert [(p.title, p.abstract, p.date) for p in papers] == [
        ("Red Title", "Abstract with bell and NUL.", "2024-03-12")
    ]
    assert notes == ["t.txt: control characters and terminal escape sequences removed"]


def test_right_to_left_wide_and_emoji_text_is_kept() -> None:
    title = "نموذج لغوي 大型语言模型 🤖🧪 ｗｉｄｅ"
    assert _parse(f"{title}\n\nעברית abstract 👩‍🔬.")[0][:2] == (title, "עברית abstract 👩‍🔬.")


# --- parse_feed / read_feed: errors and encodings ----------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "x.txt: empty file"),
        (b" \n\t\r\n  ", "x.txt: empty file (only whitespace)"),
        (bytes(range(256)) * 100, "x.txt: binary data, not a text feed"),
        (b"\x00" * 100, "x.txt: binary data, not a text feed"),
        (b"new\n\nSubscribe\n\nMar 12\n", "x.txt: no papers found"),
        (b"just one line", "x.txt: no papers found"),
        (b"x" * 10_000_000, "x.txt: no papers found"),
    ],
)
def test_bad_input_is_one_line_feed_error_naming_the_source(data: bytes, message: str) -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed(data, "x.txt", TODAY)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_cp1252_feed_is_read_and_noted() -> None:
    data = "Caf\u00e9 \u201cTitle\u201d\n\nNa\u00efve abstract \u2014 ok.".encode("cp1252")
    feed = parse_feed(data, "sample.txt", TODAY)
    assert [p.title for p in feed.papers] == ["Café “Title”"]
    assert feed.papers[0].abstract == "Naïve abstract — ok."
    assert feed.notes == ["sample.txt: not UTF-8, read as cp1252"]


def test_nul_bytes_in_a_text_feed_are_dropped() -> None:
    data = b"Ti\x00tle\n\nAn abstract" + b" that goes on." * 50
    assert [p.title for p in parse_feed(data, "x.txt", TODAY).papers] == ["Title"]


def test_read_feed_errors_name_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    with pytest.raises(FeedError, match=r"nope\.txt: no such file$"):
        read_feed(str(missing))
    with pytest.raises(FeedError, match=r": is a directory, not a feed file$"):
        read_feed(str(tmp_path))
    if os.path.exists("/dev/zero"):
        with pytest.raises(FeedError, match=r"^/dev/zero: not a regular file$"):
            read_feed("/dev/zero")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads anything")
def test_read_feed_unreadable_file(tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text("T\n\nA.")
    locked.chmod(0)
    with pytest.raises(FeedError, match=r"locked\.txt: permission denied$"):
        read_feed(str(locked))


def test_read_feed_source_is_the_base_name(tmp_path: Path) -> None:
    feed_file = tmp_path / "daily.txt"
    feed_file.write_bytes(b"Mar 12\n\nT\n\nA.")
    feed = read_feed(str(feed_file), today=TODAY)
    assert (feed.source, feed.papers[0].source) == ("daily.txt", "daily.txt")


def test_read_feed_dash_reads_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b"Mar 12\r\n\r\nT\r\n\r\nA."))
    monkeypatch.setattr(sys, "stdin", stdin)
    feed = read_feed("-", today=TODAY)
    assert feed.source == "<stdin>"
    assert [(p.title, p.abstract, p.source) for p in feed.papers] == [("T", "A.", "<stdin>")]


# --- size ----------------------------------------------------------------------------------------


def _synthetic_feed(papers: int) -> bytes:
    lines = _sample_lines()
    out = ["new", "", "Mar 12", ""]
    for n in range(papers):
        out += [f"{lines[(2 * n) % len(lines)]} ({n})", "", lines[(2 * n + 1) % len(lines)], ""]
    return "\n".join(out).encode()


def test_10k_papers_parse_quickly() -> None:
    data = _synthetic_feed(10_000)
    started = time.process_time()
    papers = parse_feed(data, "big.txt", TODAY).papers
    elapsed = time.process_time() - started
    assert len(papers) == 10_000
    assert papers[9_999].title.endswith("(9999)")
    assert elapsed < 1.0, f"{elapsed:.2f} s of CPU for 10,000 papers"


def test_50_mb_feed_parses() -> None:
    data = _synthetic_feed(33_000)
    assert len(data) > 50_000_000
    assert len(parse_feed(data, "huge.txt", TODAY).papers) == 33_000


def test_titles_of_markup_or_punctuation_alone_are_papers_kept_literally() -> None:
    """`[/]` is a real (if odd) title: it must be imported and shown as is, not dropped."""
    text = "Mar 10\n\n[/]\n\nAn abstract long enough to be one.\n\n[bold]x[/]\n\nAnother one.\n"
    papers = parse(text, "markup.txt", datetime.date(2024, 3, 20))
    assert [p.title for p in papers] == ["[/]", "[bold]x[/]"]
    assert len({p.id for p in papers}) == 2


# ----------------------------------------------------------------- the fast id


def reference_id(title: str) -> str:
    """`paper_id` by its definition: sha1 of the normalised title, without the ASCII fast path."""
    return hashlib.sha1(normalise_title(title).encode("utf-8")).hexdigest()[:10]


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_fast_paper_id_is_the_defined_id_for_every_ascii_title(title: str) -> None:
    assert paper_id(title) == reference_id(title)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=30))
def test_fast_paper_id_is_the_defined_id_for_any_title(title: str) -> None:
    assert paper_id(title) == reference_id(title)


@pytest.mark.parametrize(
    "title",
    [
        "",
        "   ",
        "[/]",
        "---",
        "a_b",
        "A\x1cB\x1fC",
        "\x1c\x1d\x1e\x1f",
        "\x0b\x0c\t\r\n x",
        "MaPLe: Multi-modal Prompt Learning",
        "Ünïcode Title",
        "Straße",
        "ﬁne-tuning",
    ],
)
def test_fast_paper_id_is_the_defined_id_at_the_edges(title: str) -> None:
    assert paper_id(title) == reference_id(title)


def test_fast_paper_id_is_the_defined_id_for_every_sample_title() -> None:
    papers = parse(SAMPLE.read_text(encoding="utf-8"), "sample_feed.txt", TODAY)
    assert all(paper.id == reference_id(paper.title) for paper in papers)
    assert all(paper_id(chr(c) * 3 + "x") == reference_id(chr(c) * 3 + "x") for c in range(256))
