"""The `readlist` command line, in-process (`main([...])`) and as a real `python -m readlist`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from readlist import __version__
from readlist.cli import main
from readlist.core.formats import read_feed
from readlist.core.models import DOC_FIELDS, paper_id

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_feed.txt"
SAMPLE_SUMMARY = "sample_feed.txt: 86 papers, 86 new, 0 updated"


def run(*args: str, stdin: bytes = b"", db: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m readlist ARGS` in a fresh process, as a user's shell would run it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    if db is not None:
        env["READLIST_DB"] = str(db)
    done = subprocess.run(
        [sys.executable, "-m", "readlist", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    out, err = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    return subprocess.CompletedProcess(done.args, done.returncode, out, err)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "lib" / "library.json"


@pytest.fixture
def imported(db: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert main(["import", "--db", str(db), str(SAMPLE)]) == 0
    capsys.readouterr()
    return db


def listed(db: Path, capsys: pytest.CaptureFixture[str], *query: str) -> list[str]:
    assert main(["list", "--db", str(db), *query]) == 0
    return capsys.readouterr().out.splitlines()


def list_json(db: Path, capsys: pytest.CaptureFixture[str], *query: str) -> list[dict[str, object]]:
    assert main(["list", "--db", str(db), "--json", *query]) == 0
    docs: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return docs


# ----------------------------------------------------------------- import


def test_import_prints_one_summary_line_per_feed(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "--db", str(db), str(SAMPLE)]) == 0
    assert capsys.readouterr().out == SAMPLE_SUMMARY + "\n"
    assert main(["--db", str(db), "import", str(SAMPLE)]) == 0  # --db before the command too
    assert capsys.readouterr().out == "sample_feed.txt: 86 papers, 0 new, 0 updated\n"


def test_reimport_keeps_the_users_state(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = listed(imported, capsys)[0].split()[0]
    assert main(["set", "--db", str(imported), first, "--star", "--note", "keep me"]) == 0
    capsys.readouterr()
    assert main(["import", "--db", str(imported), str(SAMPLE)]) == 0
    assert "0 new, 0 updated" in capsys.readouterr().out
    (doc,) = list_json(imported, capsys, "is:starred")
    assert doc["id"] == first
    assert doc["note"] == "keep me"
    assert len(list_json(imported, capsys)) == 86


def test_import_of_an_arxiv_listing_takes_replacements_only_when_asked(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = Path(__file__).resolve().parents[1] / "fixtures" / "feeds" / "arxiv_rss.xml"
    assert main(["import", "--db", str(db), str(listing)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "arxiv_rss.xml: 2 papers, 2 new, 0 updated\n"
    assert "2 replaced paper(s) skipped" in captured.err
    assert main(["import", "--replacements", "--db", str(db), str(listing)]) == 0
    assert capsys.readouterr().out == "arxiv_rss.xml: 4 papers, 2 new, 0 updated\n"
    assert {doc["arxiv_id"] for doc in list_json(db, capsys)} == {
        p.arxiv_id for p in read_feed(str(listing), replacements=True).papers
    }


def test_import_from_stdin_as_a_subprocess(db: Path) -> None:
    result = run("import", "--db", str(db), "-", stdin=SAMPLE.read_bytes())
    assert result.returncode == 0, result.stderr
    assert result.stdout == "<stdin>: 86 papers, 86 new, 0 updated\n"


def test_import_several_feeds_in_one_go(db: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra.txt"
    extra.write_text("Mar 12\n\nA Brand New Paper\n\nIts abstract, long enough to count.\n")
    result = run("import", "--db", str(db), str(SAMPLE), str(extra))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [SAMPLE_SUMMARY, "extra.txt: 1 paper, 1 new, 0 updated"]


def test_import_says_which_abstract_took_in_a_paragraph_too_long_for_a_title(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A paper whose title is over 300 characters is read as more of the previous abstract."""
    long_title = "A Very Long Title " * 21 + "That Goes On And On Past The Limit"
    feed = tmp_path / "sample.txt"
    feed.write_text(
        f"Mar 12\n\nAttention Is All You Need\n\nFirst part.\n\n{long_title}\n\n"
        "Mar 11\n\nNext Paper\n\nIts abstract.\n",
        encoding="utf-8",
    )
    assert main(["import", "--db", str(db), str(feed)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "sample.txt: 2 papers, 2 new, 0 updated\n"
    assert captured.err == (
        "readlist: sample.txt: a paragraph where a title was due, too long to be one (over 300 "
        'characters), was joined to the abstract of "Attention Is All You Need" (+412 characters)\n'
    )


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("missing.txt", None, "no such file"),
        ("empty.txt", b"", "empty"),
        ("binary.bin", bytes(range(256)) * 8, "binary"),
    ],
)
def test_bad_feed_exits_2_and_leaves_the_library_byte_identical(
    imported: Path, tmp_path: Path, name: str, content: bytes | None, problem: str
) -> None:
    feed = tmp_path / name
    if content is not None:
        feed.write_bytes(content)
    before = imported.read_bytes()
    # The good feed first: nothing of it may land either, since every feed is read before import.
    result = run("import", "--db", str(imported), str(SAMPLE), str(feed))
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("readlist: ")
    assert name in line and problem in line
    assert "Traceback" not in result.stderr
    assert imported.read_bytes() == before


def test_bad_feed_never_creates_a_library(db: Path, tmp_path: Path) -> None:
    assert run("import", "--db", str(db), str(tmp_path / "nope.txt")).returncode == 2
    assert not db.exists()


# ----------------------------------------------------------------- list


def test_list_prints_newest_day_first_with_markers(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = listed(imported, capsys)
    docs = list_json(imported, capsys)
    assert len(lines) == len(docs) == 86
    dates = [str(d["date"] or "") for d in docs]
    assert dates == sorted(dates, reverse=True)
    for line, doc in zip(lines, docs, strict=True):
        pid, markers, rest = line.split("  ", 2)
        assert pid == doc["id"]
        assert markers[2] == ("C" if doc["github"] else "-")
        assert rest == f"{doc['title']}  {doc['date']}"


def test_list_json_has_exactly_the_library_fields(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = list_json(imported, capsys)
    assert all(tuple(doc) == DOC_FIELDS for doc in docs)
    assert sum(1 for d in docs if d["github"]) == 19


def test_list_query(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with_code = list_json(imported, capsys, "has:code")
    assert len(with_code) == 19
    assert all(d["github"] for d in with_code)
    both = list_json(imported, capsys, "has:code", "diffusion")
    assert both and all("diffusion" in f"{d['title']} {d['abstract']}".lower() for d in both)
    assert list_json(imported, capsys, '"no such phrase anywhere"') == []


def test_bad_query_exits_2_with_one_line(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["list", "--db", str(imported), "is:nice"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("readlist: is:nice")
    assert main(["list", "--db", str(imported), '"open']) == 2
    assert "quote" in capsys.readouterr().err


# ----------------------------------------------------------------- set


def test_set_by_prefix_changes_state(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pid = list_json(imported, capsys)[5]["id"]
    assert isinstance(pid, str)
    args = ["set", "--db", str(imported), pid[:5], "--star", "--read", "--note", "good"]
    assert main([*args, "--tag", "ML", "--tag", "agents"]) == 0
    assert capsys.readouterr().out.startswith(f"{pid}  *R")
    assert main(["set", "--db", str(imported), pid, "--untag", "ml", "--unread"]) == 0
    capsys.readouterr()
    (doc,) = list_json(imported, capsys, "is:starred")
    assert (doc["id"], doc["read"], doc["note"], doc["tags"]) == (
        pid,
        False,
        "good",
        ["agents"],
    )


def test_set_is_on_disk_after_exit_for_stock_tinydb(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tinydb import TinyDB

    pid = str(list_json(imported, capsys)[0]["id"])
    result = run("set", "--db", str(imported), pid[:6], "--star", "--tag", "x")
    assert result.returncode == 0, result.stderr
    with TinyDB(str(imported)) as tiny:
        (doc,) = tiny.table("papers").search(lambda d: d["id"] == pid)
    assert doc["starred"] is True
    assert doc["tags"] == ["x"]


@pytest.mark.parametrize(("prefix", "problem"), [("zzzz", "no paper"), ("ab", "too short")])
def test_set_unknown_or_short_id_exits_2(imported: Path, prefix: str, problem: str) -> None:
    result = run("set", "--db", str(imported), prefix, "--star")
    assert result.returncode == 2
    assert result.stderr.startswith("readlist: ") and problem in result.stderr
    assert "Traceback" not in result.stderr


def test_set_ambiguous_prefix_exits_2(db: Path, tmp_path: Path) -> None:
    by_prefix: dict[str, str] = {}
    n = 0
    while True:  # two titles whose ids share their first four characters (~300 tries)
        n += 1
        title = f"A Study Of Things Number {n}"
        other = by_prefix.setdefault(paper_id(title)[:4], title)
        if other != title:
            break
    feed = tmp_path / "twins.txt"
    abstract = "An abstract that is long enough to be one."
    feed.write_text(f"Mar 12\n\n{other}\n\n{abstract}\n\n{title}\n\n{abstract}\n")
    assert run("import", "--db", str(db), str(feed)).returncode == 0
    result = run("set", "--db", str(db), paper_id(title)[:4], "--star")
    assert result.returncode == 2
    assert "ambiguous" in result.stderr
    assert run("set", "--db", str(db), paper_id(title)[:10], "--star").returncode == 0


def test_set_empty_tag_is_an_error(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pid = str(list_json(imported, capsys)[0]["id"])
    assert main(["set", "--db", str(imported), pid, "--tag", " "]) == 2
    assert "tag" in capsys.readouterr().err


# ----------------------------------------------------------------- help, version, environment


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"readlist {__version__}"
    for command in ("import", "list", "set", "export"):
        assert main([command, "--help"]) == 0
        assert f"usage: readlist {command}" in capsys.readouterr().out
    assert main(["--help"]) == 0
    assert "import" in capsys.readouterr().out


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["set", "abcd", "--star", "--unstar"]) == 2
    assert "not allowed with" in capsys.readouterr().err


def test_readlist_db_environment_variable(db: Path) -> None:
    assert run("import", str(SAMPLE), db=db).stdout == SAMPLE_SUMMARY + "\n"
    assert len(run("list", db=db).stdout.splitlines()) == 86


def test_corrupt_library_exits_2_untouched(tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    db.write_bytes(b'{"papers": {"1": ')
    for args in (["list"], ["import", str(SAMPLE)], ["set", "abcd", "--star"]):
        result = run(*args, "--db", str(db))
        assert result.returncode == 2
        assert result.stderr.startswith("readlist: ") and "Traceback" not in result.stderr
    assert db.read_bytes() == b'{"papers": {"1": '


def test_subcommands_never_load_textual(db: Path) -> None:
    code = (
        "import sys; from readlist.cli import main; "
        f"main(['list', '--db', {str(db)!r}]); "
        "sys.exit(1 if 'textual' in sys.modules else 0)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, timeout=60, check=False
    )
    assert result.returncode == 0


def test_open_imports_then_runs_the_app(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`readlist FEED` hands the library and the import summary to the app."""
    import readlist.app

    seen: list[tuple[int, tuple[str, ...]]] = []

    def fake_run(self: readlist.app.ReadlistApp) -> None:
        seen.append((len(self.library), self.notices))

    monkeypatch.setattr(readlist.app.ReadlistApp, "run", fake_run)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(db.parent / "config"))
    assert main(["--db", str(db), str(SAMPLE)]) == 0
    assert seen == [(86, (SAMPLE_SUMMARY,))]


def test_broken_pipe_is_quiet(imported: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    shell = f"{sys.executable} -m readlist list --db {imported} | head -1"
    result = subprocess.run(
        ["sh", "-c", shell], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert len(result.stdout.splitlines()) == 1
    assert "Traceback" not in result.stderr


# ----------------------------------------------------------------- Markdown lists and config


def test_markdown_list_from_stdin_restores_state(imported: Path, tmp_path: Path) -> None:
    star = run("list", "--db", str(imported)).stdout.split()[0]
    assert run("set", "--db", str(imported), star, "--star", "--tag", "later").returncode == 0
    listing = run("export", "--db", str(imported), "-f", "md", "is:starred").stdout
    fresh = tmp_path / "fresh.json"
    result = run("import", "--db", str(fresh), "-", stdin=listing.encode("utf-8"))
    assert result.stdout == "<stdin>: 1 paper, 1 new, 0 updated, state restored for 1\n"
    (line,) = run("list", "--db", str(fresh), "tag:later").stdout.splitlines()
    assert line.startswith(f"{star}  *")


def test_config_path_and_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    result = run("config", "path")
    assert result.stdout.strip() == str(tmp_path / "readlist" / "config.toml")
    (tmp_path / "readlist").mkdir()
    (tmp_path / "readlist" / "config.toml").write_text('theme = "nord"\nsort = "bogus"\n')
    result = run("config", "show")
    assert result.returncode == 0
    assert 'theme = "nord"' in result.stdout and 'sort = "feed"' in result.stdout
    assert "line 2" in result.stderr and "Traceback" not in result.stderr


def test_query_words_may_start_with_a_dash(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`readlist list synergy -survey` excludes a word instead of failing as an unknown option."""
    with_word = listed(imported, capsys, "synergy")
    without_survey = listed(imported, capsys, "synergy", "-survey")
    assert 0 < len(without_survey) < len(with_word)
    assert all("survey" not in line.lower() for line in without_survey)
    assert listed(imported, capsys, "-survey", "synergy") == without_survey


def test_set_values_may_start_with_a_dash(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A note or tag such as "-1: flawed eval" is a value, not an unknown option."""
    paper = list_json(imported, capsys)[0]
    code = main(["--db", str(imported), "set", str(paper["id"]), "--note", "-1: flawed eval"])
    assert code == 0
    capsys.readouterr()
    assert list_json(imported, capsys, "has:note")[0]["note"] == "-1: flawed eval"


@pytest.mark.parametrize("command", [["list"], ["set", "abcd", "--star"], ["export", "-f", "md"]])
def test_a_mistyped_db_is_an_error_not_a_new_library(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "libary.json"
    assert main([command[0], "--db", str(typo), *command[1:]]) == 2
    err = capsys.readouterr().err
    assert str(typo) in err and "no library here yet" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_one_paper_is_singular(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = tmp_path / "one.txt"
    feed.write_text("Mar 10\n\nA Lone Paper\n\nIts abstract, long enough to be one.\n")
    assert main(["import", "--db", str(db), str(feed)]) == 0
    assert capsys.readouterr().out == "one.txt: 1 paper, 1 new, 0 updated\n"
