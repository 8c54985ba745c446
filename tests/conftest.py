"""Shared test helpers.

Tests that need an outside program (tmux, Xvfb, xclip) call `need_tool`: on a developer's machine a
missing tool skips the test with the reason, but under CI (`CI=true`) it fails, because `.ci/run`
installs those tools and a skipped end-to-end test there would hide a broken feature.
"""

from __future__ import annotations

import os
import shutil

import pytest


def need_tool(name: str) -> str:
    """The path of program `name`, or skip (locally) / fail (in CI) saying it is missing."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (apt-get install {name}); .ci/run installs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path
