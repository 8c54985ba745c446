"""The one place that copies text, and says honestly where it went.

Text always goes to the terminal through OSC 52 (`App.copy_to_clipboard`: works over SSH and
tmux, never raises) and also to the system clipboard through pyperclip, which raises
`PyperclipException` when no backend (xclip, xsel, wl-clipboard) is installed. A clipboard program
can hang (xclip under some X servers keeps its pipes open), so pyperclip runs in a thread that the
app waits on for at most `SYSTEM_CLIPBOARD_TIMEOUT` seconds. pyperclip ignores xsel's and xclip's
exit status and lets them write errors onto the app's terminal, so with a stale $DISPLAY (common
inside tmux after an SSH session ends) the X server is checked first.

In a browser tab (`readlist serve`) the terminal is xterm.js, which hands OSC 52 to the browser's
clipboard API; pyperclip is skipped there, since the server's clipboard is not the user's. Browsers
allow that API only on a secure page (https, or localhost / 127.0.0.1), so a tab opened through
another address is told the copy probably did not arrive. The server says which address the tab
used in `READLIST_WEB_ORIGIN`.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sys
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pyperclip
from textual.app import App

from readlist.browser import shown_url
from readlist.core.links import is_web_url
from readlist.serve.guard import is_loopback

SYSTEM_CLIPBOARD_TIMEOUT = 2.0
INSTALL_HINT = "install xclip, xsel or wl-clipboard for the system clipboard"
NO_DISPLAY_HINT = "no X or Wayland display here for the system clipboard"
X_BACKENDS = frozenset({"copy_xsel", "copy_xclip"})
WEB_ORIGIN_ENV = "READLIST_WEB_ORIGIN"
_DISPLAY = re.compile(r"(?P<host>[^:/]*):(?P<number>\d+)(?:\.\d+)?")


@dataclass(frozen=True)
class CopyResult:
    """What happened: `system` is True when the system clipboard took the text too."""

    system: bool
    message: str


def choose_backend() -> None:
    """Settle pyperclip's backend now, using xsel rather than xclip when both are installed.

    xclip stays running to own the selection and keeps inherited pipes open, which can hang a
    caller waiting on them; xsel detaches cleanly. Does nothing once a backend is chosen (or a
    test has replaced `pyperclip.copy`).
    """
    if pyperclip.copy is not pyperclip.lazy_load_stub_copy:
        return
    chosen_copy, chosen_paste = pyperclip.determine_clipboard()
    if getattr(chosen_copy, "__name__", "") == "copy_xclip" and shutil.which("xsel"):
        pyperclip.set_clipboard("xsel")
    else:
        pyperclip.copy, pyperclip.paste = chosen_copy, chosen_paste


def x_display_problem(display: str, timeout: float = 0.5) -> str | None:
    """Why the X server in `display` cannot be reached, or None if it seems there (or is unknown).

    A local display is checked by its socket existing, never by connecting: a bare connection
    that closes makes a server with no other client (Xvfb) reset, and a copy started during that
    reset fails. A remote or SSH-forwarded display gets a TCP connect, which catches a forwarding
    that ended with its SSH session.
    """
    if not display:
        return "$DISPLAY is not set"
    found = _DISPLAY.fullmatch(display)
    if found is None:
        return None  # a form we do not know (XQuartz's launchd path): let the program try
    host, number = found.group("host"), int(found.group("number"))
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{number}"
        if os.path.exists(path) or _abstract_socket_exists("@" + path):
            return None
    else:
        try:
            socket.create_connection((host, 6000 + number), timeout=timeout).close()
        except OSError:
            pass
        else:
            return None
    return f"cannot reach the X display {display} (is $DISPLAY left over from another session?)"


def _missing_backend_hint() -> str:
    """Why pyperclip found no clipboard: on Linux with a copy program installed, it is the display
    that is missing (an SSH or console session), and installing xclip would not help."""
    on_linux = sys.platform.startswith("linux")
    has_program = any(shutil.which(name) for name in ("xclip", "xsel", "wl-copy"))
    no_display = not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")
    if on_linux and has_program and no_display:
        return NO_DISPLAY_HINT
    return INSTALL_HINT


def _abstract_socket_exists(name: str) -> bool:
    """True if a Linux abstract unix socket called `name` (`@...`) is listening."""
    try:
        with open("/proc/net/unix", encoding="utf-8", errors="replace") as table:
            return any(line.rstrip("\n").endswith(" " + name) for line in table)
    except OSError:
        return False


def _system_copy(text: str, timeout: float) -> BaseException | None:
    """Copy through pyperclip in a thread; the error, a TimeoutError if it hung, or None."""
    choose_backend()
    if getattr(pyperclip.copy, "__name__", "") in X_BACKENDS:
        problem = x_display_problem(os.environ.get("DISPLAY", ""))
        if problem:
            return ConnectionError(problem)
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            pyperclip.copy(text)
        except Exception as error:  # any backend failure is reported, never raised into the UI
            outcome.append(error)
        else:
            outcome.append(None)

    thread = threading.Thread(target=run, name="readlist-clipboard", daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        return TimeoutError(f"the system clipboard did not answer within {timeout:g} s")
    return outcome[0]


def browser_copy(
    app: App[Any], text: str, origin: str | None = None, label: str | None = None
) -> CopyResult:
    """Copy `text` through the browser the app runs in; `origin` is the tab's address (default:
    `$READLIST_WEB_ORIGIN`), which decides whether the browser lets the page write the clipboard."""
    app.copy_to_clipboard(text)
    shown = label or shown_url(text)
    where = os.environ.get(WEB_ORIGIN_ENV) if origin is None else origin
    if where and not is_loopback(urlsplit(where).hostname or ""):
        return CopyResult(
            system=False,
            message=f"Sent {shown} to the browser, which lets a page use the clipboard only over "
            "https or from localhost: it was probably not copied",
        )
    return CopyResult(system=True, message=f"Copied {shown} to the clipboard (through the browser)")


def copy_text(
    app: App[Any],
    text: str,
    *,
    label: str | None = None,
    timeout: float = SYSTEM_CLIPBOARD_TIMEOUT,
) -> CopyResult:
    """Copy `text` to the terminal (OSC 52) and the system clipboard; say where it went, naming
    it by `label` (a long text such as a BibTeX entry) or by the text itself (a link)."""
    if app.is_web:
        return browser_copy(app, text, label=label)
    app.copy_to_clipboard(text)
    shown = label or shown_url(text)
    error = _system_copy(text, timeout)
    if error is None:
        return CopyResult(system=True, message=f"Copied {shown} to the clipboard")
    sent = f"Sent {shown} to the terminal clipboard (OSC 52)"
    if isinstance(error, pyperclip.PyperclipException):
        return CopyResult(system=False, message=f"{sent}; {_missing_backend_hint()}")
    if isinstance(error, TimeoutError):
        return CopyResult(system=False, message=f"{sent}; {error}")
    return CopyResult(system=False, message=f"{sent}; the system clipboard failed: {error}")


def copy_link(app: App[Any], url: str, *, timeout: float = SYSTEM_CLIPBOARD_TIMEOUT) -> CopyResult:
    """Copy a link from a feed, but only an http(s) one (a feed could hold anything)."""
    if not is_web_url(url):
        return CopyResult(
            system=False, message=f"Not copied: {shown_url(url)} is not an http or https link"
        )
    return copy_text(app, url, timeout=timeout)
