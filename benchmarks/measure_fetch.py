"""Fetching figures, from a local server in a process of its own (so its work is not counted):

- `readlist fetch hf --days 30` (30 days x 50 papers, one request a day) into a new library, in
  process: what the user waits for minus interpreter start; its CPU time beside it;
- `readlist add` of 100 ids (one arXiv API request, so no politeness wait);
- 300 ids (three requests) at arXiv's real 3 s interval, with the wait reported apart from
  readlist's own time;
- `readlist import` of a saved arXiv API response (Atom) of 10,000 entries into a new library;
  its CPU time beside it (the machine is shared: wall time follows the load).

    python -m benchmarks.measure_fetch WORKDIR [--runs 3]   -> one JSON object on stdout
    python -m benchmarks.measure_fetch --serve              -> the server (prints its port)
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the fixtures the tests use: tests/helpers

from helpers.fake_sources import FakeServer, Reply, Seen, atom_feed, hf_day, many  # noqa: E402

from readlist import cli_fetch  # noqa: E402
from readlist.cli import main as readlist_main  # noqa: E402
from readlist.core.library import Library  # noqa: E402
from readlist.core.sources.arxiv import fetch_ids  # noqa: E402
from readlist.core.sources.http import HttpClient  # noqa: E402

DAYS = 30
PER_DAY = 50
ADD_IDS = 100
ADD_MANY_IDS = 300
ATOM_ENTRIES = 10_000


def _day_papers(day: datetime.date) -> bytes:
    start = (day.toordinal() % 1000) * PER_DAY
    return hf_day(many(PER_DAY, start=start), day)


def serve() -> int:
    """Answer Daily Papers days (bodies made ahead for the last DAYS days) and arXiv id lists."""
    today = datetime.datetime.now(datetime.timezone.utc).date()
    ready = {
        (today - datetime.timedelta(days=n)).isoformat(): _day_papers(
            today - datetime.timedelta(days=n)
        )
        for n in range(DAYS + 1)
    }
    papers = {p.arxiv_id: p for p in many(ADD_MANY_IDS, prefix="2403")}

    def daily(seen: Seen) -> Reply:
        day = seen.query["date"][0]
        return Reply(body=ready.get(day) or _day_papers(datetime.date.fromisoformat(day)))

    def by_id(seen: Seen) -> Reply:
        asked = seen.query["id_list"][0].split(",")
        return Reply(body=atom_feed([papers[i] for i in asked if i in papers]))

    with FakeServer() as server:
        server.handle("/api/daily_papers", daily)
        server.handle("/api/query", by_id)
        print(server.port, flush=True)
        sys.stdin.read()  # until the measuring process closes our stdin
    return 0


def _quiet_main(args: list[str]) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return readlist_main(args)


def _timed(args: list[str]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    code = _quiet_main(args)
    if code != 0:
        raise SystemExit(f"readlist {' '.join(args[:3])} ... exited {code}")
    return time.perf_counter() - wall, time.process_time() - cpu


def _fresh(workdir: Path, name: str) -> Path:
    folder = workdir / name
    shutil.rmtree(folder, ignore_errors=True)
    return folder / "library.json"


def measure(workdir: Path, url: str, runs: int) -> dict[str, Any]:
    os.environ["READLIST_HF_URL"] = url
    os.environ["READLIST_ARXIV_API_URL"] = url + "/api/query"
    os.environ["XDG_CONFIG_HOME"] = str(workdir / "fetch-config")
    fetch_walls, fetch_cpus, add_walls, atom_walls, atom_cpus = [], [], [], [], []
    workdir.mkdir(parents=True, exist_ok=True)
    atom = workdir / "arxiv-10000.xml"
    atom.write_bytes(atom_feed(many(ATOM_ENTRIES, prefix="2501")))
    for run in range(runs):
        db = _fresh(workdir, f"fetch-{run}")
        wall, cpu = _timed(["fetch", "hf", "--days", str(DAYS), "--db", str(db)])
        fetch_walls.append(wall)
        fetch_cpus.append(cpu)
        with Library.open(db) as library:
            count = len(library)
        if count != DAYS * PER_DAY:
            raise SystemExit(f"fetch imported {count} papers, expected {DAYS * PER_DAY}")
        ids = [p.arxiv_id for p in many(ADD_IDS, prefix="2403")]
        add_walls.append(_timed(["add", *ids, "--db", str(_fresh(workdir, f"add-{run}"))])[0])
        atom_db = _fresh(workdir, f"atom-{run}")
        wall, cpu = _timed(["import", str(atom), "--db", str(atom_db)])
        atom_walls.append(wall)
        atom_cpus.append(cpu)
    # Three requests at arXiv's own interval: the wait is arXiv's rule, not readlist's time.
    many_ids = [p.arxiv_id for p in many(ADD_MANY_IDS, prefix="2403")]
    started = time.perf_counter()
    with HttpClient() as client:
        papers = fetch_ids(client, url + "/api/query", many_ids)
        waited = client.gate.waited_s
    with Library.open(_fresh(workdir, "add-many")) as library:
        library.import_papers(papers, "arxiv")
    add_many_wall = time.perf_counter() - started
    return {
        "fetch_days": DAYS,
        "fetch_papers": DAYS * PER_DAY,
        "fetch_import_s": median(fetch_walls),
        "fetch_import_cpu_s": median(fetch_cpus),
        "add_100_s": median(add_walls),
        "import_atom_10k_s": median(atom_walls),
        "import_atom_10k_cpu_s": median(atom_cpus),
        "add_300_wall_s": add_many_wall,
        "add_300_arxiv_wait_s": waited,
        "add_300_own_s": add_many_wall - waited,
        "arxiv_interval_s": cli_fetch._arxiv_interval(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir", type=Path, nargs="?")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve()
    if args.workdir is None:
        parser.error("WORKDIR is needed")
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.measure_fetch", "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert server.stdout is not None and server.stdin is not None
        port = int(server.stdout.readline())
        result = measure(args.workdir, f"http://127.0.0.1:{port}", args.runs)
    finally:
        if server.stdin:
            server.stdin.close()
        server.wait(timeout=10)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
