"""Properties of the feed parser and link cleaner on arbitrary input (hypothesis).

A feed is untrusted text: whatever it holds, parsing gives papers or a FeedError, stored text is
free of control characters, and parsing is stable (a feed written back from the papers parses to
the same papers), so re-importing an exported or edited feed never changes the library.
"""

from __future__ import annotations

import datetime
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from readlist.core.errors import FeedError
from readlist.core.formats import parse_feed
from readlist.core.formats.daily_papers import parse
from readlist.core.links import extract_links, github_link, github_repo_url, is_web_url
from readlist.core.models import Paper

TODAY = datetime.date(2024, 6, 1)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

#: Lines that exercise the parser's decisions: chrome, day lines (real and impossible), blanks.
SPECIAL_LINES = st.sampled_from(
    [
        "",
        " \t",
        "new",
        "Subscribe",
        "Get trending papers in your email inbox!",
        "byAK and the research community",
        "Mar 12",
        "March 3, 2021",
        "Feb 29",
        "Feb 30",
        "2024-03-12",
        "\x1b[31m",
        "\x1b]52;c;eA==\x07",
        "[bold]x[/]",
        "See https://github.com/o/r.git.",
        "\ufeff",
    ]
)
LONG_LINE = st.text(min_size=290, max_size=400)
PARAGRAPH = st.lists(
    st.one_of(st.text(max_size=60), LONG_LINE, SPECIAL_LINES), min_size=1, max_size=3
)
FEEDISH = st.lists(
    st.tuples(PARAGRAPH, st.sampled_from(["\n", "\n\n", "\n \t\n", "\n\n\n"])), max_size=16
).map(lambda items: "".join("\n".join(lines) + gap for lines, gap in items))
ANY_TEXT = st.one_of(st.text(), FEEDISH, FEEDISH.map(lambda t: t.replace("\n", "\r\n")))


def write_feed(papers: list[Paper]) -> str:
    """The feed a user would get by writing papers back: day lines, title, blank, abstract."""
    out: list[str] = []
    day: str | None = None
    for paper in papers:
        if paper.date != day:
            assert paper.date is not None, "an undated paper after a dated one"
            date = datetime.date.fromisoformat(paper.date)
            out += [f"{MONTHS[date.month - 1]} {date.day}, {date.year:04d}", ""]
            day = paper.date
        out += [paper.title, "", paper.abstract, ""]
    return "\n".join(out)


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_parser_never_raises_and_stores_clean_text(text: str) -> None:
    papers = parse(text, "p.txt", TODAY)
    for paper in papers:
        assert paper.title and paper.abstract
        assert paper.title == paper.title.strip()
        assert not CONTROL.search(paper.title) and not CONTROL.search(paper.abstract)
        assert all(is_web_url(url) for url in paper.links)
        assert paper.github is None or paper.github.startswith("https://github.com/")
    assert len({paper.id for paper in papers}) == len(papers)


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_written_back_feed_parses_to_the_same_papers(text: str) -> None:
    papers = parse(text, "p.txt", TODAY)
    assert parse(write_feed(papers), "p.txt", TODAY) == papers


#: Any text without control characters (the parser removes those) or the BOM character.
CONTENT = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufeff"))


def _hard_wrap(text: str) -> str:
    """Lines of at least eight words: never mistaken for a day or chrome line."""
    words = text.split(" ")
    lines = [words[i : i + 8] for i in range(0, len(words), 8)]
    if len(lines) > 1 and len(lines[-1]) < 8:
        last = lines.pop()
        lines[-1] += last
    return "\n".join(" ".join(line) for line in lines)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(CONTENT, CONTENT, st.integers(0, 3)), min_size=1, max_size=8))
def test_well_formed_feed_gives_every_paper(entries: list[tuple[str, str, int]]) -> None:
    """Titles and abstracts of any content, in the Daily Papers shape, all come back whole."""
    lines = ["new", "", "Mar 12", ""]
    expected: list[tuple[str, str]] = []
    for number, (title_text, abstract_text, blanks) in enumerate(entries):
        title = " ".join(f"Paper {number}: {title_text[:120]}".split())
        abstract = " ".join(f"Abstract of paper {number} says {abstract_text} and ends.".split())
        lines += [title, *[" \t"] * blanks, "", _hard_wrap(abstract), ""]
        expected.append((title, abstract))
    papers = parse("\n".join(lines), "p.txt", TODAY)
    assert [(p.title, p.abstract) for p in papers] == expected
    assert [p.date for p in papers] == ["2024-03-12"] * len(entries)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_give_papers_or_a_one_line_feed_error(data: bytes) -> None:
    try:
        feed = parse_feed(data, "b.txt", TODAY)
    except FeedError as error:
        assert str(error).startswith("b.txt: ") and "\n" not in str(error)
    else:
        assert feed.papers


URL = st.builds(
    lambda scheme, host, path, tail: f"{scheme}://{host}{''.join('/' + p for p in path)}{tail}",
    st.sampled_from(["http", "https", "HTTPS"]),
    st.sampled_from(["github.com", "www.github.com", "o.github.io", "a.org", ""]),
    st.lists(st.text(alphabet="ab.()-_git", max_size=8), max_size=4),
    st.text(alphabet=".,;:)]}>'\"", max_size=3),
)
URLISH = st.lists(
    st.one_of(
        st.text(max_size=20),
        st.sampled_from(["https://", "http://", "github.com/", ".git", ")", "(", "\\url{", "}"]),
        URL,
    ),
    max_size=12,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), URLISH))
def test_link_cleaner_never_raises_and_gives_clean_web_urls(text: str) -> None:
    links = extract_links(text)
    assert len(set(links)) == len(links)
    for url in links:
        assert is_web_url(url)
        assert url in text
        assert not url.endswith((".", ",", ";", ":", "'", '"', ".git"))
    repo = github_link(links)
    if repo is not None:
        assert repo.startswith("https://github.com/")
        assert github_repo_url(repo) == repo
