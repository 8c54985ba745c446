"""arXiv ids: every spelling a user pastes or a feed gives reduces to one id; nothing else does."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readlist.core.arxiv_ids import OLD_ARCHIVES, abs_url, parse_arxiv_id, pdf_url


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2403.01234", ("2403.01234", None)),
        ("arXiv:2403.01234v2", ("2403.01234", "v2")),
        ("arxiv: 2403.01234", ("2403.01234", None)),
        ("https://arxiv.org/abs/2403.01234v2", ("2403.01234", "v2")),
        ("https://arxiv.org/pdf/2403.01234v2", ("2403.01234", "v2")),
        ("https://arxiv.org/pdf/2403.01234v2.pdf", ("2403.01234", "v2")),
        ("https://arxiv.org/pdf/2403.01234", ("2403.01234", None)),
        ("http://arxiv.org/abs/hep-ph/0301050v2", ("hep-ph/0301050", "v2")),
        ("http://arxiv.org/pdf/cond-mat/0412498v1", ("cond-mat/0412498", "v1")),
        ("https://huggingface.co/papers/2403.01234", ("2403.01234", None)),
        ("hep-th/9901001", ("hep-th/9901001", None)),
        ("math.GT/0309136", ("math/0309136", None)),  # the subject class names the same paper
        ("https://export.arxiv.org/abs/2202.12139v1", ("2202.12139", "v1")),
        ("https://www.arxiv.org/abs/2202.12139", ("2202.12139", None)),
        ("arxiv.org/abs/2403.01234?context=cs.CL", ("2403.01234", None)),
        ("https://arxiv.org/abs/2403.01234/", ("2403.01234", None)),
        ("https://arxiv.org/html/2403.01234v3#S2", ("2403.01234", "v3")),
        ("  2403.01234\n", ("2403.01234", None)),
        ("0704.0001", ("0704.0001", None)),  # the first new-style id
        ("1412.9999", ("1412.9999", None)),  # the last four-digit month
        ("1501.00001", ("1501.00001", None)),  # the first five-digit month
        ("2403.01234V2", ("2403.01234", "v2")),
        ("2403.01234v10", ("2403.01234", "v10")),
    ],
)
def test_accepted_spellings(text: str, expected: tuple[str, str | None]) -> None:
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2403",
        "2403.1234",  # four digits after 2014
        "1412.12345",  # five digits before 2015
        "0703.0001",  # before the new scheme began
        "2413.01234",  # month 13
        "2400.01234",
        "2403.01234v0",
        "2403.01234v",
        "2403.012345",
        "2403.01234 2403.01235",
        "HEP-TH/9901001",
        "hep-th/990100",
        "hep-th/99010011",
        "hep-th/9913001",  # month 13
        "hep-th/0704001",  # after old-style ids ended
        "hep-th/9001001",  # before arXiv began
        "foo-bar/9901001",
        "arXiv:",
        "https://example.com/abs/2403.01234",
        "https://arxiv.org/list/2403.01234",
        "https://arxiv.org/abs/2403.01234.pdf",
        "https://arxiv.org.evil.example/abs/2403.01234",
        "ftp://arxiv.org/abs/2403.01234",
        "https://huggingface.co/2403.01234",
        "10.1093/bioinformatics/btac431",
        "Attention Is All You Need",
        "２４０３.０１２３４",  # full-width digits
    ],
)
def test_everything_else_is_refused(text: str) -> None:
    assert parse_arxiv_id(text) is None


def test_urls() -> None:
    assert abs_url("2403.01234") == "https://arxiv.org/abs/2403.01234"
    assert pdf_url("hep-th/9901001") == "https://arxiv.org/pdf/hep-th/9901001"


NEW_IDS = st.builds(
    lambda year, month, number: (
        f"{year:02d}{month:02d}.{number % 10000:04d}"
        if (year, month) < (15, 1)
        else f"{year:02d}{month:02d}.{number:05d}"
    ),
    st.integers(7, 99),
    st.integers(1, 12),
    st.integers(0, 99999),
).filter(lambda i: i >= "0704")
OLD_IDS = st.builds(
    lambda archive, yymm, number: f"{archive}/{yymm}{number:03d}",
    st.sampled_from(sorted(OLD_ARCHIVES)),
    st.sampled_from(
        [f"{y:02d}{m:02d}" for y in (*range(91, 100), *range(0, 8)) for m in range(1, 13)]
    ).filter(lambda yymm: yymm >= "9108" or yymm <= "0703"),
    st.integers(0, 999),
)
IDS = NEW_IDS | OLD_IDS
VERSIONS = st.none() | st.integers(1, 30).map(lambda n: f"v{n}")


@settings(max_examples=300)
@given(IDS, VERSIONS, st.sampled_from(["{}", "arXiv:{}", "https://arxiv.org/abs/{}"]))
def test_every_real_id_in_every_spelling(arxiv_id: str, version: str | None, shape: str) -> None:
    text = shape.format(arxiv_id + (version or ""))
    assert parse_arxiv_id(text) == (arxiv_id, version)
    assert parse_arxiv_id(f"https://arxiv.org/pdf/{arxiv_id}{version or ''}.pdf") == (
        arxiv_id,
        version,
    )
    assert parse_arxiv_id(abs_url(arxiv_id)) == (arxiv_id, None)
    assert parse_arxiv_id(pdf_url(arxiv_id)) == (arxiv_id, None)


@settings(max_examples=500)
@given(st.text() | IDS.map(lambda i: i + "x") | st.from_regex(r"\A[0-9a-z./:-]{0,20}\Z"))
def test_any_text_gives_an_id_that_parses_to_itself_or_none(text: str) -> None:
    found = parse_arxiv_id(text)
    if found is not None:
        arxiv_id, version = found
        assert parse_arxiv_id(arxiv_id) == (arxiv_id, None)
        assert version is None or (version[0] == "v" and version[1:].isdigit())
