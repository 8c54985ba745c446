"""The config file's [fetch] table: defaults, every key, and a bad value falling back alone."""

from __future__ import annotations

import sys
from pathlib import Path

from readlist.config import Config, FetchConfig, load_config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_without_a_fetch_table_hf_is_fetched_from_huggingface(tmp_path: Path) -> None:
    config, warnings = load_config(write(tmp_path, 'theme = "nord"\n'))
    assert (config.fetch, warnings) == (FetchConfig(), [])
    assert config.fetch.sources == ("hf",)
    assert config.fetch.fetch_on_start is False
    assert config.fetch.urls() == {"hf_url": None, "arxiv_api_url": None, "arxiv_rss_url": None}


def test_every_fetch_setting_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[fetch]\nsources = ["hf", "arxiv:cs.CL+cs.LG"]\nhf_url = "https://mirror.example/hf"\n'
        'arxiv_api_url = "http://127.0.0.1:8080/api/query"\n'
        'arxiv_rss_url = "https://rss.example/rss"\nfetch_on_start = true\n',
    )
    config, warnings = load_config(path)
    assert warnings == []
    assert config.fetch == FetchConfig(
        sources=("hf", "arxiv:cs.CL+cs.LG"),
        hf_url="https://mirror.example/hf",
        arxiv_api_url="http://127.0.0.1:8080/api/query",
        arxiv_rss_url="https://rss.example/rss",
        fetch_on_start=True,
    )


def test_a_bad_fetch_value_falls_back_alone_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[fetch]\nsources = ["hf", "arxiv:CS CL"]\nhf_url = "ftp://x"\nfetch_on_start = "yes"\n'
        'arxiv_rss_url = "https://rss.example/rss"\ncolour = 1\n',
    )
    config, warnings = load_config(path)
    assert config.fetch == FetchConfig(arxiv_rss_url="https://rss.example/rss")
    assert len(warnings) == 4
    assert warnings[0].startswith(f"{path}, line 6: unknown setting 'colour' in [fetch]")
    assert warnings[1].startswith(f"{path}, line 2: [fetch] sources: 'arxiv:CS CL': not an arXiv")
    assert warnings[2] == f"{path}, line 3: [fetch] hf_url: 'ftp://x' is not an http(s) URL; " + (
        "using the default"
    )
    assert warnings[3].startswith(f"{path}, line 4: fetch_on_start must be true or false")


def test_fetch_must_be_a_table(tmp_path: Path) -> None:
    config, warnings = load_config(write(tmp_path, 'fetch = "hf"\n'))
    assert config.fetch == FetchConfig()
    assert warnings == [
        f"{tmp_path / 'config.toml'}, line 1: "
        + ('fetch must be a table: [fetch] then lines such as sources = ["hf"]')
    ]


def test_config_show_prints_a_fetch_table_that_reads_back(tmp_path: Path) -> None:
    shown = Config(
        fetch=FetchConfig(sources=("arxiv:cs.CL",), hf_url="https://m.example")
    ).as_toml()
    assert "[fetch]" in shown
    assert '# arxiv_api_url = "https://export.arxiv.org/api/query"  (not set' in shown
    config, warnings = load_config(write(tmp_path, shown))
    assert warnings == []
    assert config.fetch.sources == ("arxiv:cs.CL",)
    assert config.fetch.hf_url == "https://m.example"
    assert tomllib.loads(shown)["fetch"]["fetch_on_start"] is False
