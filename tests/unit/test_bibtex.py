"""Citations a LaTeX user can paste: arXiv fields, author lists, keys unique within an export."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares import SeparateCoAuthors
from hypothesis import given, settings
from hypothesis import strategies as st

from readlist.core.formats import read_feed
from readlist.core.formats.bibtex import bibtex_entry, citation_key, citation_keys, to_bibtex
from readlist.core.models import Entry, Paper, PaperState, paper_id

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


def arxiv_paper(title: str = "Attention Is All You Need", **fields: object) -> Entry:
    values: dict[str, object] = {
        "abstract": "We propose the Transformer.",
        "date": "2024-03-12",
        "authors": ("Ashish Vaswani", "Noam Shazeer"),
        "arxiv_id": "1706.03762",
        "published": "2017-06-12",
        "categories": ("cs.CL", "cs.LG"),
        **fields,
    }
    return Entry(Paper(paper_id(title), title, **values))  # type: ignore[arg-type]


def fields_of(text: str) -> dict[str, str]:
    (parsed,) = parse_string(text).entries
    return {name: field.value for name, field in parsed.fields_dict.items()}


def test_an_arxiv_paper_is_a_citation_to_paste() -> None:
    entry = arxiv_paper(doi="10.5555/3295222.3295349", journal_ref="NeurIPS 2017, pp. 5998-6008")
    assert bibtex_entry(entry) == (
        "@misc{vaswani2017attention,\n"
        "  author = {Ashish Vaswani and Noam Shazeer},\n"
        "  title = {{Attention Is All You Need}},\n"
        "  year = {2017},\n"
        "  month = jun,\n"
        "  eprint = {1706.03762},\n"
        "  archivePrefix = {arXiv},\n"
        "  primaryClass = {cs.CL},\n"
        "  doi = {10.5555/3295222.3295349},\n"
        "  url = {https://arxiv.org/abs/1706.03762},\n"
        "  howpublished = {NeurIPS 2017, pp. 5998-6008},\n"
        "  abstract = {We propose the Transformer.}\n"
        "}\n"
    )


def test_the_fixture_feeds_export_and_parse_back() -> None:
    papers = read_feed(str(FIXTURES / "arxiv_atom.xml")).papers
    papers += read_feed(str(FIXTURES / "hf_daily.json")).papers
    entries = [Entry(p, PaperState(note="read % this", tags=("ml",))) for p in papers]
    library = parse_string(to_bibtex(entries), append_middleware=[SeparateCoAuthors()])
    assert library.failed_blocks == []
    by_key = {e.key: e for e in library.entries}
    assert list(by_key) == citation_keys(entries)
    assert list(by_key)[:3] == ["vaswani2017attention", "physicist2003heavy", "author2024paper"]
    quarks = by_key["physicist2003heavy"].fields_dict
    assert quarks["author"].value == ["Jane Q. Physicist", "de la Cruz, Maria"]
    assert quarks["eprint"].value == "hep-ph/0301050"
    assert quarks["primaryClass"].value == "hep-ph"
    assert quarks["doi"].value == "10.1103/PhysRevD.67.000000"
    assert quarks["url"].value == "https://arxiv.org/abs/hep-ph/0301050"
    assert (quarks["year"].value, quarks["month"].value) == ("2003", "jan")
    for parsed, paper in zip(library.entries, papers, strict=True):
        assert parsed.entry_type == "misc"
        assert parsed.fields_dict["archivePrefix"].value == "arXiv"
        assert len(parsed.fields_dict["author"].value) == len(paper.authors)
    # Hugging Face papers have no categories: no primaryClass, the rest is there.
    engines = by_key["lovelace2024old"].fields_dict
    assert "primaryClass" not in engines and engines["eprint"].value == "2404.01234"


def test_year_and_month_are_the_first_versions_else_the_listed_day() -> None:
    assert fields_of(bibtex_entry(arxiv_paper()))["year"] == "2017"
    listed = fields_of(bibtex_entry(arxiv_paper(published=None)))
    assert (listed["year"], listed["month"]) == ("2024", "mar")
    undated = fields_of(bibtex_entry(arxiv_paper(published=None, date=None)))
    assert "year" not in undated and "month" not in undated


@pytest.mark.parametrize(
    ("authors", "key"),
    [
        (("Ashish Vaswani",), "vaswani2017attention"),
        (("Vaswani, Ashish",), "vaswani2017attention"),
        (("de la Cruz, Maria",), "delacruz2017attention"),
        (("Ludwig van Beethoven",), "beethoven2017attention"),
        (("Martin Luther King Jr.", "B"), "king2017attention"),
        (("Łukasz Kaiser",), "kaiser2017attention"),
        (("Aurora Ramírez",), "ramirez2017attention"),
        (("Jan Łoś",), "los2017attention"),
        (("O'Brien-Smith",), "obriensmith2017attention"),
    ],
)
def test_keys_name_the_first_author_year_and_title_word(authors: tuple[str, ...], key: str) -> None:
    assert citation_key(arxiv_paper(authors=authors)) == key


def test_keys_without_authors_stay_as_earlier_exports_wrote_them() -> None:
    for authors in [(), ("张三", "李四"), ("  ",)]:
        entry = arxiv_paper("The Bare Paper", authors=authors, published=None, date=None)
        assert citation_key(entry) == f"bare_{entry.id}"
    entry = arxiv_paper("The 2 Models", authors=(), published="2017-06-12")
    assert citation_key(entry) == f"models2017_{entry.id}"
    assert citation_key(arxiv_paper("The Of A", authors=("A Smith",))) == "smith2017"


def test_keys_are_unique_within_one_export() -> None:
    same = [arxiv_paper(f"Attention Is All You Need, Part {n}") for n in range(4)]
    assert citation_keys(same) == [
        "vaswani2017attention",
        "vaswani2017attentiona",
        "vaswani2017attentionb",
        "vaswani2017attentionc",
    ]
    # A suffixed key never takes a key another paper has on its own.
    tricky = [same[0], same[1], arxiv_paper("Attentiona", authors=("A Vaswani",))]
    keys = citation_keys(tricky)
    assert len(set(keys)) == 3 and keys[2] == "vaswani2017attentiona" and keys[1] != keys[2]
    assert [k for k in citation_keys([same[0]] * 28)][-2:] == [
        "vaswani2017attentionz",
        "vaswani2017attentionaa",
    ]
    text = to_bibtex(same)
    assert [e.key for e in parse_string(text).entries] == citation_keys(same)


def test_names_bibtex_would_split_are_braced_whole() -> None:
    entry = arxiv_paper(authors=("Research and Development Team", "A, B, C, D", "Smith, John"))
    (author,) = [v for k, v in fields_of(bibtex_entry(entry)).items() if k == "author"]
    assert author == "{Research and Development Team} and {A, B, C, D} and Smith, John"


def test_an_odd_doi_is_left_out_and_one_of_several_is_kept() -> None:
    assert "doi" not in fields_of(bibtex_entry(arxiv_paper(doi="not a doi {")))
    several = arxiv_paper(doi="10.1000/first 10.1000/second")
    assert fields_of(bibtex_entry(several))["doi"] == "10.1000/first"


def test_a_paper_without_arxiv_id_is_cited_as_before() -> None:
    entry = arxiv_paper(arxiv_id=None, github="https://github.com/a/b", categories=())
    fields = fields_of(bibtex_entry(entry))
    assert fields["url"] == "https://github.com/a/b"
    assert not {"eprint", "archivePrefix", "primaryClass"} & set(fields)


NAMES = st.text(max_size=30) | st.sampled_from(["A and B", "X, Y", "{", "}", "\\", "%", "#"])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(min_size=1, max_size=40),
            st.lists(NAMES, max_size=4),
            st.text(max_size=30) | st.none(),
            st.text(max_size=30) | st.none(),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_any_fields_parse_back_with_unique_keys(
    rows: list[tuple[str, list[str], str | None, str | None]],
) -> None:
    entries = [
        arxiv_paper(title, authors=tuple(authors), doi=doi, journal_ref=ref)
        for title, authors, doi, ref in rows
    ]
    keys = citation_keys(entries)
    assert len(set(keys)) == len(keys)
    assert all(k.isascii() and k.replace("_", "").isalnum() for k in keys)
    library = parse_string(to_bibtex(entries))
    assert library.failed_blocks == []
    assert [e.key for e in library.entries] == keys


def test_pandoc_renders_authors_and_title(tmp_path: Path) -> None:
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        pytest.skip("pandoc is not installed (Debian: apt-get install pandoc)")
    entries = [arxiv_paper(), arxiv_paper("Heavy Quarks", authors=("de la Cruz, Maria",))]
    (tmp_path / "refs.bib").write_text(to_bibtex(entries), encoding="utf-8")
    document = "---\nbibliography: refs.bib\nnocite: '@*'\n---\n\n# References\n"
    result = subprocess.run(
        [pandoc, "--citeproc", "-t", "plain"],
        input=document,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=True,
    )
    rendered = " ".join(result.stdout.split())
    for text in ("Vaswani", "Shazeer", "Attention Is All You Need", "Cruz", "Heavy Quarks"):
        assert text in rendered, rendered
