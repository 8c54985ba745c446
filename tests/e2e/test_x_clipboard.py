"""A real X clipboard: copy_text puts the exact URL into the CLIPBOARD selection under Xvfb.

The test starts its own Xvfb on a free display (`-displayfd` lets the server pick one), points
DISPLAY at it, and reads the selection back with the same programs a user would.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator

import pyperclip
import pytest
from textual.app import App
from tooling import need_tool

from readlist.clipboard import copy_text

URL = "https://github.com/huggingface/smolagents"


class HostApp(App[None]):
    """A bare app to own the OSC 52 side of the copy."""


@pytest.fixture
def x_display(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private Xvfb server, its display in $DISPLAY, pyperclip ready to choose a backend."""
    xvfb = need_tool("Xvfb", package="xvfb")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_end), "-nolisten", "tcp", "-screen", "0", "640x480x24"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as announced:
            number = announced.readline().decode().strip()
        if not number:
            pytest.fail("Xvfb started but did not report a display number")
        display = f":{number}"
        monkeypatch.setenv("DISPLAY", display)
        monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
        monkeypatch.setattr(pyperclip, "copy", pyperclip.lazy_load_stub_copy)
        monkeypatch.setattr(pyperclip, "paste", pyperclip.lazy_load_stub_paste)
        yield display
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def read_clipboard(command: list[str], expected: str) -> str:
    """Paste with `command` until it gives `expected` (or 10 s pass); returns the last paste.

    xsel returns as soon as it has forked, and its background child takes the selection a moment
    later, so an immediate paste can still see the old contents (a user never pastes that fast).
    A paste that does not answer (seen rarely with `xsel -o` racing a new owner) is retried.
    """
    deadline = time.monotonic() + 10
    pasted = "<no answer>"
    while time.monotonic() < deadline:
        try:
            done = subprocess.run(
                command, stdin=subprocess.DEVNULL, capture_output=True, timeout=2, check=False
            )
        except subprocess.TimeoutExpired:
            continue
        pasted = done.stdout.decode("utf-8")
        if pasted == expected:
            break
        time.sleep(0.05)
    return pasted


async def copy_through_app(text: str) -> bool:
    app = HostApp()
    async with app.run_test():
        result = copy_text(app, text)
        assert app.clipboard == text
        assert result.message == f"Copied {text} to the clipboard", result.message
        return result.system


async def test_url_lands_in_the_x_clipboard(x_display: str) -> None:
    xsel = need_tool("xsel")
    xclip = need_tool("xclip")
    assert await copy_through_app(URL) is True
    assert (
        read_clipboard([xsel, "--selectionTimeout", "1000", "--clipboard", "--output"], URL) == URL
    )
    assert read_clipboard([xclip, "-o", "-selection", "clipboard"], URL) == URL


async def test_xclip_backend_works_and_does_not_hang(x_display: str) -> None:
    xclip = need_tool("xclip")
    pyperclip.set_clipboard("xclip")
    deep = URL + "/tree/main"
    assert await copy_through_app(deep) is True
    assert read_clipboard([xclip, "-o", "-selection", "clipboard"], deep) == deep
