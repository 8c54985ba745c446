"""Reference rows: `grep -ic WORD` and `fzf --filter WORD` over the same titles and abstracts.

They show how a search compares with the tools a terminal user already knows. Each is timed as a
whole process (start-up included), as the user would run it; a missing tool is skipped.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from benchmarks import COMMON_WORD, RARE_WORD, median

RUNS = 3


def write_corpus(lines: list[str], path: Path) -> Path:
    """One `title abstract` line per paper, the text both tools search."""
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _time(command: list[str], corpus: Path, runs: int) -> float:
    times: list[float] = []
    for _ in range(runs):
        with corpus.open("rb") as stdin:
            start = time.perf_counter()
            subprocess.run(command, stdin=stdin, capture_output=True, check=False)
            times.append(time.perf_counter() - start)
    return median(times)


def measure(corpus: Path, runs: int = RUNS) -> dict[str, float]:
    """Milliseconds per tool and word; keys are absent for tools that are not installed."""
    out: dict[str, float] = {}
    tools = {"grep": ["grep", "-ic"], "fzf": ["fzf", "--filter"]}
    for tool, command in tools.items():
        if shutil.which(command[0]) is None:
            continue
        for name, word in (("common", COMMON_WORD), ("rare", RARE_WORD)):
            out[f"ref_{tool}_{name}_ms"] = _time([*command, word], corpus, runs) * 1e3
    return out
