"""A search typed in one burst right after the list appears, in a real terminal (issue 10).

tmux types `/` and `merging` in one send-keys call, so the app reads them in one go, as it does a
paste or a fast typist. The app hands each key to the widget focused when it reads it: `/` used
to move the focus only after the query's letters had gone to the list as commands (m marked a
paper read, e ran the editor, i opened the import dialog), at any delay after the first paint.
The first session of a library is the busiest moment: the search index is being built.

The 10,000-paper library (the benchmark's synthetic feed plus the sample, which holds the papers
about merging) is imported once per module with the readlist command and copied for each test.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tooling import Terminal, installed_readlist, need_tool

from benchmarks.generate import generate

pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).resolve().parents[2] / "sample_feed.txt"
QUERY = "merging"


@dataclass(frozen=True)
class Built:
    """A library file made by `readlist import`, its size and how many papers match QUERY."""

    path: Path
    papers: int
    matches: int


def build(folder: Path, feeds: list[Path], papers: int) -> Built:
    readlist = installed_readlist()
    library = folder / "library.json"
    env = {**os.environ, "HOME": str(folder), "XDG_CACHE_HOME": str(folder / "cache")}
    run = {"env": env, "capture_output": True, "text": True, "check": True, "timeout": 120}
    subprocess.run([readlist, "import", "--db", str(library), *map(str, feeds)], **run)
    listed = subprocess.run([readlist, "list", "--db", str(library), QUERY], **run).stdout
    matches = len(listed.splitlines())
    assert 0 < matches < papers
    return Built(library, papers, matches)


@pytest.fixture(scope="module")
def sample_library(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build(tmp_path_factory.mktemp("sample"), [SAMPLE], 86)


@pytest.fixture(scope="module")
def big_library(tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = tmp_path_factory.mktemp("big")
    feed = folder / "synthetic.txt"
    feed.write_text(generate(10_000), encoding="utf-8")
    return build(folder, [feed, SAMPLE], 10_086)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(need_tool("tmux"), f"readlist-burst-{os.getpid()}-{tmp_path.name}")
    yield term
    term.kill()


def start_on_a_copy(terminal: Terminal, built: Built, tmp_path: Path) -> tuple[Path, Path]:
    """The installed readlist on a copy of `built`, until its first paint; (library, HOME).
    HOME has no index cache: the first session, which builds the index while keys arrive."""
    db = tmp_path / "library.json"
    shutil.copyfile(built.path, db)
    home = tmp_path / "home"
    home.mkdir()
    command = (
        "env -u COLUMNS -u LINES TERM=xterm-256color"
        f" HOME={shlex.quote(str(home))} XDG_CACHE_HOME={shlex.quote(str(home / 'cache'))}"
        f" VISUAL=true EDITOR=true {shlex.quote(installed_readlist())}"
        f" --db {shlex.quote(str(db))}; sleep 60"
    )
    total = f"{built.papers:,}"
    terminal.start(command)
    terminal.wait_for(
        lambda s: f"{total} papers · {total} unread" in s, "the first paint", every=0.02
    )
    return db, home


@pytest.mark.parametrize(
    ("which", "delay"),
    [
        ("sample", 0.0),
        ("sample", 0.5),
        ("sample", 1.0),
        ("sample", 2.0),
        ("big", 0.0),
        ("big", 1.0),
    ],
)
def test_search_typed_in_one_burst_after_the_first_paint(
    which: str,
    delay: float,
    request: pytest.FixtureRequest,
    terminal: Terminal,
    tmp_path: Path,
) -> None:
    built: Built = request.getfixturevalue(f"{which}_library")
    start_on_a_copy(terminal, built, tmp_path)
    total = f"{built.papers:,}"
    time.sleep(delay)
    terminal.burst("/", QUERY)
    shown = terminal.wait_for(
        lambda s: f"{built.matches:,} of {total}" in s, f"{built.matches:,} of {total} papers"
    )
    assert re.search(rf"▊\s+{QUERY}\s+▎", shown), shown  # the query is in the search bar
    assert f"{total} papers · {total} unread" in shown, shown  # no letter ran as a command


@pytest.mark.parametrize("which", ["sample", "big"])
def test_search_enter_and_list_keys_in_one_burst(
    which: str, request: pytest.FixtureRequest, terminal: Terminal, tmp_path: Path
) -> None:
    """`/merging`, Enter, `j j s` in one send-keys call: the search stays in the bar and the third
    match is starred (the keys after Enter went to the search bar, then to the unfiltered list)."""
    built: Built = request.getfixturevalue(f"{which}_library")
    db, home = start_on_a_copy(terminal, built, tmp_path)
    total = f"{built.papers:,}"
    terminal.burst("/", QUERY, "Enter", "j", "j", "s")
    shown = terminal.wait_for(lambda s: "1 starred" in s, "the star in the status line")
    assert re.search(rf"▊\s+{QUERY}\s+▎", shown), shown
    assert f"{built.matches:,} of {total}" in shown, shown
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / "cache")}
    run = {"env": env, "capture_output": True, "text": True, "check": True, "timeout": 60}
    readlist = installed_readlist()
    # The app shows a query with words in relevance order, as `list --sort relevance` prints it.
    ranked = [readlist, "list", "--db", str(db), "--sort", "relevance", QUERY]
    third = subprocess.run(ranked, **run).stdout.splitlines()[2]
    starred = subprocess.run([readlist, "list", "--db", str(db), "is:starred"], **run).stdout
    assert starred.splitlines() == [third]
