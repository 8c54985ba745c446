"""The Hugging Face daily papers reader, on the project's hand-written fixture and hostile JSON."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from readlist.core.errors import FeedError
from readlist.core.formats import hf_daily
from readlist.core.models import Paper, paper_id

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "feeds" / "hf_daily.json"


def papers() -> list[Paper]:
    return hf_daily.parse(FIXTURE.read_bytes(), "hf_daily.json")


def one(item: dict[str, Any], day: datetime.date | None = None) -> Paper:
    (paper,) = hf_daily.parse(json.dumps([item]).encode(), "day.json", day)
    return paper


def test_fixture_fields() -> None:
    old, new, latest = papers()
    # The 2024 schema: wrapped title and abstract, no submittedOnDailyAt, githubRepo or
    # projectPage: the day is the item's publishedAt, the repository the abstract's link.
    assert old.title == "An Old-Schema Paper on Analytical Engines"
    assert old.id == paper_id(old.title)
    assert old.abstract.startswith("We study engines that compute. The first line is wrapped, as")
    assert old.authors == ("Ada Lovelace", "Charles Babbage")
    assert old.arxiv_id == "2404.01234"
    assert (old.date, old.published) == ("2024-04-03", "2024-04-02")
    assert old.github == "https://github.com/ada/engine"
    assert old.links == ("https://github.com/ada/engine",)
    assert (old.upvotes, old.project_page, old.categories) == (12, None, ())
    assert old.source == "hf_daily.json"
    # githubRepo wins over a repository the abstract mentions, and is made canonical (.git).
    assert new.github == "https://github.com/ghopper/compilers"
    assert new.links == ("https://github.com/other/mention",)
    assert new.project_page == "https://compilers.example.org/"
    assert (new.date, new.published, new.upvotes) == ("2025-10-03", "2025-10-02", 43)
    # Every author in order, hidden ones too; an escape sequence in a name is removed.
    assert new.authors == ("Grace Hopper", "Hidden Person", "Edsger Dijkstra")
    # submittedOnDailyAt is taken in UTC (23:59 at -02:00 is the next day).
    assert latest.date == "2026-08-22"
    assert latest.upvotes == 0
    assert (latest.comment, latest.doi, latest.journal_ref) == (None, None, None)


def test_markup_and_latex_stay_literal_and_controls_go() -> None:
    new = papers()[1]
    # JSON is not HTML: `&amp;` and `<b>` are what the server sent, shown as such.
    assert new.title == (
        "Compilers for Everyone: $\\mathcal{O}(n)$ Parsing of <b>Bold</b> Grammars &amp; More"
    )
    assert new.abstract.startswith("We parse in $\\mathcal{O}(n)$ time. See also")
    assert all(c.isprintable() for p in papers() for c in p.title + p.abstract + "".join(p.authors))


def test_day_is_used_where_the_item_has_no_submitted_day() -> None:
    item = json.loads(FIXTURE.read_text())[0]
    assert one(item, datetime.date(2024, 4, 5)).date == "2024-04-05"
    item["paper"]["submittedOnDailyAt"] = "2024-04-03T10:00:00.000Z"
    assert one(item, datetime.date(2024, 4, 5)).date == "2024-04-03"
    del item["paper"]["submittedOnDailyAt"], item["publishedAt"]
    assert one(item).date is None


def test_nulls_and_wrong_types_are_absent_fields() -> None:
    item = {
        "paper": {
            "id": None,
            "title": "Robust To Nulls",
            "summary": None,
            "authors": [None, {"name": None}, {"name": 7}, {"name": "  Real   Name "}, "x"],
            "upvotes": True,
            "githubRepo": None,
            "projectPage": "javascript:alert(1)",
            "publishedAt": "not a date",
            "submittedOnDailyAt": 20240403,
        },
        "publishedAt": None,
    }
    paper = one(item)
    assert paper.title == "Robust To Nulls"
    assert (paper.abstract, paper.authors, paper.arxiv_id) == ("", ("Real Name",), None)
    assert (paper.upvotes, paper.github, paper.project_page) == (None, None, None)
    assert (paper.date, paper.published) == (None, None)
    assert one({"paper": {"title": "T", "upvotes": -1, "authors": "A, B"}}).upvotes is None
    assert one({"paper": {"title": "T", "githubRepo": "https://gitlab.com/a/b"}}).github is None


def test_item_title_and_summary_stand_in_for_the_papers() -> None:
    paper = one({"paper": {"id": "2510.00001"}, "title": "Item Title", "summary": "Item text."})
    assert (paper.title, paper.abstract, paper.arxiv_id) == (
        "Item Title",
        "Item text.",
        "2510.00001",
    )


def test_untitled_and_repeated_items_are_skipped_with_notes() -> None:
    items = [
        {"paper": {"id": "2510.00001", "title": "First"}},
        {"paper": {"id": "2510.00001v2", "title": "First, again"}},
        {"paper": {"id": "2510.00002", "title": " --- "}},
        {"paper": {"title": "No Id"}},
        {"paper": {"title": "No Id"}},
    ]
    found, notes = hf_daily.parse_with_notes(json.dumps(items).encode(), "d.json")
    assert [p.title for p in found] == ["First", "No Id"]
    assert notes == [
        "d.json: 2 repeated paper(s) imported once, keeping the first",
        "d.json: 1 item(s) without a usable title skipped",
    ]


def test_an_empty_day_is_no_papers_not_an_error() -> None:
    assert hf_daily.parse(b"[]", "saturday.json") == []
    assert hf_daily.parse(b"  [ ]\n", "saturday.json") == []


EXPECTED = 'not a Hugging Face daily papers response (expected a JSON array of items with "paper"'


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b'[{"paper": {"id": "2510.0', "not valid JSON"),
        (b"<html><body>Service unavailable</body></html>", "not valid JSON"),
        (b'{"error": "Invalid date \\u001b[2J"}', "the server said: Invalid date"),
        (b'{"papers": []}', "found a JSON object"),
        (b'"2510.00001"', "found a JSON str"),
        (b'[{"title": "no paper"}]', 'item 1 has no "paper" object'),
        (b'[{"paper": {"title": "ok"}}, 3]', 'item 2 has no "paper" object'),
        (b'[{"paper": "2510.00001"}]', 'item 1 has no "paper" object'),
    ],
)
def test_anything_else_is_one_line_naming_the_source(data: bytes, found: str) -> None:
    with pytest.raises(FeedError) as caught:
        hf_daily.parse(data, "hf 2026-11-30")
    message = str(caught.value)
    assert message.startswith(f"hf 2026-11-30: {EXPECTED}; ")
    assert found in message
    assert "\n" not in message and "\x1b" not in message
