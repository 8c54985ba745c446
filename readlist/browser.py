"""Open a paper's link in the user's web browser, and only ever a web link.

Links come from feeds, which anyone can write, so nothing but http(s) is handed to the browser
(`file:`, `javascript:` and friends are refused). `webbrowser.open` can block while it starts a
browser, so it runs in a thread and the app gets a message to show straight away.
"""

from __future__ import annotations

import os
import sys
import threading
import webbrowser
from collections.abc import Callable, Mapping

from readlist.core.links import is_web_url

BROWSER_WAIT = 1.0
"""Seconds to wait for the browser to say whether it started before answering optimistically."""

MAX_SHOWN = 120


def shown_url(url: str) -> str:
    """The URL as a notification shows it: one line, cut with an ellipsis when very long."""
    flat = " ".join(url.split())
    return flat if len(flat) <= MAX_SHOWN else flat[: MAX_SHOWN - 1] + "…"


def has_graphical_browser(
    env: Mapping[str, str] = os.environ, platform: str = sys.platform
) -> bool:
    """False on a Unix box with no display and no $BROWSER (an SSH session, a console).

    There `webbrowser` falls back to console browsers such as lynx or w3m, which would fight the
    running app for the terminal, so readlist does not try.
    """
    if not (platform.startswith("linux") or "bsd" in platform):
        return True
    return any(env.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"))


def open_url_in_tab(url: str, opener: Callable[[str], None]) -> str:
    """In a browser tab (`readlist serve`): `opener` is `App.open_url`, which asks the tab to
    open a new one; only http(s) links are passed on. Returns the message to notify."""
    shown = shown_url(url)
    if not is_web_url(url):
        return f"Not opening {shown}: only http and https links are opened"
    opener(url)
    return f"Opening {shown} in a new browser tab (allow pop-ups for this page if none opens)"


def open_url(
    url: str,
    *,
    opener: Callable[[str], bool] | None = None,
    wait: float = BROWSER_WAIT,
    env: Mapping[str, str] = os.environ,
) -> str:
    """Open `url` in the browser if it is an http(s) URL; returns the message to notify."""
    shown = shown_url(url)
    if not is_web_url(url):
        return f"Not opening {shown}: only http and https links are opened"
    if opener is None:
        if not has_graphical_browser(env):
            return f"No browser to open {shown} (no graphical display); copy the link instead"
        opener = webbrowser.open

    outcome: list[bool | BaseException] = []

    def run() -> None:
        try:
            outcome.append(bool(opener(url)))
        except Exception as error:  # any browser failure becomes a message, never a crash
            outcome.append(error)

    thread = threading.Thread(target=run, name="readlist-browser", daemon=True)
    thread.start()
    thread.join(wait)
    if not outcome or outcome[0] is True:
        return f"Opening {shown} in the browser"
    if outcome[0] is False:
        return f"No browser found to open {shown}"
    return f"Could not open {shown} in the browser: {outcome[0]}"
