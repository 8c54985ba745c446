"""The benchmark works: a deterministic feed that parses as asked, and a runner that reports
every figure. No timing is asserted: this machine is shared and CI only proves the code runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import BUDGETS, COMMON_WORD, FETCH_BUDGETS, RARE_WORD
from benchmarks.generate import corpus_lines, generate

ROOT = Path(__file__).resolve().parents[2]


def test_same_seed_same_feed_other_seed_other_feed() -> None:
    assert generate(300) == generate(300)
    assert generate(300, seed=1) != generate(300)


def test_feed_parses_to_the_asked_papers_with_a_quarter_github_links() -> None:
    feeds = pytest.importorskip("readlist.core.formats")
    parsed = feeds.parse_feed(generate(1000).encode("utf-8"), "synthetic.txt")
    papers = parsed.papers
    assert len(papers) == 1000
    share = sum(p.github is not None for p in papers) / len(papers)
    assert 0.2 <= share <= 0.3
    assert all(40 <= len(p.title) <= 150 for p in papers)
    assert all(900 <= len(p.abstract) <= 1900 for p in papers)
    assert 15 <= len({p.date for p in papers}) <= 25


def test_common_and_rare_words_are_common_and_rare() -> None:
    lines = [line.lower() for line in corpus_lines(generate(2000))]
    assert len(lines) == 2000
    assert sum(COMMON_WORD in line for line in lines) > 600
    assert sum(RARE_WORD in line for line in lines) == 2


@pytest.mark.slow
def test_runner_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--sizes", "200", "--runs", "1", "--json", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "failed" not in done.stdout, done.stdout
    document = json.loads(out.read_text())
    assert {"nproc", "cpu", "python", "textual"} <= set(document["machine"])
    size = document["sizes"]["200"]
    assert not [k for k in size["figures"] if k.startswith("error_")]
    for budget in BUDGETS:
        assert budget.key in size["budgets"]
        if not budget.key.startswith("ref_"):
            assert size["budgets"][budget.key]["value"] is not None, budget.key
    fetch = document["fetch"]
    assert not [k for k in fetch["figures"] if k.startswith("error_")], fetch["figures"]
    for budget in FETCH_BUDGETS:
        assert fetch["budgets"][budget.key]["value"] is not None, budget.key
