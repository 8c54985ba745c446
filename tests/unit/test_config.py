"""The config file: defaults, every setting, clear warnings for bad files, and saving the theme."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from readlist.config import SORT_ORDERS, Config, load_config, save_theme


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_gives_defaults_without_warnings(tmp_path: Path) -> None:
    config, warnings = load_config(tmp_path / "nope" / "config.toml")
    assert config == Config(theme=None, mark_read_on_open=False, sort="feed", keymap={})
    assert warnings == []


def test_every_setting_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '# my settings\ntheme = "nord"\nmark_read_on_open = true\nsort = "unread"\n\n'
        '[keys]\nstar = "x"\n"app.quit" = "ctrl+q"\n',
    )
    config, warnings = load_config(path)
    assert warnings == []
    assert config.theme == "nord"
    assert config.mark_read_on_open is True
    assert config.sort == "unread"
    assert config.keymap == {"star": "x", "app.quit": "ctrl+q"}


@pytest.mark.parametrize("order", SORT_ORDERS)
def test_each_sort_order_is_accepted(tmp_path: Path, order: str) -> None:
    config, warnings = load_config(write(tmp_path, f'sort = "{order}"\n'))
    assert (config.sort, warnings) == (order, [])


def test_invalid_toml_names_the_line_and_uses_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "nord"\nmark_read_on_open = true\nsort = feed\n')
    config, warnings = load_config(path)
    assert config == Config()
    assert len(warnings) == 1
    assert f"{path}, line 3:" in warnings[0]
    assert "using the defaults" in warnings[0]
    assert "\n" not in warnings[0]


def test_bad_value_falls_back_for_that_setting_only(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "nord"\n\nsort = "newest"\nmark_read_on_open = "yes"\n')
    config, warnings = load_config(path)
    assert config.theme == "nord"
    assert config.sort == "feed"
    assert config.mark_read_on_open is False
    assert any(w.startswith(f"{path}, line 3:") and "'newest'" in w for w in warnings)
    assert any(w.startswith(f"{path}, line 4:") and "true or false" in w for w in warnings)


def test_unknown_setting_and_bad_key_are_reported(tmp_path: Path) -> None:
    path = write(tmp_path, 'colour = "red"\n[keys]\nstar = "s"\nread = 3\n')
    config, warnings = load_config(path)
    assert config.keymap == {"star": "s"}
    assert any("line 1:" in w and "'colour'" in w for w in warnings)
    assert any("line 4:" in w and "'read'" in w for w in warnings)


def test_not_utf8_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'theme = "\xff\xfe"\n')
    config, warnings = load_config(path)
    assert config == Config()
    assert "not UTF-8" in warnings[0]


def test_save_theme_creates_private_file_in_private_folder(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "readlist" / "config.toml"
    assert save_theme(path, "gruvbox") is None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_config(path) == (Config(theme="gruvbox"), [])


def test_save_theme_keeps_comments_and_other_settings(tmp_path: Path) -> None:
    original = '# mine\ntheme = "nord"  # dark\nsort = "title"\n\n[keys]\nstar = "x"\n'
    path = write(tmp_path, original)
    assert save_theme(path, "dracula") is None
    text = path.read_text(encoding="utf-8")
    assert text == original.replace('theme = "nord"  # dark', 'theme = "dracula"')
    config, _ = load_config(path)
    assert (config.theme, config.sort, config.keymap) == ("dracula", "title", {"star": "x"})


def test_save_theme_adds_line_before_tables(tmp_path: Path) -> None:
    path = write(tmp_path, 'sort = "title"\n\n[keys]\nstar = "x"\n')
    assert save_theme(path, "nord") is None
    config, warnings = load_config(path)
    assert warnings == []
    assert config == Config(theme="nord", sort="title", keymap={"star": "x"})


def test_save_theme_refuses_to_touch_a_broken_file(tmp_path: Path) -> None:
    path = write(tmp_path, "theme = \n")
    message = save_theme(path, "nord")
    assert message is not None and "not valid TOML" in message
    assert path.read_text(encoding="utf-8") == "theme = \n"


def test_save_theme_escapes_strange_names(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    name = 'we"ird\\name\x7f'
    assert save_theme(path, name) is None
    assert load_config(path) == (Config(theme=name), [])


def test_save_theme_reports_a_path_it_cannot_use(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    message = save_theme(blocker / "config.toml", "nord")
    assert message is not None and message.startswith("Theme not saved:")
    assert "\n" not in message


def test_as_toml_round_trips(tmp_path: Path) -> None:
    config = Config(theme="nord", mark_read_on_open=True, sort="starred", keymap={"a.b": "z"})
    path = write(tmp_path, config.as_toml())
    assert load_config(path) == (config, [])


def test_sync_on_start_and_on_exit_are_read_and_checked(tmp_path: Path) -> None:
    path = write(tmp_path, "sync_on_start = true\nsync_on_exit = 1\n")
    config, warnings = load_config(path)
    assert (config.sync_on_start, config.sync_on_exit) == (True, False)
    assert warnings == [f"{path}, line 2: sync_on_exit must be true or false; using false"]
    config = Config(sync_on_start=True, sync_on_exit=True)
    assert load_config(write(tmp_path, config.as_toml())) == (config, [])
