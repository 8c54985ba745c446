"""Hostile feeds through the command line and the app: no crash, no escape byte out, markup literal.

The parser's own tests (tests/unit/test_daily_papers.py, test_text.py, test_feed_properties.py)
check the stored text; these follow the same inputs to what a user's terminal receives: the bytes
`readlist` prints, the library file, and what the app draws.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from appkit import (
    SIZE,
    detail_text,
    main_screen,
    paper_list,
    settle,
    terminal_output,
    visible_rows,
)
from hostile import (
    ESCAPE_TITLES,
    GITHUB,
    MARKUP_TITLES,
    WORLD_TITLES,
    big_feed,
    cp1252_feed,
    hostile_feed,
)

from readlist.app import ReadlistApp
from readlist.core.library import Library

ROOT = Path(__file__).resolve().parents[2]

#: Bytes that must never reach the terminal from a feed: ESC, BEL, CSI/OSC as C1 (UTF-8), and
#: the same escaped inside JSON.
FORBIDDEN = (b"\x1b", b"\x07", b"\xc2\x9b", b"\xc2\x9d", b"\\u001b", b"\\u0007", b"\\u009b")


def readlist(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "readlist", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )


def assert_clean(data: bytes, what: str) -> None:
    for bad in FORBIDDEN:
        assert bad not in data, f"{bad!r} in {what}"


@pytest.fixture(scope="module")
def hostile_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile and cp1252 feeds imported by a real `readlist import` (UTF-8 feed via stdin)."""
    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "library.json"
    (folder / "cp1252.txt").write_bytes(cp1252_feed())
    done = readlist(
        "import", "--db", str(db), "-", str(folder / "cp1252.txt"), stdin=hostile_feed()
    )
    assert done.returncode == 0, done.stderr
    summary = done.stdout.decode().splitlines()
    assert summary[0] == "<stdin>: 11 papers, 11 new, 0 updated"
    assert summary[1] in (
        "cp1252.txt: 1 paper, 1 new, 0 updated",
        "cp1252.txt: 1 paper, 1 new, 0 updated",
    )
    err = done.stderr.decode()
    assert "escape sequences removed" in err and "read as cp1252" in err
    assert_clean(done.stdout + done.stderr, "import output")
    return db


def test_nothing_from_a_hostile_feed_reaches_the_terminal_or_the_file(
    hostile_library: Path,
) -> None:
    assert_clean(hostile_library.read_bytes(), "the library file")
    listed = readlist("list", "--db", str(hostile_library))
    assert listed.returncode == 0
    assert_clean(listed.stdout + listed.stderr, "readlist list")
    text = listed.stdout.decode()
    for title in (*MARKUP_TITLES, *WORLD_TITLES, *(clean for _, clean in ESCAPE_TITLES)):
        assert title in text, title  # markup literal, RTL / wide / emoji exactly
    assert "“Smart quotes” – naïve café models" in text
    as_json = readlist("list", "--db", str(hostile_library), "--json")
    assert_clean(as_json.stdout, "readlist list --json")
    docs = json.loads(as_json.stdout)
    assert {d["title"] for d in docs} >= {*MARKUP_TITLES, *WORLD_TITLES}
    for fmt in ("md", "bibtex", "csv", "json"):
        exported = readlist("export", "--db", str(hostile_library), "-f", fmt)
        assert exported.returncode == 0, exported.stderr
        assert_clean(exported.stdout, f"export {fmt}")


def test_only_web_links_are_kept_from_a_hostile_feed(hostile_library: Path) -> None:
    with Library.open(hostile_library) as library:
        for entry in library.entries():
            links = entry.paper.links
            assert all(link.startswith(("http://", "https://")) for link in links), links
            if entry.paper.source != "cp1252.txt":
                assert entry.paper.github == GITHUB and links == (GITHUB,)


BAD_FEEDS = {
    "nul.txt": (b"\x00", 4096, "binary"),
    "blank.txt": (b" \n\t\r\n", 100, "empty"),
    "one-line.txt": (b"word ", 2_000_000, "no papers found"),  # 10 MB, no line break
}


@pytest.mark.parametrize("name", sorted(BAD_FEEDS))
def test_bad_feeds_are_one_line_and_change_nothing(
    hostile_library: Path, tmp_path: Path, name: str
) -> None:
    unit, times, problem = BAD_FEEDS[name]
    feed = tmp_path / name
    feed.write_bytes(unit * times)
    before = hostile_library.read_bytes()
    done = readlist("import", "--db", str(hostile_library), str(feed))
    assert done.returncode == 2
    (line,) = done.stderr.decode().splitlines()
    assert line.startswith("readlist: ") and name in line and problem in line
    assert hostile_library.read_bytes() == before


def ten_mb_line_feed() -> bytes:
    """Two papers, the second with an abstract that is one 10 MB line (titles stop at 300)."""
    huge = "lorem ipsum " * 900_000
    return (
        f"Mar 12\n\nShort title one\n\nShort abstract.\n\nHuge abstract paper\n\nAbstract {huge}\n"
    ).encode()


def test_a_10_mb_line_imports_and_lists(tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    started = time.monotonic()
    done = readlist("import", "--db", str(db), "-", stdin=ten_mb_line_feed())
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().strip() == "<stdin>: 2 papers, 2 new, 0 updated"
    listed = readlist("list", "--db", str(db), "ipsum")
    assert "Huge abstract paper" in listed.stdout.decode()
    assert time.monotonic() - started < 20


LONG_LINE_CHILD = Path(__file__).resolve().parent / "long_line_app.py"


def test_the_app_stays_responsive_on_a_paper_with_a_10_mb_abstract(tmp_path: Path) -> None:
    """Moving onto, opening and searching the paper must each take seconds, not minutes.

    (Found by this test: the detail pane wrapped the whole 10 MB abstract, 71 s for one `j`;
    fixed in 1f05bd0 by cutting huge fields before wrapping.)
    """
    db = tmp_path / "library.json"
    done = readlist("import", "--db", str(db), "-", stdin=ten_mb_line_feed())
    assert done.returncode == 0, done.stderr
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, str(LONG_LINE_CHILD), str(db)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        out, _ = child.communicate(timeout=12)
    except subprocess.TimeoutExpired:
        child.kill()
        out, _ = child.communicate()
    steps = dict(line.split(" ", 1) for line in out.splitlines() if line)
    assert list(steps) == ["open", "j", "enter", "search"], f"hung after {list(steps)}"
    for step, seconds in steps.items():
        assert float(seconds) < 3.0, (step, seconds)


def test_a_50_mb_feed_imports_through_the_command_line_in_reasonable_time(tmp_path: Path) -> None:
    feed = tmp_path / "huge.txt"
    data = big_feed(68_000, abstract_words=95)
    assert len(data) > 50_000_000
    feed.write_bytes(data)
    del data
    db = tmp_path / "library.json"
    started = time.monotonic()
    done = readlist("import", "--db", str(db), str(feed))
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().strip() == "huge.txt: 68,000 papers, 68,000 new, 0 updated"
    assert took < 30, f"{took:.1f} s"  # measured ~4 s on a 2-core machine


async def test_the_app_shows_every_hostile_paper_literally_and_never_an_escape(
    hostile_library: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "library.json"
    copy.write_bytes(hostile_library.read_bytes())
    library = Library.open(copy)
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        widget = paper_list(app)
        count = len(widget.entries)
        assert count == 12
        seen_rows: list[str] = []
        seen_detail: list[str] = []
        for index in range(count):
            if index:
                await pilot.press("j")  # the detail pane follows the cursor
            await pilot.pause()
            seen_detail.append(detail_text(app))
            seen_rows.append(visible_rows(app)[index])
            assert widget.cursor == index
            drawn = terminal_output(app)  # Textual's own escapes, and nothing from the feed
            for bad in ("\x1b]52", "\x1b[2J", "\x1b]8;;file", "\x1bc", "\x07", "\x9b", "\x9d"):
                assert bad not in drawn, (index, bad)
        await pilot.press("enter", "end", "tab")  # open the last detail, scroll, come back
        await pilot.pause()
        screen_svg = app.export_screenshot()
        for text in (*seen_rows, *seen_detail, screen_svg):
            assert_clean(text.encode(), "what the app draws")
        for title in MARKUP_TITLES:
            assert any(title in d for d in seen_detail), title  # literal, whole
            assert any(title[:30] in row for row in seen_rows), title  # literal, cut to fit
        assert any("[red]markup[/red]" in d and "closing [/] tag" in d for d in seen_detail)
        for title in WORLD_TITLES:
            assert any(title in d for d in seen_detail), title
        assert any("javascript:" in d for d in seen_detail)  # shown as text in the abstract...
        links = str(main_screen(app).query_one("#detail-links").render())
        assert "javascript:" not in links and "file:" not in links  # ...never as a link
        for query in ("[bold]", "[/]", "[link=file:///etc/passwd]", "🚀", "שלום", "全角"):
            await pilot.press("slash")
            main_screen(app).search_bar.input.value = query
            await settle(pilot)
            found = [f"{e.paper.title} {e.paper.abstract}".lower() for e in widget.entries]
            assert found and all(query.lower() in text for text in found), query
            await pilot.press("escape")
            await settle(pilot)
        assert app.is_running
    library.close()


EVIL_MARKDOWN_LIST = (
    b"# readlist: 1 papers\n\n"
    b"- [x] Title \x1b[2J with escape\n"
    b"  - Date: 2024-03-12\n"
    b"  - Tags: ok, t\x1b]52;c;ZXZpbA==\x07ag\n"
    b"  - Note: n \x1b[31mred\n"
    b"  - Abstract: An abstract \x1b]52;c;eA==\x07 here.\n"
)


async def test_a_shared_markdown_list_cannot_carry_escape_sequences_into_tags(
    tmp_path: Path,
) -> None:
    """A Markdown list from someone else is as untrusted as a feed, tags included.

    (Found by this test: an OSC 52 write in a tag was stored, exported and drawn; fixed in
    b9debb4 and 8ec3598 by cleaning stored notes and tags, and what the list and detail draw.)
    """
    db = tmp_path / "library.json"
    done = readlist("import", "--db", str(db), "-", stdin=EVIL_MARKDOWN_LIST)
    assert done.returncode == 0, done.stderr
    exported = readlist("export", "--db", str(db), "-f", "md")
    library = Library.open(db)
    (entry,) = library.entries()
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        drawn = terminal_output(app)
    library.close()
    assert entry.state.read and entry.state.note == "n red"
    assert "\x1b" not in "".join(entry.state.tags), entry.state.tags
    assert_clean(exported.stdout, "readlist export -f md")
    assert "\x1b]52" not in drawn


async def test_escapes_already_in_a_library_file_are_never_drawn(
    hostile_library: Path, tmp_path: Path
) -> None:
    """A file written by a script or an older readlist may hold anything: the app draws text."""
    document = json.loads(hostile_library.read_bytes())
    first = next(iter(document["papers"].values()))
    first["title"] = "Raw \x1b]52;c;ZXZpbA==\x07 title \x1b[2J"
    first["abstract"] = "Raw abstract \x1b[31mred\x1b[0m \x9b2J"
    first["note"] = "Raw note \x1b]8;;file:///etc/passwd\x1b\\link\x1b]8;;\x1b\\"
    first["tags"] = ["raw\x1b[5mtag"]
    copy = tmp_path / "library.json"
    copy.write_text(json.dumps(document), encoding="utf-8")
    library = Library.open(copy)
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        widget = paper_list(app)
        widget.move_to(next(i for i, e in enumerate(widget.entries) if e.id == first["id"]))
        await pilot.press("enter")
        await settle(pilot)
        drawn = terminal_output(app)
        assert "Raw" in detail_text(app)
    library.close()
    for bad in ("\x1b]52", "\x1b[2J", "\x1b[31m", "\x1b[5m", "\x1b]8;;file", "\x9b", "\x07"):
        assert bad not in drawn, bad
