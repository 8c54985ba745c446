"""The one place that copies text, and says honestly where it went.

Text always goes to the terminal through OSC 52 (`App.copy_to_clipboard`: works over SSH and
tmux, never raises) and also to the system clipboard through pyperclip, which raises
`PyperclipException` when no backend (xclip, xsel, wl-clipboard) is installed. A clipboard program
can hang (xclip under some X servers keeps its pipes open), so pyperclip runs in a thread that the
app waits on for at most `SYSTEM_CLIPBOARD_TIMEOUT` seconds.
"""

from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass
from typing import Any

import pyperclip
from textual.app import App

from readlist.browser import shown_url
from readlist.core.links import is_web_url

SYSTEM_CLIPBOARD_TIMEOUT = 2.0
INSTALL_HINT = "install xclip, xsel or wl-clipboard for the system clipboard"


@dataclass(frozen=True)
class CopyResult:
    """What happened: `system` is True when the system clipboard took the text too."""

    system: bool
    message: str


def prefer_xsel() -> None:
    """Use xsel rather than xclip when pyperclip would pick xclip and xsel is installed.

    xclip stays running to own the selection and keeps inherited pipes open, which can hang a
    caller waiting on them; xsel detaches cleanly. Does nothing once a backend is chosen (or a
    test has replaced `pyperclip.copy`).
    """
    if pyperclip.copy is not pyperclip.lazy_load_stub_copy:
        return
    chosen_copy, _ = pyperclip.determine_clipboard()
    if getattr(chosen_copy, "__name__", "") == "copy_xclip" and shutil.which("xsel"):
        pyperclip.set_clipboard("xsel")


def _system_copy(text: str, timeout: float) -> BaseException | None:
    """Copy through pyperclip in a thread; the error, a TimeoutError if it hung, or None."""
    prefer_xsel()
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


def copy_text(app: App[Any], text: str, *, timeout: float = SYSTEM_CLIPBOARD_TIMEOUT) -> CopyResult:
    """Copy `text` to the terminal (OSC 52) and the system clipboard; say where it went."""
    app.copy_to_clipboard(text)
    shown = shown_url(text)
    error = _system_copy(text, timeout)
    if error is None:
        return CopyResult(system=True, message=f"Copied {shown} to the clipboard")
    sent = f"Sent {shown} to the terminal clipboard (OSC 52)"
    if isinstance(error, pyperclip.PyperclipException):
        return CopyResult(system=False, message=f"{sent}; {INSTALL_HINT}")
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
