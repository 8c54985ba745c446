"""`readlist sync [--offline]`, `readlist sync init [REMOTE]`, `readlist sync clone REMOTE`,
`readlist sync status`: one library on every machine, through git.

What happened goes to stdout, one line per step; a failure is one `readlist: ` line on stderr and
an exit status that says which failure it was (see `EXIT_STATUSES`), so a script can tell a remote
that is down (try later) from a merge that needs a person.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from readlist.core.sync.git import (
    EXIT_GIT_FAILED,
    EXIT_MERGE_FAILED,
    EXIT_NO_GIT,
    EXIT_PUSH_REJECTED,
    EXIT_SETUP,
    EXIT_UNREACHABLE,
    SyncError,
)
from readlist.paths import default_library_path

EXIT_STATUSES = {
    EXIT_SETUP: "not set up, no git identity, or not a library",
    EXIT_UNREACHABLE: "remote unreachable (the local commit is kept)",
    EXIT_MERGE_FAILED: "merge failed (nothing changed or pushed)",
    EXIT_PUSH_REJECTED: "push rejected after retries, or refused by the remote",
    EXIT_NO_GIT: "git missing or too old",
    EXIT_GIT_FAILED: "git busy or in a state to finish by hand (a rebase, your own merge)",
}

EPILOG = "exit status: 0 done; " + "; ".join(f"{k} {v}" for k, v in EXIT_STATUSES.items())


def add_sync_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    add_db: Callable[[argparse.ArgumentParser], None],
) -> argparse.ArgumentParser:
    """The `sync` command and its subcommands, on the main parser's subparsers."""
    syncer = commands.add_parser(
        "sync",
        help="sync the library with other machines through git (init, clone, status)",
        description="Fold in, commit, fetch, merge paper by paper, and push the library.",
        epilog=EPILOG,
    )
    add_db(syncer)
    syncer.add_argument("--offline", action="store_true", help="commit only; no fetch or push")
    actions = syncer.add_subparsers(dest="sync_action", metavar="ACTION")
    init = actions.add_parser(
        "init", help="make the library's folder a git repository; push to REMOTE if given"
    )
    add_db(init)
    init.add_argument("remote", nargs="?", metavar="REMOTE", help="any URL git accepts")
    clone = actions.add_parser(
        "clone", help="set this machine up from REMOTE (a library here is merged in)"
    )
    add_db(clone)
    clone.add_argument("remote", metavar="REMOTE", help="any URL git accepts")
    status = actions.add_parser("status", help="ahead/behind, uncommitted changes, last sync")
    add_db(status)
    return syncer


def cmd_sync(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run the sync action; a SyncError is one line and its own exit status."""
    from readlist.core.sync.commands import run_clone, run_init, run_status, run_sync

    path = Path(args.db) if getattr(args, "db", None) else default_library_path()
    action = getattr(args, "sync_action", None)
    try:
        if action == "init":
            lines = run_init(path, args.remote)
        elif action == "clone":
            lines = run_clone(path, args.remote)
        elif action == "status":
            lines = run_status(path)
        else:
            lines = run_sync(path, offline=args.offline)
    except SyncError as error:
        print(f"readlist: {error}", file=err)
        return error.status
    for line in lines:
        print(line, file=out)
    return 0
