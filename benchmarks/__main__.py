"""`python -m benchmarks [--sizes 10000,100000] [--json FILE]`: every figure of issues 4, 11 and 12.

Each size is measured in fresh subprocesses (core; app; one more for peak RSS) so no size inherits
another's memory or caches. Prints a Markdown table with the budget and a met/MISSED mark beside
each figure, ready to paste into docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks import (
    BUDGETS,
    FETCH_BUDGETS,
    QUERIES,
    SEED,
    measure_ref,
    measure_start,
    measure_sync,
)
from benchmarks.generate import corpus_lines, generate

ROOT = Path(__file__).resolve().parent.parent


def machine() -> dict[str, Any]:
    """What the figures depend on: cores, CPU, Python and Textual versions."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "textual": metadata.version("textual"),
        "platform": platform.platform(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _child_env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env["XDG_CONFIG_HOME"] = str(workdir / "config")  # never read or write the user's config
    env["XDG_DATA_HOME"] = str(workdir / "data")
    env["XDG_CACHE_HOME"] = str(workdir / "cache")  # nor leave caches in the user's
    env.pop("READLIST_DB", None)
    return env


# measure_first's figures (one run) as the first session's.
FIRST_SESSION = {
    "first_search_ms_max": "first_session_search_ms",
    "start_s_max": "first_session_start_s",
    "peak_rss_mb_max": "first_session_rss_mb",
}


def _run(module: str, args: list[str], workdir: Path) -> dict[str, Any]:
    """Run `python -m benchmarks.<module>`; its last stdout line is a JSON object."""
    command = [sys.executable, "-m", f"benchmarks.{module}", *args]
    print(f"  running {module} {' '.join(args[1:])}...", file=sys.stderr, flush=True)
    done = subprocess.run(
        command, cwd=ROOT, env=_child_env(workdir), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        return {f"error_{module}": tail or f"exit status {done.returncode}"}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def measure_size(size: int, workdir: Path, runs: int) -> dict[str, Any]:
    """Every figure for one library size."""
    folder = workdir / f"size-{size}"
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    feed = workdir / f"feed-{SEED}-{size}.txt"  # reused when --workdir is given again
    if feed.exists():
        text = feed.read_text(encoding="utf-8")
    else:
        text = generate(size)
        feed.write_text(text, encoding="utf-8")
    result: dict[str, Any] = {"generate_s": time.perf_counter() - start}
    corpus = measure_ref.write_corpus(corpus_lines(text), folder / "corpus.txt")
    del text
    result.update(measure_ref.measure(corpus))
    core = _run("measure_core", [str(feed), str(folder), "--runs", str(min(runs, 3))], workdir)
    result.update(core)
    db = core.get("db")
    if db:
        # The first session after the bulk import, with the caches the import left: a search
        # typed at its first paint. Then a session that has to index every paper itself (the
        # saved index deleted), which saves it again; every later figure reuses the caches.
        first = _run("measure_first", [db, "--runs", "1"], workdir)
        for key, name in FIRST_SESSION.items():
            if key in first:
                result[name] = first.pop(key)
        result.update((key, value) for key, value in first.items() if key.startswith("error_"))
        result.update(_run("measure_app", [db, "--first-session"], workdir))
        result.update(_run("measure_rank", [db, "--runs", str(runs)], workdir))
        print("  running measure_start...", file=sys.stderr, flush=True)
        result.update(measure_start.measure(db, _child_env(workdir), runs * 2))
        result.update(_run("measure_app", [db, "--runs", str(runs)], workdir))
        result.update(_run("measure_app", [db, "--rss"], workdir))
        result.update(_run("measure_first", [db, "--runs", str(runs)], workdir))
    only_driver = ["--driver-only"] if size > measure_sync.SYNC_UP_TO else []
    result.update(_run("measure_sync", [str(feed), str(folder), *only_driver], workdir))
    return result


def marks(size: int, figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per metric: value, budget and whether it is met (None: no budget or not measured)."""
    out: dict[str, dict[str, Any]] = {}
    for budget in BUDGETS:
        value = figures.get(budget.key)
        if isinstance(value, float) and math.isnan(value):
            value = None
        limit = budget.limit(size)
        met = None if value is None or limit is None else value <= limit
        out[budget.key] = {"value": value, "budget": limit, "unit": budget.unit, "met": met}
    return out


def _cell(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "kB":
        return f"{value:.1f} kB"
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def table(results: dict[int, dict[str, dict[str, Any]]]) -> str:
    """A Markdown table: one row per metric, figure / budget / mark per size."""
    sizes = sorted(results)
    names = ["what"] + [cell for s in sizes for cell in (f"{s:,} papers", "budget", "met?")]
    head = "| " + " | ".join(names) + " |\n"
    rule = "|---|" + "---|---|---|" * len(sizes) + "\n"
    rows = []
    for budget in BUDGETS:
        cells = [budget.label]
        for size in sizes:
            entry = results[size][budget.key]
            limit = entry["budget"]
            cells.append(_cell(entry["value"], budget.unit))
            cells.append("-" if limit is None else f"<= {_cell(limit, budget.unit)}")
            cells.append({True: "met", False: "**MISSED**", None: ""}[entry["met"]])
        rows.append("| " + " | ".join(cells) + " |\n")
    return head + rule + "".join(rows)


def fetch_table(figures: dict[str, Any]) -> tuple[str, dict[str, dict[str, Any]]]:
    """The fetching figures (one run, not per size) as a Markdown table, and their marks."""
    out: dict[str, dict[str, Any]] = {}
    rows = ["| fetching (local server) | figure | budget | met? |\n", "|---|---|---|---|\n"]
    for budget in FETCH_BUDGETS:
        value = figures.get(budget.key)
        limit = budget.small
        met = None if value is None or limit is None else value <= limit
        out[budget.key] = {"value": value, "budget": limit, "unit": budget.unit, "met": met}
        cells = [
            budget.label,
            _cell(value, budget.unit),
            "-" if limit is None else f"<= {_cell(limit, budget.unit)}",
            {True: "met", False: "**MISSED**", None: ""}[met],
        ]
        rows.append("| " + " | ".join(cells) + " |\n")
    return "".join(rows), out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated paper counts")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--workdir", type=Path, help="keep feeds and libraries here")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    # Bytecode for readlist, as `pip install` writes it: with PYTHONDONTWRITEBYTECODE set (or a
    # source newer than its .pyc) every start would compile readlist from source, while the
    # bare app's Textual was compiled at install.
    compileall.compile_dir(ROOT / "readlist", quiet=1)
    with tempfile.TemporaryDirectory(prefix="readlist-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        figures: dict[int, dict[str, Any]] = {}
        for size in sizes:
            print(f"{size:,} papers:", file=sys.stderr, flush=True)
            figures[size] = measure_size(size, workdir, args.runs)
        print("fetching:", file=sys.stderr, flush=True)
        fetched = _run("measure_fetch", [str(workdir), "--runs", str(min(args.runs, 3))], workdir)
    results = {size: marks(size, figures[size]) for size in sizes}
    print(table(results))
    fetch_text, fetch_marks = fetch_table(fetched)
    print(fetch_text)
    for key, value in fetched.items():
        if key.startswith("error_"):
            print(f"fetching: {key[6:]} failed: {value}")
    for size in sizes:
        for key, value in figures[size].items():
            if key.startswith("error_"):
                print(f"{size:,} papers: {key[6:]} failed: {value}")
    if args.json:
        document = {
            "machine": machine(),
            "seed": SEED,
            "queries": QUERIES,
            "sizes": {
                str(size): {"figures": figures[size], "budgets": results[size]} for size in sizes
            },
            "fetch": {"figures": fetched, "budgets": fetch_marks},
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
