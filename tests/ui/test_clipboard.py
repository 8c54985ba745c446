"""Copying a link: OSC 52 always, pyperclip too, and a message that says which one worked."""

from __future__ import annotations

import socket
import sys
import threading
from typing import Any

import pyperclip
import pytest
from textual.app import App

import readlist.clipboard
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
    monkeypatch.setenv("DISPLAY", ":0")
    app = HostApp()
    async with app.run_test():
        result = copy_text(app, URL)
        assert result.system is False
        assert result.message == (
            f"Sent {URL} to the terminal clipboard (OSC 52); "
            "install xclip, xsel or wl-clipboard for the system clipboard"
        )
        assert app.clipboard == URL


async def test_no_display_is_named_when_a_copy_program_is_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over SSH without X forwarding, telling the user to install xclip would be wrong."""

    def no_backend(text: str) -> None:
        raise pyperclip.PyperclipException("Pyperclip could not find a copy/paste mechanism")

    monkeypatch.setattr(pyperclip, "copy", no_backend)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(readlist.clipboard.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(readlist.clipboard.sys, "platform", "linux")
    app = HostApp()
    async with app.run_test():
        result = copy_text(app, URL)
    assert result.message == (
        f"Sent {URL} to the terminal clipboard (OSC 52); "
        "no X or Wayland display here for the system clipboard"
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
    clipboard.choose_backend()
    assert chosen == ["xsel"]


def test_settles_the_backend_pyperclip_would_pick(monkeypatch: pytest.MonkeyPatch) -> None:
    from readlist import clipboard

    def copy_wl(text: str) -> None: ...

    def paste_wl() -> str:
        return ""

    monkeypatch.setattr(pyperclip, "copy", pyperclip.lazy_load_stub_copy)
    monkeypatch.setattr(pyperclip, "paste", pyperclip.lazy_load_stub_paste)
    monkeypatch.setattr(pyperclip, "determine_clipboard", lambda: (copy_wl, paste_wl))
    clipboard.choose_backend()
    assert (pyperclip.copy, pyperclip.paste) == (copy_wl, paste_wl)


def test_leaves_a_chosen_backend_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    from readlist import clipboard

    chosen: list[Any] = []
    monkeypatch.setattr(pyperclip, "copy", lambda text: None)
    monkeypatch.setattr(pyperclip, "set_clipboard", chosen.append)
    clipboard.choose_backend()
    assert chosen == []


@pytest.fixture
def x_backend(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """pyperclip set to an X backend (by name, as pyperclip names them) that records copies."""
    copied: list[str] = []

    def copy_xsel(text: str) -> None:
        copied.append(text)

    monkeypatch.setattr(pyperclip, "copy", copy_xsel)
    return copied


async def test_stale_display_is_reported_not_claimed(
    monkeypatch: pytest.MonkeyPatch, x_backend: list[str]
) -> None:
    monkeypatch.setenv("DISPLAY", ":987")
    app = HostApp()
    async with app.run_test():
        result = copy_text(app, URL)
        assert result.system is False
        assert "cannot reach the X display :987" in result.message
        assert result.message.startswith(f"Sent {URL} to the terminal clipboard (OSC 52);")
        assert app.clipboard == URL
        assert x_backend == []


async def test_reachable_display_is_used(
    monkeypatch: pytest.MonkeyPatch, x_backend: list[str]
) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert port > 6000
        monkeypatch.setenv("DISPLAY", f"127.0.0.1:{port - 6000}.0")
        app = HostApp()
        async with app.run_test():
            assert copy_text(app, URL).system is True
    assert x_backend == [URL]


@pytest.mark.parametrize("display", ["", "nohost.invalid:0", "127.0.0.1:1", ":986"])
def test_unreachable_displays(display: str) -> None:
    from readlist.clipboard import x_display_problem

    problem = x_display_problem(display, timeout=0.2)
    assert problem is not None
    assert display in problem if display else "not set" in problem


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="abstract sockets are Linux-only")
def test_local_display_found_by_its_socket_without_connecting() -> None:
    from readlist.clipboard import x_display_problem

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind("\0/tmp/.X11-unix/X984")
        server.listen()
        server.setblocking(False)
        assert x_display_problem(":984") is None
        assert x_display_problem("unix:984.0") is None
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody connected: an idle Xvfb would have reset
    assert x_display_problem(":984") is not None
