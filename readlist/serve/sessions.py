"""One app process per browser tab, never more than the cap, and none left behind.

textual-serve's `AppService.stop()` asks the app to quit and then waits for its output to end,
for ever: an app that ignores the request (measured here: a client that resizes and disconnects
within ~200 ms leaves the app spinning at 100% CPU and ignoring SIGTERM) holds a core and its
session until the server dies. `AppProcess` waits a bounded time, then SIGTERM, then SIGKILL, to
the app's whole process group. textual-serve runs its command through a shell, whose pid is not
the app's unless the command starts with `exec`; `AppProcess` runs an argument list with no shell
at all, so the pid it signals is the app's own (and no text, such as the library's path, is ever
parsed by a shell). On Linux the app also gets SIGKILL if the server itself dies (even by
`kill -9`), so no app outlives it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import shlex
import signal
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

log = logging.getLogger("readlist.serve")

QUIT_GRACE_S = 5.0
"""How long an app may take to quit by itself (it folds the journal into the library first)."""
TERM_GRACE_S = 1.0
"""How long after SIGTERM before SIGKILL."""

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child before exec: be killed when the server dies (Linux only; else nothing)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class AppProcess(AppService):
    """textual-serve's app service, with extra environment and a stop that always ends."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        write_bytes: Callable[[bytes], Awaitable[None]],
        write_str: Callable[[str], Awaitable[None]],
        close: Callable[[], Awaitable[None]],
        download_manager: DownloadManager,
        environment: Mapping[str, str],
    ) -> None:
        super().__init__(
            shlex.join(argv),
            write_bytes=write_bytes,
            write_str=write_str,
            close=close,
            download_manager=download_manager,
        )
        self.argv = list(argv)
        self.extra_environment = dict(environment)

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width, height)
        environment.update(self.extra_environment)
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        """As textual-serve does, but without a shell, in a process group of its own, dying with
        the server."""
        environment = self._build_environment(width=width, height=height)
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def on_data(self, payload: bytes) -> None:
        """Drop output once the tab is gone, but keep reading it: textual-serve's reader stops
        at the first failed send, and an app whose output nobody reads cannot finish quitting."""
        with contextlib.suppress(ConnectionError):
            await super().on_data(payload)

    async def on_meta(self, data: bytes) -> None:
        with contextlib.suppress(ConnectionError):
            await super().on_meta(data)

    async def stop(self) -> None:
        """Ask the app to quit; if it has not within `QUIT_GRACE_S`, terminate, then kill it."""
        task, process = self._task, self._process
        if task is None or process is None:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._ask_to_quit(), QUIT_GRACE_S)
        if not await self._exited(QUIT_GRACE_S):
            log.warning("app process %s did not quit: terminating it", process.pid)
            self._signal_group(signal.SIGTERM)
            if not await self._exited(TERM_GRACE_S):
                log.warning("app process %s ignored SIGTERM: killing it", process.pid)
                self._signal_group(signal.SIGKILL)
                await self._exited(TERM_GRACE_S)
        with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError, Exception):
            await asyncio.wait_for(asyncio.shield(task), TERM_GRACE_S)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        self._task = None

    async def _ask_to_quit(self) -> None:
        await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
        await self.send_meta({"type": "quit"})

    async def _exited(self, timeout: float) -> bool:
        """True once the process has exited (and been reaped), waiting at most `timeout`."""
        process = self._process
        if process is None:
            return True
        try:
            await asyncio.wait_for(process.wait(), timeout)
        except asyncio.TimeoutError:
            return False
        return True

    def _signal_group(self, signum: int) -> None:
        """The app and anything it started: its session is its own process group (POSIX)."""
        pid = self.pid
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signum)


class SessionLimit:
    """At most `limit` app processes at once; a place is held from the handshake until the
    process has really exited, so a slow-dying app still counts."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.active: set[AppProcess] = set()
        self._held = 0

    @property
    def full(self) -> bool:
        return self._held >= self.limit

    def take(self) -> bool:
        """Hold a place if one is free (no await in between: the check and the hold are one)."""
        if self.full:
            return False
        self._held += 1
        return True

    def give_back(self) -> None:
        self._held = max(0, self._held - 1)

    @property
    def held(self) -> int:
        return self._held
