"""Synthetic papers for library tests: deterministic, so a child process rebuilds the same set."""

from __future__ import annotations

from readlist.core.models import Paper, paper_id

_WORDS = ["model", "language", "learning", "reasoning", "agent"]
_WORDS += ["vision", "data", "training", "large", "benchmark"]


def make_papers(
    count: int,
    *,
    start: int = 0,
    github_every: int = 0,
    days: int = 5,
    source: str = "synthetic.txt",
) -> list[Paper]:
    """`count` papers numbered from `start`, spread over `days` days; every `github_every`-th has
    a GitHub link (0: none)."""
    papers = []
    for i in range(start, start + count):
        title = f"Synthetic paper {i}: {_WORDS[i % 10]} {_WORDS[(i * 7) % 10]}"
        abstract = " ".join(_WORDS[(i + k) % 10] for k in range(60)) + f" ({i})."
        github = None
        if github_every and i % github_every == 0:
            github = f"https://github.com/owner{i}/repo{i}"
        papers.append(
            Paper(
                id=paper_id(title),
                title=title,
                abstract=abstract,
                date=f"2024-03-{1 + i % days:02d}",
                github=github,
                links=(github,) if github else (),
                source=source,
            )
        )
    return papers
