"""Child processes that use a library, for tests that kill them or run them side by side."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).resolve().parent / "library_child.py"


def start_child(command: str, path: Path, *args: str) -> subprocess.Popen[str]:
    """Run `library_child.py COMMAND PATH ARGS...`; it prints a line per acknowledged change."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, str(CHILD), command, str(path), *args],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
