"""Every key readlist binds is the name Textual gives to what a terminal sends for that key.

A binding on a name Textual never reports never fires, and a Pilot test that presses the name
passes anyway (another tool's `[` binding did nothing: Textual reports `left_square_bracket`).
So each key of every binding, app, screens, widgets and dialogs, is turned into the bytes a
terminal (xterm, as tmux and most emulators send them) sends for it, and those bytes go through
Textual's own input parser, the one that reads the real terminal.
"""

from __future__ import annotations

import importlib
import pkgutil
import time

import pytest
from textual import events
from textual._xterm_parser import XTermParser
from textual.binding import BindingsMap
from textual.dom import DOMNode
from textual.keys import REPLACED_KEYS, key_to_character

import readlist.screens
import readlist.widgets
from readlist.app import ReadlistApp
from readlist.core.library import Library
from readlist.screens.main_keys import MAIN_BINDINGS

#: What xterm sends for keys that are not a character (normal cursor mode, as Textual reads it).
SENT_FOR_NAMED_KEYS = {
    "enter": "\r",
    "tab": "\t",
    "shift+tab": "\x1b[Z",
    "escape": "\x1b",
    "space": " ",
    "backspace": "\x7f",
    "up": "\x1b[A",
    "down": "\x1b[B",
    "right": "\x1b[C",
    "left": "\x1b[D",
    "home": "\x1b[H",
    "end": "\x1b[F",
    "insert": "\x1b[2~",
    "delete": "\x1b[3~",
    "pageup": "\x1b[5~",
    "pagedown": "\x1b[6~",
    "f1": "\x1bOP",
    "f2": "\x1bOQ",
    "f3": "\x1bOR",
    "f4": "\x1bOS",
}


def sent_by_a_terminal(key: str) -> str | None:
    """The characters a terminal sends for the key Textual calls `key`; None if no key is."""
    if key in SENT_FOR_NAMED_KEYS:
        return SENT_FOR_NAMED_KEYS[key]
    if key.startswith("ctrl+") and len(key) == 6 and key[-1].isascii() and key[-1].isalpha():
        return chr(ord(key[-1]) & 0x1F)  # ctrl+s is byte 0x13
    # `question_mark` -> "?", `S` -> "S"; `slash` is Textual's short name for `solidus`
    return key_to_character(REPLACED_KEYS.get(key, key))


def keys_textual_reads(sent: str) -> list[str]:
    """The key names Textual's terminal input parser makes of `sent`."""
    parser = XTermParser()
    found = list(parser.feed(sent))
    if sent == "\x1b":  # a lone ESC is told from the start of a sequence by a short wait
        time.sleep(0.2)
        found += list(parser.tick())
    return [event.key for event in found if isinstance(event, events.Key)]


def bound_classes() -> list[type[DOMNode]]:
    """Every readlist class with bindings of its own: the app, screens, dialogs and widgets."""
    for package in (readlist.screens, readlist.widgets):
        for module in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            importlib.import_module(module.name)
    found: list[type[DOMNode]] = [ReadlistApp]
    stack: list[type[DOMNode]] = [DOMNode]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("readlist.") and "BINDINGS" in vars(cls):
            found.append(cls)
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__qualname__}")


def bound_keys() -> list[tuple[str, str, str]]:
    """(class, key as Textual matches it, action) for every key of every binding."""
    rows = []
    for cls in bound_classes():
        # BindingsMap is what Textual matches keys against: it already turns "?" into
        # "question_mark", so a single character is checked as Textual will look it up.
        for key, bindings in BindingsMap(cls.BINDINGS).key_to_bindings.items():
            for binding in bindings:
                rows.append((cls.__qualname__, key, binding.action))
    return rows


BOUND = bound_keys()


def test_every_screen_widget_and_dialog_is_checked() -> None:
    classes = {cls.__qualname__ for cls in bound_classes()}
    assert {
        "ReadlistApp",
        "MainScreen",
        "PaperList",
        "DetailPane",
        "ConfirmDialog",
        "NoteEditor",
        "TagsDialog",
        "FormatChoice",  # the export dialog's format list
        "PathDialog",
        "AddDialog",
        "HelpScreen",
    } <= classes
    keys = {key for _, key, _ in BOUND}
    assert {"question_mark", "slash", "S", "F", "R", "M", "U", "escape", "enter", "tab"} <= keys
    assert {str(n) for n in range(1, 10)} <= keys and "ctrl+s" in keys


@pytest.mark.parametrize(("owner", "key", "action"), BOUND, ids=[f"{o}:{k}" for o, k, _ in BOUND])
def test_each_bound_key_is_what_textual_reads_from_a_terminal(
    owner: str, key: str, action: str
) -> None:
    sent = sent_by_a_terminal(key)
    assert sent is not None, f"{owner} binds {key!r} ({action}): no terminal key has that name"
    assert keys_textual_reads(sent) == [key], (
        f"{owner} binds {key!r} ({action}), but a terminal's {sent!r} reaches Textual as "
        f"{keys_textual_reads(sent)}: the binding would never fire"
    )


def test_the_check_catches_a_name_textual_never_reports() -> None:
    """The mistakes the test is for: a character Textual renames, and a made-up name."""
    assert keys_textual_reads("[") == ["left_square_bracket"] != ["["]
    assert keys_textual_reads(sent_by_a_terminal("question_mark") or "") == ["question_mark"]
    assert sent_by_a_terminal("questionmark") is None
    assert keys_textual_reads(sent_by_a_terminal("ctrl+p") or "") == ["ctrl+p"]


def test_the_keys_the_help_lists_are_the_checked_ones(empty_library: Library) -> None:
    """The help screen and the palette are built from the same bindings this test checks."""
    checked = {(key, action) for owner, key, action in BOUND if owner == "MainScreen"}
    main = BindingsMap(MAIN_BINDINGS).key_to_bindings
    assert {(key, b.action) for key, bs in main.items() for b in bs} == checked
    actions = {action for _, _, _, action in ReadlistApp(empty_library).key_table()}
    assert {"mark_all_read", "mark_all_unread", "help", "focus_search"} <= actions
