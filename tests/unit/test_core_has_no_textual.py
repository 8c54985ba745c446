"""`readlist.core` stays plain Python: importing any of it must not load Textual.

The core is shared by the command line, which must start fast and run without a terminal, and it
is what the unit tests exercise without a UI.
"""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import readlist.core

ROOT = Path(__file__).resolve().parents[2]


def core_modules() -> list[str]:
    found = pkgutil.walk_packages(readlist.core.__path__, prefix="readlist.core.")
    return ["readlist.core", *sorted(m.name for m in found)]


def test_there_are_core_modules_to_check() -> None:
    names = core_modules()
    assert {"readlist.core.models", "readlist.core.search.query", "readlist.core.library"} <= set(
        names
    )


def test_importing_every_core_module_leaves_textual_out() -> None:
    names = core_modules()
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(loaded))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
