"""Outside programs the end-to-end tests need (tmux, Xvfb, xclip, xsel), and a tmux driver.

`need_tool` lives here, not in a conftest, because `from conftest import ...` resolves to whichever
conftest module was imported last once test folders have their own. On a developer's machine a
missing program skips the test with the reason; under CI (`CI=true`) it fails, because `.ci/run`
installs those programs and a skipped end-to-end test there would hide a broken feature.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest


def need_tool(name: str, package: str | None = None) -> str:
    """The path of program `name`, or skip (locally) / fail (in CI) saying how to install it."""
    path = shutil.which(name)
    if path is None:
        message = (
            f"{name} is not installed (apt-get install {package or name}); .ci/run installs it"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def installed_readlist() -> str:
    """The console script installed next to this Python (`pip install -e .` by the Makefile)."""
    script = Path(sys.executable).parent / "readlist"
    if not script.exists():
        message = f"{script} is missing: run `pip install -e .` (make test does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return str(script)


class Terminal:
    """One private tmux server running one command in a 120x40 window."""

    def __init__(self, tmux: str, socket: str) -> None:
        self.base = [tmux, "-L", socket, "-f", "/dev/null"]

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [*self.base, *args], capture_output=True, text=True, timeout=10, check=True
        )
        return done.stdout

    def start(self, command: str, width: int = 120, height: int = 40) -> None:
        self.run("new-session", "-d", "-s", "t", "-x", str(width), "-y", str(height), command)

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.run("send-keys", "-t", "t", key)
            time.sleep(0.15)

    def burst(self, *keys: str) -> None:
        """All `keys` in one send-keys call: the app reads them at once (a paste, a fast typist)."""
        self.run("send-keys", "-t", "t", *keys)

    def literal(self, text: str) -> None:
        self.run("send-keys", "-t", "t", "-l", text)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "t")

    def wait_for(
        self, test: Callable[[str], bool], what: str, timeout: float = 20.0, every: float = 0.2
    ) -> str:
        """The screen once `test` holds for it, looking every `every` seconds."""
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if test(text):
                return text
            time.sleep(every)
        raise AssertionError(f"timed out waiting for {what}; the screen shows:\n{text}")

    def kill(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True, timeout=10, check=False)
