"""Copying a link: OSC 52 always, pyperclip too, and a message that says which one worked."""

from __future__ import annotations

import threading
from typing import Any

import pyperclip
import pytest
from textual.app import App

from readlist.clipboard import CopyResult, copy_link, copy_text

URL = "https://github.com/owner/repo"


class HostApp(App[None]):
    """A bare app: the clipboard only needs `copy_to_clipboard`."""


@pytest.fixture
def system_clipboard(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    return copied


async def test_copy_reaches_both_clipboards(system_clipboard: list[str]) -> None:
    app = HostApp()
    async with app.run_test():
        result = copy_text(app, URL)
        assert result == CopyResult(system=True, message=f"Copied {URL} to the clipboard")
        assert app.clipboard == URL
        assert system_clipboard == [URL]


async def test_no_backend_falls_back_to_osc52_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_backend(text: str) -> None:
        raise pyperclip.PyperclipException("Pyperclip could not find a copy/paste mechanism")

    monkeypatch.setattr(pyperclip, "copy", no_backend)
    app = HostApp()
    async with app.run_test():
        result = copy_text(app, URL)
        assert result.system is False
        assert result.message == (
            f"Sent {URL} to the terminal clipboard (OSC 52); "
            "install xclip, xsel or wl-clipboard for the system clipboard"
        )
        assert app.clipboard == URL


async def test_hung_backend_cannot_freeze_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def hangs(text: str) -> None:
        release.wait(10)

    monkeypatch.setattr(pyperclip, "copy", hangs)
    app = HostApp()
    try:
        async with app.run_test():
            result = copy_text(app, URL, timeout=0.1)
            assert result.system is False
            assert "did not answer within 0.1 s" in result.message
            assert app.clipboard == URL
    finally:
        release.set()


async def test_other_backend_error_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> None:
        raise OSError("xsel: Can't open display")

    monkeypatch.setattr(pyperclip, "copy", broken)
    app = HostApp()
    async with app.run_test():
        result = copy_text(app, URL)
        assert result.system is False
        assert result.message.endswith("the system clipboard failed: xsel: Can't open display")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "not a url"])
async def test_only_web_links_are_copied_as_links(url: str, system_clipboard: list[str]) -> None:
    app = HostApp()
    async with app.run_test():
        result = copy_link(app, url)
        assert result.system is False
        assert result.message.startswith("Not copied:")
        assert app.clipboard == ""
        assert system_clipboard == []


async def test_copy_link_copies_a_web_link(system_clipboard: list[str]) -> None:
    app = HostApp()
    async with app.run_test():
        assert copy_link(app, URL).system is True
        assert (app.clipboard, system_clipboard) == (URL, [URL])


def test_prefers_xsel_over_xclip(monkeypatch: pytest.MonkeyPatch) -> None:
    from readlist import clipboard

    chosen: list[str] = []

    def copy_xclip(text: str) -> None: ...

    monkeypatch.setattr(pyperclip, "copy", pyperclip.lazy_load_stub_copy)
    monkeypatch.setattr(pyperclip, "determine_clipboard", lambda: (copy_xclip, None))
    monkeypatch.setattr(pyperclip, "set_clipboard", chosen.append)
    monkeypatch.setattr("readlist.clipboard.shutil.which", lambda name: f"/usr/bin/{name}")
    clipboard.prefer_xsel()
    assert chosen == ["xsel"]


def test_leaves_a_chosen_backend_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    from readlist import clipboard

    chosen: list[Any] = []
    monkeypatch.setattr(pyperclip, "copy", lambda text: None)
    monkeypatch.setattr(pyperclip, "set_clipboard", chosen.append)
    clipboard.prefer_xsel()
    assert chosen == []
