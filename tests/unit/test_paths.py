"""Where readlist looks for its library, config, sample feed and stylesheet."""

from __future__ import annotations

from pathlib import Path

import pytest

from readlist import paths

REPO = Path(__file__).resolve().parents[2]


def test_readlist_db_names_the_library(tmp_path: Path) -> None:
    chosen = tmp_path / "mine.json"
    assert paths.default_library_path({"READLIST_DB": str(chosen)}) == chosen


def test_readlist_db_may_start_with_a_tilde(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/someone")
    found = paths.default_library_path({"READLIST_DB": "~/papers/library.json"})
    assert found == Path("/home/someone/papers/library.json")


def test_without_readlist_db_the_library_is_in_the_user_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    expected = tmp_path / "data" / "readlist" / "library.json"
    assert paths.default_library_path({}) == expected
    assert paths.default_library_path({"READLIST_DB": "  "}) == expected


def test_the_environment_is_read_when_called_not_when_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READLIST_DB", str(tmp_path / "from-env.json"))
    assert paths.default_library_path() == tmp_path / "from-env.json"


def test_config_is_in_the_user_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert paths.config_path() == tmp_path / "config" / "readlist" / "config.toml"


def test_a_checkout_uses_its_top_level_sample_feed_and_stylesheet() -> None:
    assert paths.sample_feed_path() == REPO / "sample_feed.txt"
    assert paths.sample_feed_path().read_text(encoding="utf-8").strip()
    assert paths.stylesheet_path() == REPO / "styles" / "readlist.tcss"
    assert paths.stylesheet_path().is_file()


def test_an_installed_package_uses_the_copies_shipped_inside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site_packages = tmp_path / "site-packages"
    package = site_packages / "readlist"
    (package / "data").mkdir(parents=True)
    (package / "styles").mkdir()
    (site_packages / "styles").mkdir()  # a stray folder beside the package is not a checkout
    (site_packages / "styles" / "readlist.tcss").write_text("/* not ours */")
    monkeypatch.setattr(paths, "_PACKAGE_DIR", package)
    monkeypatch.setattr(paths, "_CHECKOUT_DIR", site_packages)
    assert paths.sample_feed_path() == package / "data" / "sample_feed.txt"
    assert paths.stylesheet_path() == package / "styles" / "readlist.tcss"
