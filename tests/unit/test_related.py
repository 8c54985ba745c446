"""Related papers (core/search/related.py): what they are, how good, and `readlist related`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from readlist.cli import main
from readlist.core.formats import read_feed
from readlist.core.models import Entry, Paper, PaperState, paper_id
from readlist.core.search.query import clear_cache, prepare
from readlist.core.search.related import IndexNotReady, related

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_feed.txt"
TOPICS = ROOT / "tests" / "fixtures" / "related_topics.txt"

#: The least mean precision@5 the labelled check must reach. Chance (5 papers drawn at random)
#: is 0.081 on this feed; the method scored 0.448 when the threshold was set (docs/PERFORMANCE.md)
#: and the same cosine without term frequencies (each paper a set of words) 0.29: a change that
#: loses the tf weighting, the idf or the title words fails here.
MIN_PRECISION_AT_5 = 0.35


@pytest.fixture(autouse=True)
def fresh_index() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


def load_topics(path: Path = TOPICS) -> dict[str, list[str]]:
    """Group name -> paper ids, from the fixture's `[group]` sections."""
    groups: dict[str, list[str]] = {}
    name = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("["):
            name = line.strip("[] ")
            groups[name] = []
        else:
            groups[name].append(line.split()[0])
    return groups


def sample_entries() -> list[Entry]:
    return [Entry(paper) for paper in read_feed(str(SAMPLE)).papers]


def precision_at_5(entries: list[Entry]) -> tuple[float, float, int]:
    """Mean precision@5 over the labelled anchors, the chance rate, and the number of anchors."""
    labels: dict[str, set[str]] = {}
    for group, ids in load_topics().items():
        for paper in ids:
            labels.setdefault(paper, set()).add(group)
    precisions: list[float] = []
    chances: list[float] = []
    for anchor in entries:
        mine = labels.get(anchor.id)
        if not mine:
            continue
        top = related(anchor, entries, limit=5)
        precisions.append(sum(bool(labels.get(r.entry.id, set()) & mine) for r in top) / 5)
        others = [e for e in entries if e.id != anchor.id]
        chances.append(sum(bool(labels.get(e.id, set()) & mine) for e in others) / len(others))
    return sum(precisions) / len(precisions), sum(chances) / len(chances), len(precisions)


def test_the_topic_groups_name_papers_of_the_sample() -> None:
    ids = {e.id for e in sample_entries()}
    groups = load_topics()
    assert len(groups) >= 10
    for name, members in groups.items():
        assert len(members) >= 3, name
        assert set(members) <= ids, name


def test_related_papers_share_the_anchor_topic_well_above_chance() -> None:
    entries = sample_entries()
    prepare(entries)
    precision, chance, anchors = precision_at_5(entries)
    assert anchors >= 70
    assert 0.07 < chance < 0.09  # the rate docs/PERFORMANCE.md states
    assert precision >= MIN_PRECISION_AT_5, f"precision@5 {precision:.3f} (chance {chance:.3f})"


def paper(title: str, abstract: str) -> Entry:
    return Entry(Paper(paper_id(title), title, abstract), PaperState())


FILLER = [
    paper(f"Filler {i}", f"Cooking recipes number {i} with bread, cheese and soup.")
    for i in range(12)
]


def test_best_first_without_the_anchor() -> None:
    anchor = paper("Model merging", "We merge fine-tuned models by averaging task vectors.")
    close = paper("Merging models", "Task vectors of fine-tuned models are merged by averaging.")
    far = paper("Merging lanes", "Cars merge on highways; models of traffic.")
    entries = [far, anchor, close, *FILLER]
    prepare(entries)
    found = related(anchor, entries, limit=10)
    assert [r.entry for r in found][:2] == [close, far]
    assert anchor not in [r.entry for r in found]
    assert found[0].score > found[1].score > 0
    assert all(r.entry not in FILLER for r in found)  # no weighed word in common
    assert related(anchor, entries, limit=1) == found[:1]
    assert related(anchor, entries, limit=0) == []


def test_scores_are_cosines() -> None:
    anchor = paper("Model merging", "We merge fine-tuned models by averaging task vectors.")
    twin = paper("Model merging again", "We merge fine-tuned models by averaging task vectors.")
    entries = [anchor, twin, *FILLER]
    prepare(entries)
    (found,) = related(anchor, entries, limit=5)
    assert found.entry == twin
    assert 0.8 < found.score <= 1.0


def test_needs_the_index() -> None:
    entries = [paper("A", "alpha beta"), paper("B", "beta gamma")]
    with pytest.raises(IndexNotReady):
        related(entries[0], entries)
    prepare(entries)
    assert related(entries[0], entries) == related(entries[0], entries)


def test_command_prints_the_related_papers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "library.json"
    assert main(["import", "--db", str(db), str(SAMPLE)]) == 0
    capsys.readouterr()
    anchor = "4b253a2ebb"  # Continual Learning with Dependency Preserving Hypernetworks
    assert main(["related", "--db", str(db), anchor[:6], "--limit", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    scores = [float(line.split()[0]) for line in lines]
    assert scores == sorted(scores, reverse=True)
    assert all(anchor not in line for line in lines)
    assert main(["related", "--db", str(db), anchor, "--json", "--limit", "2"]) == 0
    docs = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in docs] == [line.split()[1] for line in lines[:2]]
    assert round(docs[0]["score"], 3) == scores[0] and docs[0]["title"]
    assert main(["related", "--db", str(db), anchor, "--", "-title:continual"]) == 0
    filtered = capsys.readouterr().out.splitlines()
    assert filtered and all("continual" not in line.lower().split("  ")[2] for line in filtered)
    assert main(["related", "--db", str(db), "zzzz"]) == 2
    assert main(["related", "--db", str(db), anchor, "--limit", "0"]) == 2
    assert "readlist: " in capsys.readouterr().err
