"""Decoding feed bytes and cleaning text: nothing from a feed may act on the user's terminal."""

from __future__ import annotations

import pytest

from readlist.core.errors import FeedError
from readlist.core.text import clean_text, decode_text, plural


def test_decode_utf8_and_drop_bom() -> None:
    assert decode_text("Café 😀".encode()) == ("Café 😀", "utf-8")
    assert decode_text(b"\xef\xbb\xbfnew") == ("new", "utf-8")


def test_decode_cp1252_is_reported() -> None:
    text, encoding = decode_text("Na\u00efve \u201cquotes\u201d \u2014 caf\u00e9".encode("cp1252"))
    assert text == "Na\u00efve \u201cquotes\u201d \u2014 caf\u00e9"
    assert encoding == "cp1252"


def test_decode_utf8_with_stray_cp1252_bytes_keeps_both() -> None:
    text, encoding = decode_text(b"\xef\xbb\xbfUTF-8 \xc3\xa9 and cp1252 \xe9 \x93q\x94")
    assert text == "UTF-8 é and cp1252 é \u201cq\u201d"
    assert encoding == "cp1252"


def test_decode_bytes_undefined_in_cp1252_fall_back_to_latin1() -> None:
    assert decode_text(b"a\x81b\xffc") == ("a\x81b\xffc", "cp1252")


def test_decode_utf16_with_bom() -> None:
    assert decode_text("Mar 12\nTitle".encode("utf-16")) == ("Mar 12\nTitle", "utf-16")


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 40,
        b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" * 100,
        b"\x00" * 1000,
        b"\x7fELF\x02\x01\x01" + b"\x00" * 500 + b"text",
    ],
)
def test_binary_data_is_a_feed_error_naming_the_source(data: bytes) -> None:
    with pytest.raises(FeedError, match=r"^blob\.bin: binary data"):
        decode_text(data, "blob.bin")


def test_a_stray_nul_in_text_is_not_binary() -> None:
    text, _ = decode_text(b"Title\n\nAn abstract with a stray \x00 byte." + b" More text." * 20)
    assert text.startswith("Title\n\nAn abstract with a stray \x00 byte. More text.")


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("\x1b[31mred\x1b[0m title", "red title"),
        ("\x1b[1;38;5;196mbold\x1b[m", "bold"),
        ("before\x1b]52;c;ZXZpbA==\x07after", "beforeafter"),
        ("before\x1b]52;c;ZXZpbA==\x1b\\after", "beforeafter"),
        ("link \x1b]8;;file:///etc/passwd\x1b\\x\x1b]8;;\x1b\\", "link x"),
        ("clear\x1b[2J\x1b[Hscreen", "clearscreen"),
        ("reset\x1bc!", "reset!"),
        ("charset\x1b(Bok", "charsetok"),
        ("dcs\x1bPq#0;2;0;0;0\x1b\\done", "dcsdone"),
        ("8-bit \x9b31mcsi and \x9d osc", "8-bit 31mcsi and  osc"),
        ("bell\x07 nul\x00 del\x7f bs\x08", "bell nul del bs"),
        ("lone escape at end\x1b", "lone escape at end"),
    ],
)
def test_clean_text_removes_escapes_and_controls(dirty: str, clean: str) -> None:
    assert clean_text(dirty) == clean
    assert "\x1b" not in clean_text(dirty, keep_lines=True)


@pytest.mark.parametrize(
    "kept",
    [
        "[bold]Rich[/] [link=file:///etc/passwd]x[/link] markup stays literal",
        "עברית ועربية right to left",
        "宽字符 全角ＡＢＣ wide",
        "emoji 🧪🤖👩‍🔬 and flags 🇫🇷",
        "combining e\u0301 and zero width\u200bspace",
    ],
)
def test_clean_text_keeps_ordinary_text(kept: str) -> None:
    assert clean_text(kept) == kept


def test_clean_text_line_handling() -> None:
    assert clean_text("a\tb\nc\r\nd") == "a b c  d"
    assert clean_text("a\tb\nc\x0cd", keep_lines=True) == "a\tb\ncd"


def test_counts_in_messages_are_grouped_by_thousands() -> None:
    assert [plural(n, "paper") for n in (0, 1, 86, 100_000)] == [
        "0 papers",
        "1 paper",
        "86 papers",
        "100,000 papers",
    ]
