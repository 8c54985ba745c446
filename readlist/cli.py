"""The `readlist` command: open the app, or script the library with import / list / set / export.

Every expected failure (a bad feed, an unreadable library, a malformed query, an unknown id) is one
`readlist: <message>` line on stderr and exit status 2, never a traceback. Textual is imported only
when the app is opened, so the subcommands start fast and work without a terminal.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from readlist import __version__
from readlist.cli_feeds import import_files, load_files
from readlist.cli_fetch import FetchUsageError, add_commands, cmd_add, cmd_fetch
from readlist.cli_related import add_related_command, cmd_related
from readlist.cli_serve import add_serve_parser, cmd_serve
from readlist.cli_sync import add_sync_parser, cmd_sync
from readlist.core.errors import FeedError, LibraryError
from readlist.core.formats.export import FORMATS, export_entries
from readlist.core.formats.json_list import to_json
from readlist.core.library import Library
from readlist.core.models import Entry, normalise_tags
from readlist.core.search.order import ALL_ORDERS, order_entries
from readlist.core.search.query import QueryError, parse_query, search
from readlist.core.text import clean_text, plural
from readlist.paths import default_library_path

EXIT_OK = 0
EXIT_ERROR = 2
COMMANDS = (
    "open",
    "import",
    "fetch",
    "add",
    "list",
    "related",
    "set",
    "export",
    "config",
    "serve",
    "sync",
)


class UsageError(Exception):
    """A request that cannot be carried out as given (reported like the library's errors)."""


# ----------------------------------------------------------------- argument parsing


def _add_db(parser: argparse.ArgumentParser, top_level: bool = False) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH",
        # On a subcommand, SUPPRESS keeps a --db given before the subcommand name.
        default=None if top_level else argparse.SUPPRESS,
        help="the library file (default: $READLIST_DB, else the user data folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The full `readlist` parser; `open` is implied when no subcommand is named."""
    parser = argparse.ArgumentParser(
        prog="readlist",
        description="A keyboard-driven terminal reading list for research papers.",
        epilog="With no command, `readlist [--db PATH] [FEED ...]` imports the feeds and opens "
        "the app. Run `readlist COMMAND --help` for each command.",
    )
    parser.add_argument("--version", action="version", version=f"readlist {__version__}")
    _add_db(parser, top_level=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    opener = commands.add_parser(
        "open", help="import FEEDs (if any), then open the app (the default)"
    )
    _add_db(opener)
    opener.add_argument("feeds", nargs="*", metavar="FEED", help="feed file to import; - is stdin")

    importer = commands.add_parser("import", help="import feed files into the library")
    _add_db(importer)
    importer.add_argument(
        "feeds",
        nargs="+",
        metavar="FEED",
        help="a Daily Papers text, a Hugging Face daily papers JSON response, an arXiv API (Atom) "
        "response, an arXiv RSS listing, or a readlist Markdown list; - reads stdin",
    )
    importer.add_argument(
        "--replacements",
        action="store_true",
        help="arXiv RSS listings: also papers replaced by a new version (default: new and "
        "cross-listed papers only, as `readlist fetch` takes them)",
    )
    add_commands(commands, _add_db)

    lister = commands.add_parser(
        "list", help="print matching papers, newest day first", epilog=QUERY_HELP
    )
    _add_db(lister)
    lister.add_argument("--json", action="store_true", help="a JSON array of library documents")
    lister.add_argument(
        "--sort",
        choices=ALL_ORDERS,
        default="feed",
        help="the order (default feed, as the app's S)",
    )
    lister.add_argument("query", nargs="*", metavar="QUERY", help="search terms (see below)")
    add_related_command(commands, _add_db, QUERY_HELP)

    setter = commands.add_parser(
        "set",
        help="change one paper's star, read state, note or tags",
        description="Change one paper's state and print its line; with no change, just print it.",
    )
    _add_db(setter)
    setter.add_argument("id", metavar="ID", help="the paper id or a unique prefix (>= 4 chars)")
    star = setter.add_mutually_exclusive_group()
    star.add_argument(
        "--star", dest="starred", action="store_const", const=True, help="star the paper"
    )
    star.add_argument(
        "--unstar", dest="starred", action="store_const", const=False, help="remove the star"
    )
    read = setter.add_mutually_exclusive_group()
    read.add_argument("--read", dest="read", action="store_const", const=True, help="mark it read")
    read.add_argument(
        "--unread", dest="read", action="store_const", const=False, help="mark it unread"
    )
    setter.add_argument("--note", metavar="TEXT", help='replace the note ("" clears it)')
    setter.add_argument("--tag", action="append", default=[], metavar="T", help="add a tag")
    setter.add_argument("--untag", action="append", default=[], metavar="T", help="remove a tag")

    exporter = commands.add_parser(
        "export", help="write matching papers as Markdown, BibTeX, CSV or JSON", epilog=QUERY_HELP
    )
    _add_db(exporter)
    exporter.add_argument("--format", "-f", required=True, choices=sorted(FORMATS))
    exporter.add_argument("-o", "--output", metavar="FILE", help="write here, not to stdout")
    exporter.add_argument("query", nargs="*", metavar="QUERY", help="search terms (see below)")

    configure = commands.add_parser("config", help="where the config file is, and what it sets")
    configure.add_argument(
        "action", choices=("path", "show"), help="path: print the file's path; show: the settings"
    )
    _add_db(add_serve_parser(commands))
    add_sync_parser(commands, _add_db)
    return parser


QUERY_HELP = (
    'QUERY: words must all match (title, abstract, note, tags); "a phrase"; -word excludes; '
    "title:WORD abstract:WORD note:WORD look in one field; a OR b matches either (a b OR c is "
    "a AND (b OR c)); is:starred is:unstarred is:read is:unread has:code has:note has:arxiv "
    "tag:NAME date:YYYY-MM-DD author:NAME cat:cs.CL (cat:cs for the archive); -term negates any."
)


def _first_positional(argv: Sequence[str]) -> str | None:
    """The first argument that is not an option or the value of --db."""
    skip_next = False
    for i, arg in enumerate(argv):
        if skip_next:
            skip_next = False
        elif arg == "--":
            return argv[i + 1] if i + 1 < len(argv) else None
        elif arg == "--db":
            skip_next = True
        elif arg == "-" or not arg.startswith("-"):
            return arg
    return None


def _with_command(argv: list[str]) -> list[str]:
    """argv with `open` inserted when no subcommand is named (`readlist feed.txt`)."""
    first = _first_positional(argv)
    if first in COMMANDS:
        return argv
    if first is None:
        if any(arg in ("-h", "--help", "--version") for arg in argv):
            return argv
        return [*argv, "open"]
    index = argv.index(first)
    if index > 0 and argv[index - 1] == "--":
        index -= 1
    return [*argv[:index], "open", *argv[index:]]


#: Options whose value is free text, and the options (True: takes a value) of the query commands.
_TEXT_OPTIONS = ("--note", "--tag", "--untag")
_QUERY_OPTIONS = {
    "list": {"-h": False, "--help": False, "--json": False, "--db": True, "--sort": True},
    "related": {"-h": False, "--help": False, "--json": False, "--db": True, "--limit": True},
    "export": {
        "-h": False,
        "--help": False,
        "--db": True,
        "--format": True,
        "-f": True,
        "-o": True,
        "--output": True,
    },
}


def _dash_values_kept(argv: list[str]) -> list[str]:
    """argv with values that start with "-" kept as values, not taken for unknown options.

    `readlist list diffusion -survey` excludes a word and `readlist set ID --note "-1 for this"`
    sets a note; argparse alone would reject both as unrecognised options.
    """
    command = _first_positional(argv)
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in _TEXT_OPTIONS and i + 1 < len(argv) and argv[i + 1].startswith("-"):
            out.append(f"{arg}={argv[i + 1]}")
            i += 2
            continue
        out.append(arg)
        i += 1
        if arg == command and command in _QUERY_OPTIONS:
            return out + _query_args(argv[i:], _QUERY_OPTIONS[command])
    return out


def _query_args(rest: list[str], options: dict[str, bool]) -> list[str]:
    """The arguments after `list`/`export`: its options first, then `--` and the query terms."""
    known: list[str] = []
    terms: list[str] = []
    i = 0
    while i < len(rest):
        arg = rest[i]
        name = arg.split("=", 1)[0]
        if arg == "--":
            terms.extend(rest[i + 1 :])
            break
        if name in options:
            known.append(arg)
            if options[name] and "=" not in arg and i + 1 < len(rest):
                known.append(rest[i + 1])
                i += 1
        else:
            terms.append(arg)
        i += 1
    return [*known, "--", *terms] if terms else known


# ----------------------------------------------------------------- commands


def _library_path(args: argparse.Namespace) -> Path:
    db = getattr(args, "db", None)
    return Path(db) if db else default_library_path()


def _existing_library(args: argparse.Namespace) -> Library:
    """The library for a command that only reads or changes papers: a mistyped --db is an error,
    not a new empty library."""
    path = _library_path(args)
    if not path.exists():
        raise UsageError(f"{path}: no library here yet (import a feed first: readlist import FEED)")
    return Library.open(path)


def cmd_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    files = load_files(args.feeds, replacements=args.replacements)
    for note in (note for loaded in files for note in loaded.notes):
        print(f"readlist: {note}", file=err)
    with Library.open(_library_path(args)) as library:
        for line in import_files(library, files):
            print(line, file=out)
    return EXIT_OK


def cmd_open(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    files = load_files(args.feeds)
    library = Library.open(_library_path(args))
    try:
        notes = [note for loaded in files for note in loaded.notes]
        _run_app(library, import_files(library, files) + notes)
    finally:
        library.close()
    return EXIT_OK


def _run_app(library: Library, notices: list[str]) -> None:
    # Imported here so that the subcommands never load Textual.
    from readlist.app import ReadlistApp
    from readlist.config import load_config
    from readlist.paths import config_path

    config, warnings = load_config(config_path())
    app = ReadlistApp(
        library=library, notices=notices + warnings, config=config, config_file=config_path()
    )
    app.run()


def _markers(entry: Entry) -> str:
    state = entry.state
    return "".join(
        (
            "*" if state.starred else "-",
            "R" if state.read else "-",
            "C" if entry.paper.github else "-",
            "N" if state.note.strip() else "-",
        )
    )


def entry_line(entry: Entry) -> str:
    """One paper as `list` prints it: id, markers (*RCN), title, day."""
    title = clean_text(entry.paper.title)
    return f"{entry.id}  {_markers(entry)}  {title}  {entry.paper.date or 'undated'}"


def cmd_list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    query = parse_query(" ".join(args.query))  # a bad query fails before the library is opened
    with _existing_library(args) as library:
        entries = library.entries()
        found = order_entries(search(entries, query), args.sort, query, entries)
    if args.json:
        out.write(to_json(found))
    else:
        for entry in found:
            print(entry_line(entry), file=out)
    return EXIT_OK


def _state_changes(args: argparse.Namespace, entry: Entry) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if args.starred is not None:
        changes["starred"] = args.starred
    if args.read is not None:
        changes["read"] = args.read
    if args.note is not None:
        changes["note"] = args.note
    if args.tag or args.untag:
        added = normalise_tags(args.tag)
        if any(not normalise_tags([tag]) for tag in args.tag):
            raise UsageError("--tag needs a non-empty tag name")
        removed = set(normalise_tags(args.untag))
        changes["tags"] = [t for t in (*entry.state.tags, *added) if t not in removed]
    return changes


def cmd_set(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with _existing_library(args) as library:
        entry = library.resolve(args.id)
        changes = _state_changes(args, entry)
        if changes:
            entry = library.update_state(entry.id, **changes)
    print(entry_line(entry), file=out)
    return EXIT_OK


def cmd_export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    query = parse_query(" ".join(args.query))
    with _existing_library(args) as library:
        found = search(library.entries(), query)
    text = export_entries(found, args.format)
    if args.output in (None, "-"):
        out.write(text)
        return EXIT_OK
    try:
        with open(args.output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as error:
        raise UsageError(f"{args.output}: cannot write ({error.strerror or error})") from None
    print(f"{args.output}: {plural(len(found), 'paper')} as {args.format}", file=err)
    return EXIT_OK


def cmd_config(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from readlist.config import load_config  # not needed by the other commands
    from readlist.paths import config_path

    path = config_path()
    if args.action == "path":
        print(path, file=out)
        return EXIT_OK
    config, warnings = load_config(path)
    for warning in warnings:
        print(f"readlist: {warning}", file=err)
    print(
        f"# {path}{'' if path.exists() else ' (not created yet: these are the defaults)'}", file=out
    )
    out.write(config.as_toml())
    return EXIT_OK


HANDLERS = {
    "open": cmd_open,
    "import": cmd_import,
    "fetch": cmd_fetch,
    "add": cmd_add,
    "list": cmd_list,
    "related": cmd_related,
    "set": cmd_set,
    "export": cmd_export,
    "config": cmd_config,
    "serve": cmd_serve,
    "sync": cmd_sync,
}


def main(argv: list[str] | None = None) -> int:
    """Run readlist with `argv` (default: the process arguments); returns the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(_dash_values_kept(_with_command(arguments)))
    except SystemExit as exit_:  # --help, --version, or a usage error argparse already printed
        return exit_.code if isinstance(exit_.code, int) else EXIT_ERROR
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    try:
        return HANDLERS[args.command](args, sys.stdout, sys.stderr)
    except (LibraryError, FeedError, QueryError, UsageError, FetchUsageError) as error:
        print(f"readlist: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `readlist list | head`: the reader left; say nothing more and don't fail on exit.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return EXIT_OK
