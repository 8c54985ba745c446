"""`readlist serve`: the app in a browser tab, through textual-serve, safe by default.

`run_server` binds (127.0.0.1 unless told otherwise), prints the link with its token, and serves
until SIGINT or SIGTERM; each tab runs `readlist open` in a process of its own over the same
library (the library already handles several processes). `guard` holds the rules on who may
connect, `sessions` the app processes, `server` the aiohttp side.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from readlist.serve.guard import WILDCARD_HOSTS, is_loopback

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_SESSIONS = 4


@dataclass(frozen=True)
class ServeOptions:
    """What `readlist serve` was asked for."""

    library: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    max_sessions: int = DEFAULT_MAX_SESSIONS


def app_command(library: Path) -> list[str]:
    """What each tab runs, as an argument list (no shell: the pid the server signals is the
    app's own, and the library's path is never parsed)."""
    return [sys.executable, "-m", "readlist", "--db", str(library), "open"]


def exposure_warning(host: str, port: int) -> str | None:
    """What to say when the server can be reached from other machines; None on loopback."""
    if is_loopback(host):
        return None
    where = "every address of this machine" if host in WILDCARD_HOSTS else host
    return (
        f"warning: serving on {where}, port {port}: others on the network can reach this "
        "server, and whoever has the link can read and change your library. The connection is "
        "plain http (not encrypted): use it only on a network you trust."
    )


def run_server(options: ServeOptions, out: TextIO, err: TextIO) -> int:
    """Serve until SIGINT/SIGTERM; the exit status (2 when the port cannot be had)."""
    return asyncio.run(_serve(options, out, err))


async def _serve(options: ServeOptions, out: TextIO, err: TextIO) -> int:
    from readlist.serve.server import ReadlistServer  # aiohttp and textual-serve load here

    server = ReadlistServer(
        app_command(options.library),
        host=options.host,
        port=options.port,
        max_sessions=options.max_sessions,
    )
    try:
        guard = await server.start()
    except OSError as error:
        await server.close()
        where = f"{options.host}:{options.port}"
        print(f"readlist: cannot listen on {where}: {error.strerror or error}", file=err)
        return 2
    warning = exposure_warning(options.host, guard.port)
    if warning:
        print(f"readlist: {warning}", file=err, flush=True)
    tabs = f"{options.max_sessions} tab{'s' if options.max_sessions != 1 else ''}"
    print(f"readlist serve: {options.library}, at most {tabs} at once", file=out)
    print("Open this link in a browser (it carries the key: keep it to yourself):", file=out)
    for host in _shown_hosts(options.host):
        print(f"    {guard.url(host)}", file=out)
    print("Ctrl+C stops the server and the readlist of every tab.", file=out, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await server.close()
    return 0


def _shown_hosts(host: str) -> list[str]:
    """The hosts to print links for: the one bound, or on a wildcard bind this machine's
    loopback address and its name."""
    if host.strip().lower() not in WILDCARD_HOSTS:
        return [host]
    import socket

    return [DEFAULT_HOST, socket.gethostname()]
