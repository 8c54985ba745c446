"""Fetching from the app: F fetches the configured sources in the background (F again or Esc
cancels), A adds papers by arXiv id, fetch_on_start fetches after the first paint. Every request
goes to a server the test starts on 127.0.0.1."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers.fake_sources import Fake, FakeServer, Reply, atom_feed, hf_day
from textual.pilot import Pilot
from textual.widgets import Input

from readlist.app import ReadlistApp
from readlist.config import Config, FetchConfig
from readlist.core.library import Library
from readlist.screens.add_dialog import AddDialog
from readlist.screens.main import MainScreen

from .conftest import SIZE, main_screen, notifications, settle, status


def utc_today() -> datetime.date:
    return datetime.datetime.now(datetime.timezone.utc).date()


TODAY = utc_today()
NEW = Fake("2611.00001", "Fetched: a paper that was not in the list", "We fetch it. " * 20)
HF = Config(fetch=FetchConfig(sources=("hf",)))


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServer]:
    with FakeServer() as fake:
        monkeypatch.setenv("READLIST_HF_URL", fake.url)
        monkeypatch.setenv("READLIST_ARXIV_API_URL", fake.url + "/api/query")
        yield fake


async def wait_until(pilot: Pilot[None], test: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 15
    while not test():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def said(app: ReadlistApp, text: str) -> bool:
    return any(text in message for message in notifications(app))


async def test_F_fetches_todays_papers_into_the_list_keeping_what_the_user_did(
    library: Library, server: FakeServer
) -> None:
    known = library.entries()[3]
    library.update_state(known.id, starred=True, note="mine", tags=["keep"])
    again = Fake("2611.00002", known.paper.title, known.paper.abstract, upvotes=99)
    server.route("/api/daily_papers", Reply(body=hf_day([NEW, again], TODAY)))
    app = ReadlistApp(library, config=HF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await wait_until(pilot, lambda: said(app, "2 papers, 1 new, 1 updated"), "the summary")
        await settle(pilot)
        assert len(library) == 87
        assert "87 papers" in status(app) and "fetching" not in status(app)
        entry = library.get(known.id)
        assert (entry.state.starred, entry.state.note, entry.state.tags) == (
            True,
            "mine",
            ("keep",),
        )
        assert entry.paper.upvotes == 99 and entry.paper.authors == again.authors
        assert any(e.paper.arxiv_id == NEW.arxiv_id for e in main_screen(app).results)
    (seen,) = server.requests_to("/api/daily_papers")
    # today's UTC date, whichever side of midnight the fetch ran
    assert seen.query["date"][0] in {TODAY.isoformat(), utc_today().isoformat()}


def slow_body() -> Iterator[bytes]:
    """A response that trickles in for ~10 s: a cancel is seen between its chunks."""
    yield b"["
    for _ in range(100):
        time.sleep(0.1)
        yield b" "


@pytest.mark.parametrize("key", ["F", "escape"])
async def test_F_again_or_esc_cancels_a_running_fetch_and_nothing_changes(
    library: Library, server: FakeServer, key: str
) -> None:
    server.route("/api/daily_papers", Reply(body=slow_body, length=False))
    before = library.path.read_bytes()
    app = ReadlistApp(library, config=HF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await wait_until(pilot, lambda: "cancels" in status(app), "the fetch in the status line")
        assert "86 papers" in status(app)  # the list stays usable meanwhile
        await pilot.press("j")
        await pilot.press(key)
        started = time.monotonic()
        await wait_until(pilot, lambda: said(app, "Fetch cancelled"), "the cancel")
        assert time.monotonic() - started < 3
        assert "cancel" not in status(app)
    assert library.path.read_bytes() == before


async def test_a_cancel_is_immediate_even_when_the_server_sends_nothing_and_imports_nothing_late(
    library: Library, server: FakeServer
) -> None:
    """Headers, then silence (the read blocks inside the socket for its 30 s timeout): Esc ends
    the fetch at once, a second F fetches, and the first fetch's papers, arriving after the
    cancel, are never imported."""
    late = Fake("2611.00077", "Arrived after the cancel: never imported", "Late. " * 30)
    stall = 4.0
    server.route(
        "/api/daily_papers",
        Reply(body=hf_day([late], TODAY), stall_s=stall),
        Reply(body=hf_day([NEW], TODAY)),
    )
    app = ReadlistApp(library, config=HF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await wait_until(pilot, lambda: bool(server.requests_to("/api/daily_papers")), "request")
        started = time.monotonic()
        await pilot.press("escape")
        await wait_until(pilot, lambda: said(app, "Fetch cancelled"), "the cancel")
        assert time.monotonic() - started < 1.5  # not the stall, not the read timeout
        assert "cancel" not in status(app) and "fetching" not in status(app)
        await pilot.press("F")  # a new fetch while the first one's thread still waits
        await wait_until(pilot, lambda: said(app, "1 paper, 1 new"), "the second fetch")
        await pilot.pause(stall + 1)  # the first request's body has arrived by now
        await settle(pilot)
        titles = {e.paper.title for e in library.entries()}
        assert NEW.title in titles and late.title not in titles
        assert len(library) == 87
        assert "fetching" not in status(app)  # the late thread's end changed nothing on screen


async def test_a_failing_source_says_so_in_one_notice_and_adds_nothing(
    library: Library, server: FakeServer
) -> None:
    page = b"<!DOCTYPE html><html><body>Service unavailable</body></html>"
    server.route("/api/daily_papers", Reply(body=page, content_type="text/html"))
    before = library.path.read_bytes()
    app = ReadlistApp(library, config=HF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await wait_until(pilot, lambda: said(app, "Not fetched: hf"), "the failure")
    assert library.path.read_bytes() == before


async def test_A_adds_papers_by_arxiv_id_or_url(library: Library, server: FakeServer) -> None:
    other = Fake("2611.00003", "Added by its URL", "An abstract. " * 10)
    server.route("/api/query", Reply(body=atom_feed([NEW, other])))
    app = ReadlistApp(library, config=HF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("A")
        assert isinstance(app.screen, AddDialog)
        await pilot.press(*"arXiv:2611.00001v2 https://arxiv.org/abs/2611.00003", "enter")
        await wait_until(pilot, lambda: said(app, "2 papers, 2 new"), "the summary")
        assert isinstance(app.screen, MainScreen)
    added = {e.paper.arxiv_id: e for e in library.entries() if e.paper.arxiv_id}
    assert set(added) == {"2611.00001", "2611.00003"}
    assert added["2611.00003"].paper.authors == other.authors
    (seen,) = server.requests_to("/api/query")
    assert seen.query["id_list"] == ["2611.00001,2611.00003"]


async def test_A_names_a_word_that_is_not_an_id_and_fetches_nothing(
    library: Library, server: FakeServer
) -> None:
    app = ReadlistApp(library, config=HF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("A", *"2611.00001 hello", "enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, AddDialog)
        assert "'hello': not an arXiv id or URL" in str(dialog.query_one("#add-error").render())
        assert dialog.query_one(Input).value == "2611.00001 hello"
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
    assert server.seen == []


async def test_fetch_on_start_fetches_after_the_first_paint(
    library: Library, server: FakeServer
) -> None:
    server.route("/api/daily_papers", Reply(body=hf_day([NEW], TODAY)))
    config = Config(fetch=FetchConfig(sources=("hf",), fetch_on_start=True))
    app = ReadlistApp(library, config=config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: said(app, "1 paper, 1 new"), "the fetch on start")
        await settle(pilot)
        assert "87 papers" in status(app)


async def test_no_fetch_on_start_unless_asked(library: Library, server: FakeServer) -> None:
    app = ReadlistApp(library, config=HF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.pause(0.3)
    assert server.seen == []


def test_the_fetch_keys_are_in_the_help(tmp_path: Path) -> None:
    with Library.open(tmp_path / "lib.json") as library:
        rows = {action: keys for keys, _, _, action in ReadlistApp(library).key_table()}
    assert (rows["fetch"], rows["add_papers"], rows["copy_bibtex"]) == ("F", "A", "b")
