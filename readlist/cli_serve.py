"""`readlist serve`: the command line side of the browser front door (readlist/serve/).

Kept out of cli.py so the command's options and checks live in one small place; aiohttp and
textual-serve are imported only when the server runs, so other commands start as fast as before.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from readlist.core.library import Library
from readlist.paths import default_library_path

MAX_SESSIONS_LIMIT = 64


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0-65535 (0: any free port), not {port}")
    return port


def _sessions(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 1 <= count <= MAX_SESSIONS_LIMIT:
        raise argparse.ArgumentTypeError(f"between 1 and {MAX_SESSIONS_LIMIT}, not {count}")
    return count


def add_serve_parser(commands: Any) -> argparse.ArgumentParser:
    """Add `serve` to the subcommands (`commands` is argparse's subparsers action)."""
    from readlist.serve import DEFAULT_HOST, DEFAULT_MAX_SESSIONS, DEFAULT_PORT

    server: argparse.ArgumentParser = commands.add_parser(
        "serve",
        help="open the app in a web browser (each tab runs its own readlist)",
        description="Serve readlist to a web browser through textual-serve. Prints the link to "
        "open; it carries a secret token, and the server answers nothing without it.",
    )
    server.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"the address to listen on (default: {DEFAULT_HOST}, this machine only; anything "
        "else lets others on the network reach it)",
    )
    server.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"the port (default: {DEFAULT_PORT}; 0: any free port)",
    )
    server.add_argument(
        "--max-sessions",
        type=_sessions,
        default=DEFAULT_MAX_SESSIONS,
        metavar="N",
        help=f"browser tabs open at once, each an app process (default: {DEFAULT_MAX_SESSIONS})",
    )
    return server


def cmd_serve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Check the library opens (so a broken one is reported here, not in every tab), then serve."""
    from readlist.serve import ServeOptions, run_server

    db = getattr(args, "db", None)
    path = Path(db) if db else default_library_path()
    with Library.open(path):
        pass
    options = ServeOptions(
        library=path.resolve(), host=args.host, port=args.port, max_sessions=args.max_sessions
    )
    return run_server(options, out, err)
