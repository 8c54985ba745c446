"""Turning untrusted feed bytes into safe text.

Feeds come from copy-and-paste, so they arrive in any encoding and may carry terminal escape
sequences. Everything stored is decoded here and stripped of control characters, so nothing from a
feed can ever act on the user's terminal (colours, OSC 52 clipboard writes, screen clears).
"""

from __future__ import annotations

import codecs
import re

#: Bytes that plain text almost never contains (C0 controls except tab, newlines, VT, FF and ESC).
_BINARY_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20)])

#: Share of such bytes above which data is treated as binary rather than text with a stray NUL.
_BINARY_SHARE = 0.02

_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

#: Terminal escape sequences: CSI (ESC [ ... final byte), OSC/DCS/SOS/PM/APC strings (ended by
#: BEL or ST, or unterminated up to the end of the line), and short ESC sequences such as ESC c
#: (full reset). 8-bit introducers are C1 characters, which `_CONTROLS` removes on their own.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b[\]PX^_][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)

#: C0 and C1 control characters and DEL, except tab and newline.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

#: The same plus tab and newline, for text that must stay on one line.
_CONTROLS_AND_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _is_binary(data: bytes) -> bool:
    """True when too many bytes are ones that text never holds (random, compressed, executable)."""
    odd = len(data) - len(data.translate(None, _BINARY_BYTES))
    return odd > len(data) * _BINARY_SHARE


def decode_text(data: bytes, source: str = "input") -> tuple[str, str]:
    """Decode feed bytes; return (text, encoding name).

    UTF-8 first (a BOM is dropped), then cp1252, then latin-1, which decodes anything. UTF-16 and
    UTF-32 are read when they start with a byte-order mark. Raises `FeedError` for binary data.
    """
    from readlist.core.feeds import FeedError  # feeds imports this module

    if data.startswith(_UTF32_BOMS):
        return data.decode("utf-32", errors="replace"), "utf-32"
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16", errors="replace"), "utf-16"
    if _is_binary(data):
        raise FeedError(f"{source}: binary data, not a text feed")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def clean_text(s: str, keep_lines: bool = False) -> str:
    """Remove terminal escape sequences and control characters.

    With `keep_lines`, tab and newline stay (a whole feed before it is split into lines);
    without, each tab, newline or carriage return becomes a space (a single field).
    """
    if "\x1b" in s:
        s = _ESCAPES.sub("", s)
    if keep_lines:
        return _CONTROLS.sub("", s) if _CONTROLS.search(s) else s
    s = s.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    return _CONTROLS_AND_BREAKS.sub("", s) if _CONTROLS_AND_BREAKS.search(s) else s
