"""A bulk import in a process of its own, with the threshold and chunk size lowered so that a few
dozen papers take the two-process path (a test process may run other threads, which turns it
off). Run as `python bulk_import.py LIBRARY FIRST COUNT [--chunk N] [--slow-child S]
[--fail] [--change K] [--no-fork]`; prints one JSON line: the chunks the parent tokenised, what
the save tokenised itself, the summary lines, whether a child process was left.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import make_papers

from readlist.cli_feeds import LoadedFile, import_files
from readlist.core.library import Library
from readlist.core.models import Paper
from readlist.core.search import bulk_index


def special_papers(first: int, count: int) -> list[Paper]:
    """The synthetic papers, each with a word no other paper holds (so each side of the build
    meets tokens of its own), and every 5th with text that is not ASCII."""
    papers = []
    for paper in make_papers(count, start=first):
        n = int(paper.title.split()[2].rstrip(":"))
        extra = f" Only here: qz{n}word."
        if n % 5 == 0:
            extra += f" Über café\u00a0naïve {n}\u2009x ΣΔ{n}."
        papers.append(dataclasses.replace(paper, abstract=paper.abstract + extra))
    return papers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("library", type=Path)
    parser.add_argument("first", type=int)
    parser.add_argument("count", type=int)
    parser.add_argument("--chunk", type=int, default=5)
    parser.add_argument("--slow-child", type=float, default=0.0)
    parser.add_argument("--fail", action="store_true")
    parser.add_argument("--change", type=int, action="append", default=[])
    parser.add_argument("--no-fork", action="store_true")
    args = parser.parse_args()
    if args.no_fork:

        def no_fork() -> int:
            raise BlockingIOError(11, "Resource temporarily unavailable")

        os.fork = no_fork
    bulk_index.BULK_FROM = 20
    bulk_index._CHUNK = args.chunk
    parent = os.getpid()
    parent_chunks = []
    real = bulk_index._tokenise_chunk

    def tokenise_chunk(*a: object) -> object:
        if os.getpid() == parent:
            parent_chunks.append(1)
        else:
            time.sleep(args.slow_child)
        return real(*a)  # type: ignore[arg-type]

    bulk_index._tokenise_chunk = tokenise_chunk  # type: ignore[assignment]
    late: list[int] = []
    real_finish = bulk_index._Build.finish

    def finish(self: bulk_index._Build, library: Library) -> int:
        late.append(real_finish(self, library))
        return late[-1]

    bulk_index._Build.finish = finish  # type: ignore[method-assign]
    papers = special_papers(args.first, args.count)
    for n in args.change:  # an earlier paper whose abstract this import changes
        old = special_papers(n, 1)[0]
        papers.append(dataclasses.replace(old, abstract=f"Rewritten: quokkas {n} forage."))
    with Library.open(args.library) as library:
        if args.fail:

            def failing(papers: Sequence[Paper], source: str) -> None:
                raise OSError("disk gone")

            library.import_papers = failing  # type: ignore[method-assign,assignment]
        try:
            lines = import_files(library, [LoadedFile(papers, "bulk.txt")])
        except OSError as error:
            lines = [f"failed: {error}"]
    children_left = True
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        children_left = False
    result = {
        "parent_chunks": len(parent_chunks),
        "tokenised_late": late,  # by the save, per build: papers the chunks did not hold
        "lines": lines,
        "children": children_left,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
