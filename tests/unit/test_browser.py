"""Opening links: only http(s) ever reaches the browser, and every outcome has a clear message."""

from __future__ import annotations

import threading

import pytest

from readlist.browser import has_graphical_browser, open_url

GITHUB = "https://github.com/owner/repo"


class Recorder:
    """Stands in for `webbrowser.open`, remembering what it was asked to open."""

    def __init__(self, answer: bool = True) -> None:
        self.opened: list[str] = []
        self.answer = answer

    def __call__(self, url: str) -> bool:
        self.opened.append(url)
        return self.answer


def test_web_url_is_opened() -> None:
    opener = Recorder()
    assert open_url(GITHUB, opener=opener) == f"Opening {GITHUB} in the browser"
    assert opener.opened == [GITHUB]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "ftp://example.org/x",
        "https://",
        "-new-window http://x",
        "data:text/html,<b>x</b>",
    ],
)
def test_anything_but_http_is_refused(url: str) -> None:
    opener = Recorder()
    message = open_url(url, opener=opener)
    assert message.startswith("Not opening ")
    assert "only http and https links are opened" in message
    assert opener.opened == []


def test_no_browser_found_is_said() -> None:
    assert open_url(GITHUB, opener=Recorder(answer=False)) == f"No browser found to open {GITHUB}"


def test_browser_error_becomes_a_message() -> None:
    def broken(url: str) -> bool:
        raise OSError("no such program")

    message = open_url(GITHUB, opener=broken)
    assert message == f"Could not open {GITHUB} in the browser: no such program"


def test_slow_browser_does_not_block() -> None:
    release = threading.Event()

    def slow(url: str) -> bool:
        release.wait(5)
        return True

    try:
        assert open_url(GITHUB, opener=slow, wait=0.05) == f"Opening {GITHUB} in the browser"
    finally:
        release.set()


def test_console_without_display_does_not_start_a_terminal_browser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    system_browser = Recorder()
    monkeypatch.setattr("webbrowser.open", system_browser)
    message = open_url(GITHUB, env={"TERM": "xterm"})
    assert message.startswith(f"No browser to open {GITHUB}")
    assert system_browser.opened == []


def test_graphical_browser_detection() -> None:
    assert has_graphical_browser({"DISPLAY": ":0"}, "linux")
    assert has_graphical_browser({"BROWSER": "firefox"}, "linux")
    assert not has_graphical_browser({}, "linux")
    assert has_graphical_browser({}, "darwin")


def test_long_url_is_shortened_in_the_message() -> None:
    url = "https://example.org/" + "a" * 300
    opener = Recorder()
    message = open_url(url, opener=opener)
    assert opener.opened == [url]
    assert len(message) < 200 and "…" in message
