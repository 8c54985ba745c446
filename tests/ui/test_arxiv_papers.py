"""A paper that came from Hugging Face or arXiv in the app: the detail pane shows its authors,
arXiv id, categories and upvotes with links to the abstract page and the PDF; `o` opens the
abstract page when there is no GitHub link; `b` copies a citation a LaTeX user can paste."""

from __future__ import annotations

import webbrowser

import pytest
from bibtexparser.entrypoint import parse_string

from readlist.app import ReadlistApp
from readlist.core.library import Library
from readlist.core.models import Paper, paper_id
from readlist.widgets.detail import DetailPane

from .conftest import SIZE, main_screen, notifications, paper_list, settle

AUTHORS = tuple(f"Author {n} Surname{n}" for n in range(1, 13))
PAPER = Paper(
    id=paper_id("Sparse Mixtures Route Tokens"),
    title="Sparse Mixtures Route Tokens",
    abstract="We route tokens sparsely.",
    date="2026-11-30",
    authors=AUTHORS,
    arxiv_id="2611.01234",
    published="2026-11-28",
    upvotes=1234,
    project_page="https://example.org/sparse",
    categories=("cs.LG", "cs.CL"),
    doi="10.1000/xyz123",
)


@pytest.fixture
def arxiv_library(library: Library) -> Library:
    library.import_papers([PAPER], "hf 2026-11-30")
    return library


async def select(app: ReadlistApp, paper_id_: str) -> None:
    widget = paper_list(app)
    widget.move_to(widget.index_of(paper_id_) or 0)


async def test_the_detail_pane_shows_what_the_source_added(arxiv_library: Library) -> None:
    app = ReadlistApp(arxiv_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(app, PAPER.id)
        await settle(pilot)
        detail = main_screen(app).query_one(DetailPane)
        header = str(detail.query_one("#detail-header").render())
        assert "Author 1 Surname1, Author 2 Surname2" in header
        assert "Author 8 Surname8 and 4 more" in header and "Surname9" not in header
        assert "arXiv:2611.01234" in header and "cs.LG cs.CL" in header and "▲ 1,234" in header
        links = str(detail.query_one("#detail-links").render())
        assert "arXiv   https://arxiv.org/abs/2611.01234" in links
        assert "PDF     https://arxiv.org/pdf/2611.01234" in links
        assert "Project https://example.org/sparse" in links
        assert "DOI     https://doi.org/10.1000/xyz123" in links


async def test_o_opens_the_abstract_page_of_a_paper_without_github(
    arxiv_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setenv("BROWSER", "firefox")
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    app = ReadlistApp(arxiv_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(app, PAPER.id)
        await pilot.press("o")
    assert opened == ["https://arxiv.org/abs/2611.01234"]


async def test_b_copies_a_bibtex_citation_with_the_arxiv_eprint(
    arxiv_library: Library, no_system_clipboard: list[str]
) -> None:
    app = ReadlistApp(arxiv_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(app, PAPER.id)
        await pilot.press("b")
        copied = app.clipboard
    assert no_system_clipboard == [copied]
    (entry,) = parse_string(copied).entries
    fields = {name: field.value for name, field in entry.fields_dict.items()}
    assert fields["eprint"] == "2611.01234" and fields["archivePrefix"] == "arXiv"
    assert fields["author"].startswith("Author 1 Surname1 and Author 2 Surname2")
    assert entry.key.startswith("surname12026")
    assert 'Copied the BibTeX entry of "Sparse Mixtures Route Tokens"' in " ".join(
        notifications(app)
    )
