"""Outside programs the end-to-end tests need (tmux, Xvfb, xclip, xsel).

`need_tool` lives here, not in a conftest, because `from conftest import ...` resolves to whichever
conftest module was imported last once test folders have their own. On a developer's machine a
missing program skips the test with the reason; under CI (`CI=true`) it fails, because `.ci/run`
installs those programs and a skipped end-to-end test there would hide a broken feature.
"""

from __future__ import annotations

import os
import shutil

import pytest


def need_tool(name: str, package: str | None = None) -> str:
    """The path of program `name`, or skip (locally) / fail (in CI) saying how to install it."""
    path = shutil.which(name)
    if path is None:
        message = (
            f"{name} is not installed (apt-get install {package or name}); .ci/run installs it"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path
