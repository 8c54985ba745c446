"""Where readlist keeps and finds its files, in one place.

The library and config follow the platform's conventions (XDG on Linux) through platformdirs. The
sample feed and the stylesheet live at the top of a source checkout, and inside the package when
readlist is installed from a wheel (pyproject force-includes them), so both ways of running work.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

APP_NAME = "readlist"
LIBRARY_ENV = "READLIST_DB"

_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_DIR = _PACKAGE_DIR.parent


def default_library_path(env: Mapping[str, str] = os.environ) -> Path:
    """The library file when no --db is given: $READLIST_DB, else the user data folder."""
    override = env.get(LIBRARY_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    return platformdirs.user_data_path(APP_NAME, appauthor=False) / "library.json"


def config_path() -> Path:
    """The user's config file (it may not exist yet)."""
    return platformdirs.user_config_path(APP_NAME, appauthor=False) / "config.toml"


def sample_feed_path() -> Path:
    """The bundled sample Daily Papers feed."""
    return _checkout_or_packaged("sample_feed.txt", "data/sample_feed.txt")


def stylesheet_path() -> Path:
    """The app stylesheet."""
    return _checkout_or_packaged("styles/readlist.tcss", "styles/readlist.tcss")


def _checkout_or_packaged(in_checkout: str, in_package: str) -> Path:
    """The top-level file in a source checkout, else the copy shipped inside the package."""
    top_level = _CHECKOUT_DIR / in_checkout
    if (_CHECKOUT_DIR / "pyproject.toml").is_file() and top_level.is_file():
        return top_level
    return _PACKAGE_DIR / in_package
