"""Any string a user types gives results or one clear line, never a traceback.

tests/unit/test_query_properties.py checks `parse_query` alone; here arbitrary text goes through
`readlist.cli.main` (list, set, export) and into the app's search bar.
"""

from __future__ import annotations

import contextlib
import io
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from appkit import SIZE, main_screen, paper_list, settle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readlist.app import ReadlistApp
from readlist.cli import main
from readlist.core.formats import read_feed
from readlist.core.library import Library

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_feed.txt"

#: Text a user might type: the query language's own characters are made likely.
TYPED = st.lists(
    st.one_of(
        st.sampled_from([*list("\":-*[]/\\ ()'`$~!@#%^&={}|<>?,.;"), "is:", "has:", "tag:"]),
        st.sampled_from(["date:", "model", "\x1b[2J", "\x00", "\t", "\n", "🚀", "ש", "全"]),
        st.characters(codec="utf-8"),
    ),
    max_size=20,
).map("".join)

#: Control characters other than tab and newline (ESC and BEL among them).
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("any") / "library.json"
    parsed = read_feed(str(SAMPLE))
    with Library.open(path) as library:
        library.import_papers(parsed.papers, parsed.source)
    return path


@contextlib.contextmanager
def captured() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        yield out, err


def run_cli(*args: str) -> tuple[int, str, str]:
    """main(args) in-process; any exception escaping it fails the test with the input."""
    with captured() as (out, err):
        status = main(list(args))
    return status, out.getvalue(), err.getvalue()


def assert_clear(status: int, err: str) -> None:
    assert status in (0, 2), status
    assert "Traceback" not in err
    if status == 2:
        assert err.startswith(("readlist: ", "usage: readlist")), err
        if err.startswith("readlist: "):
            assert err.count("\n") == 1, err  # one line, naming what is wrong


@SETTINGS
@given(text=TYPED)
def test_any_query_to_list_and_export_gives_results_or_one_line(db: Path, text: str) -> None:
    status, out, err = run_cli("list", "--db", str(db), "--", text)
    assert_clear(status, err)
    if status == 0:
        assert len(out.splitlines()) <= 86
    status, out, err = run_cli("export", "--db", str(db), "-f", "json", "--", text)
    assert_clear(status, err)
    status, _, err = run_cli("list", "--db", str(db), text)  # also without `--`
    assert_clear(status, err)


@SETTINGS
@given(text=TYPED)
def test_any_id_to_set_gives_a_change_or_one_line(db: Path, text: str) -> None:
    before = db.read_bytes()
    status, out, err = run_cli("set", "--db", str(db), "--read", "--", text)
    assert_clear(status, err)
    if status == 2:
        assert db.read_bytes() == before
    else:
        assert out.split()[0].startswith(text.strip().lower())


@SETTINGS
@given(note=TYPED, tag=TYPED)
def test_any_note_and_tag_are_saved_or_refused_in_one_line(db: Path, note: str, tag: str) -> None:
    target = Library.open(db).entries()[5].id
    status, _, err = run_cli("set", "--db", str(db), target, f"--note={note}")
    assert_clear(status, err)
    assert status == 0
    stored = Library.open(db).get(target).state.note
    assert not CONTROLS.search(stored)  # no escape sequence is kept, even in a note
    if not CONTROLS.search(note):
        assert stored == note  # plain text is kept exactly
    status, _, err = run_cli("set", "--db", str(db), target, f"--tag={tag}")
    assert_clear(status, err)
    if status == 0:
        tags = Library.open(db).get(target).state.tags
        assert not any(CONTROLS.search(t) for t in tags)
        if not CONTROLS.search(tag):  # commas separate tags: each part is a tag
            for part in tag.split(","):
                assert " ".join(part.split()).lower() in (*tags, "")


async def test_any_string_typed_in_the_search_bar_gives_results_or_an_error(
    tmp_path: Path,
) -> None:
    library = Library.open(tmp_path / "library.json")
    parsed = read_feed(str(SAMPLE))
    library.import_papers(parsed.papers, parsed.source)
    rng = random.Random(7)
    alphabet = [*list('":-*[]/\\ ()abcdeimnost'), "is:", "has:", "tag:", "date:", "\x1b", "🚀"]
    typed = ["[/]", "[bold]", '"', "is:", "has:x", "tag:", "date:2024-13", "-", "--", "\x00"]
    typed += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(20)]
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        bar = main_screen(app).search_bar
        for text in typed:
            bar.input.value = text
            await settle(pilot)
            shown = len(paper_list(app).entries)
            error = bar._error
            assert error or shown <= 86, text
            if error:
                assert "\n" not in error
        await pilot.press("escape")
        await settle(pilot)
        assert len(paper_list(app).entries) == 86
        assert app.is_running
    library.close()


#: Pieces of a readlist Markdown list, shuffled with arbitrary text into a hostile one.
MARKDOWN_PIECES = ["- [ ] ", "- [x] ", "- [ ] ⭐ ", "  - Tags: ", "  - Note: ", "    "]
MARKDOWN_PIECES += ["  - Date: ", "  - Code: <", "  - Abstract: ", "  - Links: ", "", "# readlist"]
MARKDOWN_LINES = st.lists(
    st.tuples(
        st.sampled_from(MARKDOWN_PIECES),
        TYPED,
    ).map("".join),
    max_size=12,
)


@SETTINGS
@given(lines=MARKDOWN_LINES)
def test_any_markdown_list_imports_or_is_refused_in_one_line(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str]
) -> None:
    """A Markdown list is foreign input like a feed: any content gives papers or one line."""
    folder = tmp_path_factory.mktemp("md")
    listing = folder / "shared.md"
    listing.write_text("# readlist: 2 papers\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    db = folder / "library.json"
    status, out, err = run_cli("import", "--db", str(db), str(listing))
    assert_clear(status, err)
    if status == 0:
        assert out.startswith("shared.md: ")
        for entry in Library.open(db).entries():
            state, paper = entry.state, entry.paper
            texts = [paper.title, paper.abstract, state.note, *state.tags, *paper.links]
            assert not any(CONTROLS.search(t) for t in texts), texts
            assert all(link.startswith(("http://", "https://")) for link in paper.links)
