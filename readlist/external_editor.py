"""Edit a note in the user's own editor ($VISUAL, then $EDITOR, then vi).

The app hands the terminal over with `App.suspend()` while the editor runs. The note goes through
a private (0600) temporary `.md` file that is removed afterwards, since notes can be personal.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from textual.app import App, SuspendNotSupported

DEFAULT_EDITOR = "vi"


class EditorError(Exception):
    """The editor could not be used; str(error) is one line saying why, for a notification."""


def editor_command(env: Mapping[str, str] = os.environ) -> list[str]:
    """The editor as an argument list: $VISUAL, else $EDITOR (both may hold options), else vi."""
    raw = (env.get("VISUAL") or "").strip() or (env.get("EDITOR") or "").strip() or DEFAULT_EDITOR
    try:
        command = shlex.split(raw)
    except ValueError as error:
        raise EditorError(f"Cannot understand the editor command {raw!r}: {error}") from None
    return command or [DEFAULT_EDITOR]


def edit_in_editor(app: App[Any], text: str, env: Mapping[str, str] = os.environ) -> str | None:
    """Let the user edit `text` in their editor; the new text, or None if they changed nothing.

    Raises EditorError when the editor is missing, cannot start, or exits with an error (the
    text is then unchanged), or when this terminal cannot be handed over.
    """
    command = editor_command(env)
    program = command[0]
    if shutil.which(program) is None:
        raise EditorError(f"Editor not found: {program} (set $VISUAL or $EDITOR)")
    fd, name = tempfile.mkstemp(prefix="readlist-note-", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            # A final newline, so a line the user adds at the end starts on a line of its own.
            handle.write(text if not text or text.endswith("\n") else text + "\n")
        status = _run_suspended(app, [*command, name])
        if status != 0:
            raise EditorError(f"{program} exited with status {status}; the note was not changed")
        try:
            edited = Path(name).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise EditorError(
                "The edited note is not UTF-8 text; the note was not changed"
            ) from None
    finally:
        Path(name).unlink(missing_ok=True)
    # Editors add a final newline on save; a note that only gained one is unchanged.
    edited = edited.rstrip("\n")
    if edited == text.rstrip("\n"):
        return None
    return edited


def _run_suspended(app: App[Any], command: list[str]) -> int:
    """Run `command` with the terminal handed over to it; its exit status."""
    try:
        with app.suspend():
            return subprocess.run(command, check=False).returncode
    except SuspendNotSupported:
        raise EditorError(
            "This terminal cannot hand over to an external editor; edit the note in readlist"
        ) from None
    except OSError as error:
        raise EditorError(f"Cannot start {command[0]}: {error.strerror or error}") from None
