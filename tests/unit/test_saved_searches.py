"""`[searches]` in the config: names for queries, in file order, each query checked at start."""

from __future__ import annotations

from pathlib import Path

from readlist.config import Config, SavedSearch, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_saved_searches_are_read_in_file_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'theme = "nord"\n\n[searches]\ntoday = "is:unread date:2024-03-12"\n'
        'code = "has:code -is:read"\n"with spaces" = \'"in-context learning"\'\n',
    )
    config, warnings = load_config(path)
    assert warnings == []
    assert config.searches == (
        SavedSearch("today", "is:unread date:2024-03-12"),
        SavedSearch("code", "has:code -is:read"),
        SavedSearch("with spaces", '"in-context learning"'),
    )
    assert load_config(write(tmp_path, config.as_toml())) == (config, [])


def test_a_query_that_does_not_parse_is_named_in_one_warning_and_kept_with_its_error(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, '[searches]\ngood = "is:read"\nbad = "is:maybe"\nopen = \'"half\'\n')
    config, warnings = load_config(path)
    assert [s.name for s in config.searches] == ["good", "bad", "open"]
    assert config.searches[0].error is None
    assert config.searches[1].error and "maybe" in config.searches[1].error
    assert len(warnings) == 2
    assert warnings[0].startswith(f"{path}, line 3: saved search 'bad' does not parse: ")
    assert warnings[1].startswith(f"{path}, line 4: saved search 'open' does not parse: ")
    assert all("\n" not in warning for warning in warnings)


def test_bad_searches_tables_and_values_are_warnings_not_crashes(tmp_path: Path) -> None:
    config, warnings = load_config(write(tmp_path, 'searches = "is:read"\n'))
    assert config.searches == ()
    assert warnings == [
        f"{tmp_path / 'config.toml'}, line 1: searches must be a table: "
        '[searches] then lines such as todo = "is:unread"'
    ]
    config, warnings = load_config(
        write(tmp_path, '[searches]\nn = 3\nok = "x"\n" " = "y"\n"\\u001b[2Jesc" = "a\\u0007b"\n')
    )
    assert config.searches == (SavedSearch("ok", "x"), SavedSearch("esc", "ab"))
    assert len(warnings) == 2 and "line 2: saved search 'n' must be" in warnings[0]


def test_only_the_first_nine_get_keys_and_the_others_are_said_to_be_in_the_palette(
    tmp_path: Path,
) -> None:
    lines = "".join(f's{n} = "tag:t{n}"\n' for n in range(1, 12))
    path = write(tmp_path, f"[searches]\n{lines}")
    config, warnings = load_config(path)
    assert len(config.searches) == 11
    assert warnings == [
        f"{path}, line 11: only the first 9 saved searches get the keys 1-9; "
        "'s10', 's11' are in the command palette only"
    ]


def test_no_searches_is_the_default() -> None:
    assert Config().searches == ()
    assert "[searches]" in Config().as_toml()
