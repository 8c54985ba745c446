"""Running `readlist fetch` / `readlist add` in-process against a local server (fake_sources)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.fake_sources import FakeServer
from helpers.synthetic import make_papers

from readlist import cli_fetch
from readlist.cli import main
from readlist.core.library import Library
from readlist.core.sources.http import HttpSettings

#: Quick timeouts and backoff for tests; production keeps connect 10 s / read 30 s / 1-2-4 s.
QUICK = HttpSettings(read_timeout=0.5, connect_timeout=1.0, backoff_s=0.01)


@dataclass
class Net:
    """The server every source URL points at, a library of 5 papers, and the config file path."""

    server: FakeServer
    db: Path
    config: Path

    def library_bytes(self) -> bytes:
        return self.db.read_bytes()

    def ids(self) -> list[str]:
        with Library.open(self.db) as library:
            return [entry.id for entry in library.entries()]


@contextmanager
def local_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Net]:
    """Every READLIST_*_URL at a local server, quick timeouts, no arXiv wait, a private config."""
    monkeypatch.setattr(cli_fetch, "NETWORK", cli_fetch.Network(QUICK, arxiv_interval=0.0))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    db = tmp_path / "lib" / "library.json"
    with Library.open(db) as library:
        library.import_papers(make_papers(5), "old.txt")
    with FakeServer() as server:
        monkeypatch.setenv("READLIST_HF_URL", server.url)
        monkeypatch.setenv("READLIST_ARXIV_RSS_URL", server.url + "/rss")
        monkeypatch.setenv("READLIST_ARXIV_API_URL", server.url + "/api/query")
        yield Net(server, db, tmp_path / "config" / "readlist" / "config.toml")


def run(net: Net, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`readlist ARGS --db LIBRARY`: exit status, stdout, stderr."""
    code = main([*args, "--db", str(net.db)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err
