"""The user's settings: a small TOML file in the platform config folder.

A broken config must never stop readlist from starting, so `load_config` never raises: it returns
the defaults together with one-line warnings that name the file and the line. `save_theme` edits
only the `theme` line, keeping the user's comments and other settings as they wrote them.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from readlist.core.search.query import QueryError, parse_query
from readlist.core.sources.names import (
    DEFAULT_ARXIV_API_URL,
    DEFAULT_ARXIV_RSS_URL,
    DEFAULT_HF_URL,
    SourceSpecError,
    check_base_url,
    parse_source,
)
from readlist.core.text import clean_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

SORT_ORDERS: tuple[str, ...] = ("feed", "title", "starred", "unread", "upvotes")
"""Sort orders the list understands, in the order `S` cycles through them."""

DEFAULT_SORT = "feed"
KNOWN_SETTINGS: tuple[str, ...] = (
    "theme",
    "mark_read_on_open",
    "sort",
    "keys",
    "fetch",
    "sync_on_start",
    "sync_on_exit",
    "searches",
)
SEARCH_KEYS = 9
"""Saved searches get the keys 1-9 in file order; later ones are in the command palette only."""
FETCH_SETTINGS: tuple[str, ...] = (
    "sources",
    "hf_url",
    "arxiv_api_url",
    "arxiv_rss_url",
    "fetch_on_start",
)
_URL_DEFAULTS = {
    "hf_url": DEFAULT_HF_URL,
    "arxiv_api_url": DEFAULT_ARXIV_API_URL,
    "arxiv_rss_url": DEFAULT_ARXIV_RSS_URL,
}


@dataclass(frozen=True)
class FetchConfig:
    """The `[fetch]` table: what `readlist fetch` fetches without arguments, and from where.

    A base URL set here is used unless its environment variable (READLIST_HF_URL, ...) is set:
    the environment wins, so a test or a one-off mirror never needs the file edited.
    """

    sources: tuple[str, ...] = ("hf",)
    hf_url: str | None = None
    arxiv_api_url: str | None = None
    arxiv_rss_url: str | None = None
    fetch_on_start: bool = False

    def urls(self) -> dict[str, str | None]:
        """The configured base URLs by key (`hf_url`, ...), None where not set."""
        return {key: getattr(self, key) for key in _URL_DEFAULTS}


@dataclass(frozen=True)
class SavedSearch:
    """A `[searches]` line: a name for a query, with what is wrong with the query (if anything)
    so its key can say so instead of searching."""

    name: str
    query: str
    error: str | None = None


@dataclass(frozen=True)
class Config:
    """Effective settings; every field has a default so a missing file means a working app."""

    theme: str | None = None
    mark_read_on_open: bool = False
    sort: str = DEFAULT_SORT
    keymap: dict[str, str] = field(default_factory=dict)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    sync_on_start: bool = False  # `readlist sync` when the app opens (in the background)
    sync_on_exit: bool = False  # and when it quits
    searches: tuple[SavedSearch, ...] = ()

    def as_toml(self) -> str:
        """The settings as a config file would hold them (for `readlist config show`)."""
        lines = []
        if self.theme is None:
            lines.append('# theme = "textual-dark"  (not set: Textual\'s default theme)')
        else:
            lines.append(f"theme = {toml_string(self.theme)}")
        lines.append(f"mark_read_on_open = {'true' if self.mark_read_on_open else 'false'}")
        lines.append(f"sort = {toml_string(self.sort)}")
        lines.append(f"sync_on_start = {'true' if self.sync_on_start else 'false'}")
        lines.append(f"sync_on_exit = {'true' if self.sync_on_exit else 'false'}")
        lines.append("")
        lines.append("[keys]")
        for binding_id, keys in sorted(self.keymap.items()):
            lines.append(f"{toml_key(binding_id)} = {toml_string(keys)}")
        lines.append("")
        lines.extend(_fetch_toml(self.fetch))
        lines.append("")
        lines.append("[searches]")
        for search in self.searches:
            lines.append(f"{toml_key(search.name)} = {toml_string(search.query)}")
        return "\n".join(lines) + "\n"


def _fetch_toml(fetch: FetchConfig) -> list[str]:
    sources = ", ".join(toml_string(s) for s in fetch.sources)
    lines = ["[fetch]", f"sources = [{sources}]"]
    for key, default in _URL_DEFAULTS.items():
        value = getattr(fetch, key)
        if value is None:
            lines.append(f"# {key} = {toml_string(default)}  (not set: the default)")
        else:
            lines.append(f"{key} = {toml_string(value)}")
    lines.append(f"fetch_on_start = {'true' if fetch.fetch_on_start else 'false'}")
    return lines


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_DECODE_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)\s*$")


def toml_string(value: str) -> str:
    """A TOML basic string holding `value` exactly (escapes quotes, backslashes, controls)."""
    out = []
    for char in value:
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_key(key: str) -> str:
    """A TOML key: bare when it can be, quoted otherwise (binding ids may hold dots)."""
    return key if _BARE_KEY.match(key) else toml_string(key)


def _line_of(text: str, key: str, table: str | None = None) -> int | None:
    """The 1-based line where `key` is set (in `[table]` if given), for warnings."""
    current: str | None = None
    key_pattern = re.compile(
        rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')\s*="
    )
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[\s*([^\]]+?)\s*\]", line)
        if header:
            current = header.group(1).strip("\"'")
            continue
        if current == table and key_pattern.match(line):
            return number
    return None


def _where(path: Path, line: int | None) -> str:
    return f"{path}, line {line}" if line is not None else str(path)


def load_config(path: str | Path) -> tuple[Config, list[str]]:
    """Read the config file; return the settings and warnings (a missing file is no warning).

    A file that is not valid TOML gives the defaults and one warning naming the line; a bad value
    gives the default for that setting only, with a warning naming its line.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Config(), []
    except OSError as error:
        reason = error.strerror or str(error)
        return Config(), [f"{path}: cannot read the config file ({reason}); using the defaults"]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return Config(), [f"{path}: the config file is not UTF-8 text; using the defaults"]
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = _DECODE_POSITION.search(message)
        line = int(found.group(1)) if found else None
        reason = _DECODE_POSITION.sub("", message) if found else message
        return Config(), [f"{_where(path, line)}: {reason} (not valid TOML); using the defaults"]
    return _config_from_toml(raw, text, path)


def _config_from_toml(raw: Mapping[str, Any], text: str, path: Path) -> tuple[Config, list[str]]:
    warnings: list[str] = []

    def warn(key: str, message: str, table: str | None = None) -> None:
        warnings.append(f"{_where(path, _line_of(text, key, table))}: {message}")

    for key in raw:
        if key not in KNOWN_SETTINGS:
            known = ", ".join(KNOWN_SETTINGS)
            warn(key, f"unknown setting {key!r} ignored (known: {known})")

    theme = raw.get("theme")
    if theme is not None and (not isinstance(theme, str) or not theme.strip()):
        warn("theme", "theme must be a theme name in quotes; using the default theme")
        theme = None

    mark_read = raw.get("mark_read_on_open", False)
    if not isinstance(mark_read, bool):
        warn("mark_read_on_open", "mark_read_on_open must be true or false; using false")
        mark_read = False

    sort = raw.get("sort", DEFAULT_SORT)
    if sort not in SORT_ORDERS:
        choices = ", ".join(SORT_ORDERS)
        warn("sort", f"sort must be one of {choices}, not {sort!r}; using {DEFAULT_SORT!r}")
        sort = DEFAULT_SORT

    keymap: dict[str, str] = {}
    keys = raw.get("keys", {})
    if not isinstance(keys, dict):
        warn("keys", 'keys must be a table: [keys] then lines such as star = "ctrl+s"')
    else:
        for binding_id, value in keys.items():
            if isinstance(value, str) and value.strip():
                keymap[binding_id] = value.strip()
            else:
                warn(binding_id, f"key for {binding_id!r} must be a key name in quotes", "keys")

    fetch = _fetch_from_toml(raw.get("fetch", {}), warn)
    switches: dict[str, bool] = {}
    for key in ("sync_on_start", "sync_on_exit"):
        switches[key] = raw.get(key, False)
        if not isinstance(switches[key], bool):
            warn(key, f"{key} must be true or false; using false")
            switches[key] = False
    searches = _searches_from_toml(raw.get("searches", {}), warn)
    config = Config(
        theme=theme,
        mark_read_on_open=mark_read,
        sort=sort,
        keymap=keymap,
        fetch=fetch,
        searches=searches,
        **switches,
    )
    return config, warnings


def _searches_from_toml(table: Any, warn: Callable[..., None]) -> tuple[SavedSearch, ...]:
    """The `[searches]` table in file order. A query that does not parse is kept, with its
    error, and named in a warning: its key then says what is wrong rather than doing nothing."""
    if not isinstance(table, dict):
        warn(
            "searches", 'searches must be a table: [searches] then lines such as todo = "is:unread"'
        )
        return ()
    searches: list[SavedSearch] = []
    for name, query in table.items():
        shown = " ".join(clean_text(name).split())
        if not isinstance(query, str) or not shown:
            warn(name, f"saved search {name!r} must be a name = a query in quotes", "searches")
            continue
        query = clean_text(query).strip()  # it is shown in the search bar: one line of text
        try:
            parse_query(query)
        except QueryError as error:
            warn(name, f"saved search {shown!r} does not parse: {error}", "searches")
            searches.append(SavedSearch(shown, query, str(error)))
        else:
            searches.append(SavedSearch(shown, query))
    if len(searches) > SEARCH_KEYS:
        extra = ", ".join(repr(s.name) for s in searches[SEARCH_KEYS:])
        warn(
            searches[SEARCH_KEYS].name,
            f"only the first {SEARCH_KEYS} saved searches get the keys 1-{SEARCH_KEYS}; "
            f"{extra} are in the command palette only",
            "searches",
        )
    return tuple(searches)


def _fetch_from_toml(table: Any, warn: Callable[..., None]) -> FetchConfig:
    """The `[fetch]` table; a bad value falls back to its default with a warning naming it."""
    if not isinstance(table, dict):
        warn("fetch", 'fetch must be a table: [fetch] then lines such as sources = ["hf"]')
        return FetchConfig()
    for key in table:
        if key not in FETCH_SETTINGS:
            known = ", ".join(FETCH_SETTINGS)
            warn(key, f"unknown setting {key!r} in [fetch] ignored (known: {known})", "fetch")
    values: dict[str, Any] = {}
    sources = table.get("sources", ["hf"])
    try:
        if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
            raise SourceSpecError('a list of names in quotes, such as ["hf", "arxiv:cs.CL"]')
        values["sources"] = tuple(parse_source(s).name for s in sources)
    except SourceSpecError as error:
        warn("sources", f'[fetch] sources: {error}; using ["hf"]', "fetch")
    for key in _URL_DEFAULTS:
        value = table.get(key)
        if value is None:
            continue
        try:
            if not isinstance(value, str):
                raise SourceSpecError(f"[fetch] {key}: an http(s) URL in quotes")
            values[key] = check_base_url(value, f"[fetch] {key}")
        except SourceSpecError as error:
            warn(key, f"{error}; using the default", "fetch")
    on_start = table.get("fetch_on_start", False)
    if isinstance(on_start, bool):
        values["fetch_on_start"] = on_start
    else:
        warn("fetch_on_start", "fetch_on_start must be true or false; using false", "fetch")
    return FetchConfig(**values)


def save_theme(path: str | Path, theme: str) -> str | None:
    """Remember the chosen theme; returns None when saved, else why not (one line).

    Only the `theme` line changes. A config file that cannot be parsed is left untouched: the user
    may be in the middle of editing it, and rewriting it would lose their work.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as error:
        return f"Theme not saved: cannot read {path} ({error})"
    try:
        before = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return f"Theme not saved: {path} is not valid TOML ({error}); fix it first"

    updated = _with_theme_line(text, theme)
    after = tomllib.loads(updated)
    expected = {**before, "theme": theme}
    if after != expected:
        return f"Theme not saved: could not update the theme line in {path} safely"
    try:
        _write_private(path, updated)
    except OSError as error:
        return f"Theme not saved: cannot write {path} ({error.strerror or error})"
    return None


def _with_theme_line(text: str, theme: str) -> str:
    """`text` with its top-level `theme = ...` line replaced, or one added before any table."""
    new_line = f"theme = {toml_string(theme)}\n"
    lines = text.splitlines(keepends=True)
    top_level_end = len(lines)
    for index, line in enumerate(lines):
        if re.match(r"^\s*\[", line):
            top_level_end = index
            break
    for index in range(top_level_end):
        if re.match(r"^\s*theme\s*=", lines[index]):
            lines[index] = new_line
            return "".join(lines)
    if top_level_end > 0 and not lines[top_level_end - 1].endswith("\n"):
        lines[top_level_end - 1] += "\n"
    insert_at = top_level_end
    while insert_at > 0 and not lines[insert_at - 1].strip():
        insert_at -= 1
    lines.insert(insert_at, new_line)
    return "".join(lines)


def _write_private(path: Path, text: str) -> None:
    """Write atomically as a 0600 file; a folder we create is 0700 (settings can be private)."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
    fd, temp_name = tempfile.mkstemp(prefix=".config-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o600)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
