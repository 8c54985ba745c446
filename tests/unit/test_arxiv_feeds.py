"""The arXiv readers (API Atom, listing RSS) on hand-written fixtures, and XML that attacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from readlist.core.errors import FeedError
from readlist.core.formats import arxiv_atom, arxiv_rss, parse_feed
from readlist.core.formats.arxiv_rss import split_creators
from readlist.core.formats.fields import cannot_declare
from readlist.core.models import paper_id

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
ATOM = (FIXTURES / "arxiv_atom.xml").read_bytes()
RSS = (FIXTURES / "arxiv_rss.xml").read_bytes()


def test_atom_fields() -> None:
    attention, quarks, bare = arxiv_atom.parse(ATOM, "api")
    assert attention.title == "Attention Is All You Need"  # hard-wrapped, indented
    assert attention.id == paper_id("Attention Is All You Need")
    assert attention.arxiv_id == "1706.03762"  # the version dropped
    assert attention.authors == ("Ashish Vaswani", "Noam Shazeer", "Łukasz Kaiser")
    assert (attention.date, attention.published) == ("2017-06-12", "2017-06-12")
    # The primary category first, then the others in order, each once.
    assert attention.categories == ("cs.CL", "cs.LG")
    assert attention.comment == (
        "15 pages, 5 figures; code at https://github.com/tensorflow/tensor2tensor"
    )
    # The repository named only in the comment is still the paper's GitHub link.
    assert attention.github == "https://github.com/tensorflow/tensor2tensor"
    assert attention.links == ()
    assert (attention.doi, attention.journal_ref, attention.upvotes) == (None, None, None)
    assert attention.source == "api"
    # LaTeX as written; entities decoded once by XML, the markup then shown literally.
    assert attention.abstract == (
        "The dominant sequence transduction models are based on complex recurrent or "
        "convolutional neural networks. We propose the Transformer, based solely on attention, "
        "with $O(n^2 \\cdot d)$ cost & <b>no</b> recurrence."
    )
    assert quarks.arxiv_id == "hep-ph/0301050"
    assert quarks.title == "Heavy Quarks at Large Momentum Transfer"  # a C1 control removed
    assert quarks.authors == ("Jane Q. Physicist", "de la Cruz, Maria")
    assert quarks.categories == ("hep-ph", "hep-ex")
    assert quarks.comment == "12 pages, 3 figures"
    assert quarks.doi == "10.1103/PhysRevD.67.000000"
    assert quarks.journal_ref == "Phys. Rev. D 67, 000000 (2003)"
    assert quarks.published == "2003-01-08"
    assert (bare.arxiv_id, bare.categories, bare.comment, bare.github) == (
        "2403.01234",
        ("stat.ML",),
        None,
        None,
    )


def test_atom_error_response_is_a_feed_error_with_its_reason() -> None:
    data = (FIXTURES / "arxiv_atom_error.xml").read_bytes()
    with pytest.raises(FeedError, match=r"^add: arXiv API error: incorrect id format for 2403"):
        arxiv_atom.parse(data, "add")


def test_atom_without_results_is_no_papers() -> None:
    empty = ATOM.split(b"<entry>")[0] + b"</feed>"
    assert arxiv_atom.parse(empty, "api") == []


def test_atom_that_is_not_arxiv() -> None:
    blog = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>tag:blog,2024:1</id>'
        b"<title>A Post</title></entry></feed>"
    )
    with pytest.raises(FeedError, match=r"^blog.xml: not an arXiv API response \(no entry"):
        arxiv_atom.parse(blog, "blog.xml")
    with pytest.raises(FeedError, match=r"^x: not an arXiv API response \(expected an arXiv"):
        arxiv_atom.parse(RSS, "x")


def test_atom_skips_entries_it_cannot_use_and_says_so() -> None:
    first = b"<entry>" + ATOM.split(b"<entry>")[1].split(b"</entry>")[0] + b"</entry>"
    odd = b"<entry><id>http://example.org/1</id><title>Elsewhere</title></entry>"
    untitled = b"<entry><id>http://arxiv.org/abs/2403.00002v1</id><title> </title></entry>"
    data = ATOM.replace(b"</feed>", first + odd + untitled + b"</feed>")
    found, notes = arxiv_atom.parse_with_notes(data, "api")
    assert [p.arxiv_id for p in found] == ["1706.03762", "hep-ph/0301050", "2403.01234"]
    assert notes == [
        "api: 1 entry(ies) without an arXiv id skipped",
        "api: 1 entry(ies) without a usable title skipped",
        "api: 1 repeated paper(s) imported once, keeping the first",
    ]


def test_rss_new_and_cross_only_by_default() -> None:
    found, notes = arxiv_rss.parse_with_notes(RSS, "cs.CL+stat.ML")
    assert [p.arxiv_id for p in found] == ["2609.00001", "2205.06398"]
    assert notes == [
        "cs.CL+stat.ML: 2 replaced paper(s) skipped (new and cross-listed papers only)"
    ]
    everything = arxiv_rss.parse(RSS, "cs.CL+stat.ML", replacements=True)
    assert [p.arxiv_id for p in everything] == [
        "2609.00001",
        "2205.06398",
        "2009.13987",
        "hep-th/9901001",
    ]


def test_rss_fields() -> None:
    new, cross, replaced, old = arxiv_rss.parse(RSS, "listing", replacements=True)
    assert new.title == "Tokenizers Considered <i>Harmful</i>"
    assert new.abstract == (
        "We show that $\\alpha$-tokenizers are harmful & slow. Code: https://github.com/tok/harm."
    )
    assert new.github == "https://github.com/tok/harm"
    assert new.links == ("https://github.com/tok/harm",)
    assert new.authors == ("Ann Author", "Bob Builder", "Carla Coder")
    assert new.categories == ("cs.CL", "cs.LG")
    assert new.date == "2026-09-24"  # midnight at -0400 is that day, not the day before or after
    assert (new.published, new.doi, new.comment, new.upvotes) == (None, None, None, None)
    # No pubDate of its own: the channel's announcement day.
    assert cross.date == "2026-09-24"
    assert cross.authors == ("Dee Dey", "Zed Zhang")
    assert cross.doi == "10.1093/bioinformatics/btac431"
    assert cross.journal_ref == "Bioinformatics 38 (2022) 1-8"
    assert cross.categories == ("stat.ME", "stat.ML")
    assert replaced.arxiv_id == "2009.13987"
    assert old.arxiv_id == "hep-th/9901001"
    assert old.authors == ("Edward Witten-Like Jr.", "Q. Physicist")


def test_rss_without_items_is_no_papers() -> None:
    weekend = RSS.split(b"<item>")[0] + b"</channel></rss>"
    assert arxiv_rss.parse(weekend, "cs.CL") == []


def test_rss_item_without_announce_type_counts_as_new() -> None:
    plain = RSS.replace(b"<arxiv:announce_type>replace</arxiv:announce_type>", b"")
    assert len(arxiv_rss.parse(plain, "x")) == 3


@pytest.mark.parametrize(
    ("creators", "names"),
    [
        ("Fabien Polly", ("Fabien Polly",)),
        ("A One, B Two, C Three", ("A One", "B Two", "C Three")),
        ("A One, B Two, and C Three", ("A One", "B Two", "C Three")),
        ("A One, B Two and C Three", ("A One", "B Two", "C Three")),
        ("A One and B Two", ("A One", "B Two")),
        ("Anand Kumar, Rand Paulson", ("Anand Kumar", "Rand Paulson")),  # `and` inside names
        ("Martin King, Jr., Ann Lee", ("Martin King Jr.", "Ann Lee")),
        (" , A One,, ", ("A One",)),
        ("", ()),
    ],
)
def test_rss_creators(creators: str, names: tuple[str, ...]) -> None:
    assert split_creators(creators) == names


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE feed [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2403.01234v1</id>
<title>&f;</title></entry></feed>
"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>&secret;</title></item></channel></rss>
"""
PARAMETER = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<rss version="2.0"><channel/></rss>
"""


@pytest.mark.parametrize("data", [BOMB, EXTERNAL, PARAMETER], ids=["bomb", "external", "param"])
def test_entity_declarations_are_refused(data: bytes) -> None:
    for parse in (arxiv_atom.parse, arxiv_rss.parse):
        with pytest.raises(FeedError, match=r"^cs\.CL: refused: the XML declares entities"):
            parse(data, "cs.CL")
    with pytest.raises(FeedError, match=r"^saved\.xml: refused: the XML declares entities"):
        parse_feed(data, "saved.xml")


def in_other_encodings(data: bytes) -> list[bytes]:
    """The same document where the bytes `<!DOCTYPE` do not appear as ASCII."""
    text = data.decode("ascii").replace('<?xml version="1.0"?>', "")
    return [
        ("\ufeff" + text).encode("utf-16-le"),
        ('<?xml version="1.0" encoding="utf-16"?>' + text).encode("utf-16"),
        ('<?xml version="1.0" encoding="cp037"?>' + text).encode("cp037"),
    ]


@pytest.mark.parametrize("data", in_other_encodings(BOMB) + in_other_encodings(EXTERNAL))
def test_entity_declarations_are_refused_in_any_encoding(data: bytes) -> None:
    """The quick path (the C parser) is only for UTF-8 without a DOCTYPE; every other document
    goes through defusedxml, however it spells `<!DOCTYPE`."""
    assert not cannot_declare(data)
    with pytest.raises(FeedError, match=r"^saved\.xml: "):  # refused, or not read as XML at all
        parse_feed(data, "saved.xml")


def test_the_quick_path_takes_plain_utf8_feeds() -> None:
    assert cannot_declare(ATOM) and cannot_declare(b'\xef\xbb\xbf<?xml version="1.0"?><rss/>')
    assert cannot_declare(b"<?xml version='1.0' encoding='UTF-8'?><rss/>")
    assert not cannot_declare(BOMB) and not cannot_declare(b'<?xml encoding="latin-1"?><rss/>')


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<rss><channel><item><title>cut", "not well-formed XML (no element found"),
        (b"<rss><channel><title>&nbsp;</title></channel></rss>", "undefined entity"),
        (b'<?xml version="1.0" encoding="bogus"?><rss/>', "cannot read the XML"),
        (b"<rss/>", "not an arXiv RSS feed"),
        (ATOM, "not an arXiv RSS feed"),
    ],
)
def test_bad_rss_is_one_line_naming_the_source(data: bytes, reason: str) -> None:
    with pytest.raises(FeedError) as caught:
        arxiv_rss.parse(data, "cs.CL")
    message = str(caught.value)
    assert message.startswith("cs.CL: ") and reason in message and "\n" not in message
