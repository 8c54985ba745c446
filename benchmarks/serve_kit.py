"""Drive `readlist serve` as a user does: the real server in a process, a real browser on it.

Shared by the browser and security tests and by `benchmarks.measure_serve`. The server is started
with `--port 0` and read back from what it prints; everything talks to 127.0.0.1 only. The browser
draws the terminal on a canvas, so `BrowserScreen` reads the screen the way the page does: the
websocket's binary frames are the app's terminal output, fed here into the `pyte` emulator (text
frames are JSON messages such as `["open_url", ...]`; the page's `["resize", ...]` sets the size).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

CHROMIUM = "/usr/bin/chromium"
URL = re.compile(r"http://127\.0\.0\.1:(\d+)/\?token=([A-Za-z0-9_\-]+)")


def app_pids(library: Path) -> list[int]:
    """The pids of readlist app processes over `library` (the command each tab runs)."""
    wanted = str(library).encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            argv = Path(f"/proc/{name}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if wanted in argv and b"open" in argv and b"readlist" in argv:
            found.append(int(name))
    return found


def kill_apps(library: Path) -> list[int]:
    """SIGKILL whatever app processes over `library` are left (a failed test's); their pids."""
    left = app_pids(library)
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return left


def rss_mb(pid: int) -> float:
    """Resident memory of one process, in MB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class ServerProcess:
    """`python -m readlist serve` on 127.0.0.1, a free port, a library of its own."""

    def __init__(self, library: Path, home: Path, max_sessions: int = 2) -> None:
        self.library = library
        self.log = home / "serve.log"
        env = dict(os.environ)
        env.pop("READLIST_DB", None)
        env.update(XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"))
        command = [sys.executable, "-m", "readlist", "--db", str(library), "serve"]
        command += ["--port", "0", "--max-sessions", str(max_sessions)]
        with open(self.log, "wb") as log:  # a file, not a pipe: nobody has to keep reading it
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        self.port, self.token = self._read_url(timeout=30.0)

    def _read_url(self, timeout: float) -> tuple[int, str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = URL.search(self.log.read_text(errors="replace"))
            if found:
                return int(found.group(1)), found.group(2)
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"readlist serve printed no URL:\n{self.output()}")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base}/?token={self.token}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, as Ctrl+C would; SIGKILL if it has not stopped within `timeout`."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.process.returncode

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop the server, and kill any app it left (a test then fails on its own check)."""
        self.stop()
        kill_apps(self.library)


def wait_until(test: Callable[[], bool], timeout: float, step: float = 0.1) -> bool:
    """Poll `test` until it holds or `timeout` passes; whether it held."""
    deadline = time.monotonic() + timeout
    while True:
        if test():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(step)


class BrowserScreen:
    """The terminal a Playwright page shows, rebuilt from its websocket frames with pyte."""

    def __init__(self, page: Any) -> None:
        import pyte

        self.page = page
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.frames = 0
        self.last_frame = 0.0
        self.last_key_sent = 0.0
        self.messages: list[Any] = []
        page.on("websocket", self._attach)

    def _attach(self, websocket: Any) -> None:
        parts = urlsplit(websocket.url)
        if parts.path != "/ws":
            return
        query = parse_qs(parts.query)
        width, height = query.get("width", ["80"])[0], query.get("height", ["24"])[0]
        self.screen.resize(int(height), int(width))
        websocket.on("framereceived", self._received)
        websocket.on("framesent", self._sent)

    def _received(self, payload: str | bytes) -> None:
        if isinstance(payload, str):
            self.messages.append(json.loads(payload))
            return
        self.stream.feed(bytes(payload))
        self.frames += 1
        self.last_frame = time.monotonic()

    def _sent(self, payload: str | bytes) -> None:
        if isinstance(payload, str) and payload.startswith('["stdin"'):
            self.last_key_sent = time.monotonic()
        if isinstance(payload, str) and payload.startswith('["resize"'):
            size = json.loads(payload)[1]
            self.screen.resize(int(size["height"]), int(size["width"]))

    def focus(self) -> None:
        """Give the terminal the keyboard, as a user's click on the page does."""
        self.page.focus("textarea.xterm-helper-textarea")

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(
        self, test: Callable[[str], bool], what: str, timeout: float = 20.0, poll_ms: int = 20
    ) -> str:
        """Let the page run until the screen text passes `test`; fail saying what it shows.

        Playwright hands frames to Python only while a call into it waits, so the poll step is
        also the precision of `last_frame`."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.text()
            if test(text):
                return text
            if time.monotonic() >= deadline:
                raise AssertionError(f"timed out waiting for {what}; the screen shows:\n{text}")
            self.page.wait_for_timeout(poll_ms)

    def press_and_time(self, key: str, timeout: float = 10.0) -> tuple[float, float]:
        """Press `key`; seconds until a frame changed what the screen shows, counted from the
        press and from the moment the page sent the key down the websocket."""
        before = self.text()
        start = time.monotonic()
        self.page.keyboard.press(key)
        self.wait_for(lambda text: text != before, f"a change after {key}", timeout, poll_ms=2)
        return self.last_frame - start, self.last_frame - self.last_key_sent


def launch_chromium(playwright: Any, executable: str = CHROMIUM) -> Any:
    """Debian's chromium, headless; Playwright downloads no browser of its own. No sandbox: CI
    runs as root, where chromium refuses to start with one."""
    return playwright.chromium.launch(
        executable_path=executable, headless=True, args=["--no-sandbox", "--disable-gpu"]
    )
