"""The readlist benchmark: a synthetic Daily Papers feed and the figures issue 4 budgets.

Run it with `python -m benchmarks --sizes 10000,100000 --json bench-latest.json` (`make bench`).
The queries are fixed here so every run, and every reader of docs/PERFORMANCE.md, searches for the
same thing: a word most abstracts hold, a word only a handful hold, and a three-term query.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Seed of the synthetic feed: the same seed and size always give byte-identical feed text.
SEED = 20240312

#: A common word: in roughly half of the abstracts (the generator's English/ML vocabulary).
COMMON_WORD = "learning"
#: A rare word: planted in exactly 1 paper in 1,000 and never produced otherwise.
RARE_WORD = "zyxomancy"
#: The three-term query of issue 4: a mid-frequency word plus two state/content operators.
THREE_TERM_QUERY = "diffusion is:unread has:code"
#: A word in about a third of the papers: fewer than half hold it, so relevance ranks its matches
#: (the common word, in more than half, only filters): the largest set a search ranks here.
RANKED_WORD = "diffusion"

QUERIES: dict[str, str] = {
    "common": COMMON_WORD,
    "rare": RARE_WORD,
    "three": THREE_TERM_QUERY,
    "ranked": RANKED_WORD,
}


@dataclass(frozen=True)
class Budget:
    """One row of issue 4's budget table; `small` applies up to 10,000 papers, `large` above."""

    key: str
    label: str
    unit: str
    small: float | None
    large: float | None

    def limit(self, size: int) -> float | None:
        return self.small if size <= 10_000 else self.large


#: Every metric the runner reports, in table order; a None budget is informational.
BUDGETS: tuple[Budget, ...] = (
    Budget("import_s", "import into an empty library", "s", 1.0, 8.0),
    Budget("import_index_s", "of the import: building the search index", "s", None, None),
    Budget("reimport_s", "re-import, nothing new", "s", 0.5, 5.0),
    Budget("bare_start_s", "bare Textual app start (baseline)", "s", None, None),
    Budget("app_start_s", "app start to first painted list", "s", None, None),
    Budget("start_ratio", "app start / bare app start", "x", 2.0, 5.0),
    Budget("search_common_ms", f"search '{COMMON_WORD}' (app, to list shown)", "ms", 30, 150),
    Budget("search_rare_ms", f"search '{RARE_WORD}' (app, to list shown)", "ms", 30, 150),
    Budget("search_three_ms", f"search '{THREE_TERM_QUERY}' (app)", "ms", 30, 150),
    Budget(
        "search_ranked_ms", f"search '{RANKED_WORD}', ranked (app, to list shown)", "ms", 30, 150
    ),
    Budget("search_first_ms", "first search after start (cold, app)", "ms", None, None),
    Budget(
        "first_search_ms_max",
        f"search '{COMMON_WORD}' typed at the first paint, slowest run",
        "ms",
        None,
        150,
    ),
    Budget(
        "first_search_ms_median",
        f"search '{COMMON_WORD}' typed at the first paint, median",
        "ms",
        None,
        None,
    ),
    Budget("later_search_ms_median", "the same search 1.5 s later, median", "ms", None, None),
    Budget(
        "helper_rss_mb_max",
        "the search helper answering it: peak RSS (a process of its own)",
        "MB",
        None,
        None,
    ),
    Budget(
        "helper_private_mb_max",
        "the search helper: memory it shares with no process",
        "MB",
        None,
        None,
    ),
    Budget("search_typing_ms", f"typing '{COMMON_WORD}' key by key, median key", "ms", None, None),
    Budget(
        "search_typing_max_ms", f"typing '{COMMON_WORD}' key by key, slowest key", "ms", None, 50
    ),
    Budget(
        "search_typing_ranked_ms",
        f"typing '{RANKED_WORD}' key by key (ranked), median key",
        "ms",
        None,
        None,
    ),
    Budget(
        "search_typing_ranked_max_ms",
        f"typing '{RANKED_WORD}' key by key (ranked), slowest key",
        "ms",
        None,
        50,
    ),
    Budget("core_search_common_ms", f"core search() '{COMMON_WORD}'", "ms", None, None),
    Budget("core_search_rare_ms", f"core search() '{RARE_WORD}'", "ms", None, None),
    Budget("core_search_three_ms", "core search() three-term", "ms", None, None),
    Budget(
        "rank_common_ms",
        f"rank() the '{COMMON_WORD}' matches (idf 0: not ranked)",
        "ms",
        None,
        None,
    ),
    Budget("rank_ranked_ms", f"rank() the '{RANKED_WORD}' matches", "ms", None, None),
    Budget("search_rank_ranked_ms", f"search() + rank() '{RANKED_WORD}' (core)", "ms", None, None),
    Budget("related_ms", "related papers of one paper, median of 20", "ms", 100, 100),
    Budget("related_max_ms", "related papers of one paper, slowest of 20", "ms", None, None),
    Budget("related_first_ms", "related papers, first call (counts the sample)", "ms", None, None),
    Budget("star_p50_ms", "star until durable, p50", "ms", None, None),
    Budget("star_p95_ms", "star until durable, p95", "ms", 10, 20),
    Budget("note_ms", "note save until durable", "ms", None, None),
    Budget("cursor_ms", "cursor key to repaint, end of list", "ms", 16, 16),
    Budget("peak_rss_mb", "peak RSS, app with library loaded", "MB", 100, 300),  # issue 13
    Budget(
        "first_session_search_ms",
        f"first session after the import: '{COMMON_WORD}' typed at the first paint",
        "ms",
        None,
        150,
    ),
    Budget("first_session_start_s", "first session after the import: start", "s", None, None),
    Budget("first_session_rss_mb", "first session after the import: peak RSS", "MB", None, None),
    Budget("index_build_s", "the app indexing every paper (no saved index)", "s", None, None),
    Budget("app_index_rss_mb", "the app indexing every paper: peak RSS", "MB", None, None),
    Budget("sync_s", "sync: 20 changes each side, merged (wall)", "s", 2.0, None),
    Budget("sync_cpu_s", "sync: CPU seconds, git's included", "s", None, None),
    Budget("sync_git_merge_s", "sync: git merge, the driver included (wall)", "s", None, None),
    Budget("sync_git_other_s", "sync: every other git command (wall)", "s", None, None),
    Budget("sync_readlist_s", "sync: readlist's own work outside git (wall)", "s", None, None),
    Budget("sync_push_kb", "sync: bytes B's push sends (its pack)", "kB", None, None),
    Budget("driver_s", "merge driver alone, 20 changes each side", "s", None, 5.0),
    Budget("ref_grep_common_ms", f"reference: grep -ic {COMMON_WORD}", "ms", None, None),
    Budget("ref_grep_rare_ms", f"reference: grep -ic {RARE_WORD}", "ms", None, None),
    Budget("ref_fzf_common_ms", f"reference: fzf --filter {COMMON_WORD}", "ms", None, None),
    Budget("ref_fzf_rare_ms", f"reference: fzf --filter {RARE_WORD}", "ms", None, None),
)


#: Fetching from a local server (benchmarks/measure_fetch.py): measured once, not per size.
FETCH_BUDGETS: tuple[Budget, ...] = (
    Budget("fetch_import_s", "fetch + import 30 days x 50 papers (local server)", "s", 2.0, 2.0),
    Budget("fetch_import_cpu_s", "fetch + import 30 x 50: CPU time", "s", None, None),
    Budget("add_100_s", "add 100 ids (one arXiv API request)", "s", None, None),
    Budget(
        "import_atom_10k_s", "import a saved arXiv API response of 10,000 entries", "s", 1.0, 1.0
    ),
    Budget("import_atom_10k_cpu_s", "import of the 10,000 entries: CPU time", "s", None, None),
    Budget("add_300_own_s", "add 300 ids (three requests): readlist's own time", "s", None, None),
    Budget(
        "add_300_arxiv_wait_s", "add 300 ids: arXiv's politeness wait (3 s apart)", "s", None, None
    ),
)


def peak_rss_mb(pid: int | None = None) -> float:
    """This process's (or process `pid`'s) peak resident set size, in MiB.

    VmHWM from /proc where there is one: on Linux `getrusage().ru_maxrss` carries the parent's
    peak across fork + exec, so a child of the benchmark runner (which holds a 150 MB feed at
    100,000 papers) reported the runner's ~750 MB instead of its own peak.
    """
    try:
        with open(f"/proc/{pid or 'self'}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    if pid is not None:
        return 0.0
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def private_mb(pid: int) -> float:
    """Process `pid`'s memory not shared with any other process (a forked helper's own part:
    its resident set counts the pages it still shares with its parent), in MiB; 0 where
    /proc cannot tell."""
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1])
    except OSError:
        return 0.0
    return total / 1024


def median(values: list[float]) -> float:
    """The median; benchmarks report medians because this machine is shared and noisy."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..1), so p95 is a value that was observed."""
    ordered = sorted(values)
    rank = max(1, -(-int(share * 1000) * len(ordered) // 1000))
    return ordered[min(rank, len(ordered)) - 1]
