"""Hostile feeds for the reliability tests, generated on the fly (nothing big is committed).

Run as a script to write them for a manual look: `python tests/reliability/hostile.py DIR`.
"""

from __future__ import annotations

import sys
from pathlib import Path

CHROME = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
    "byAK and the research community\n\n"
)

#: Titles a user must see literally: Rich/Textual markup, including an action link.
MARKUP_TITLES = (
    "[bold]Bold claim[/] and [/] and [link=file:///etc/passwd]x[/link]",
    "[@click=app.quit]Click to quit[/] and [red on white]colour[/red on white]",
)

#: Titles carrying terminal escape sequences: what the parser must strip, and what must stay.
ESCAPE_TITLES = (
    ("Colour \x1b[31mred\x1b[0m title", "Colour red title"),
    ("Clipboard \x1b]52;c;ZWNobyBwd25lZA==\x07 hijack", "Clipboard hijack"),
    ("Screen \x1b[2J\x1b[H clear", "Screen clear"),
    ("Hyperlink \x1b]8;;file:///etc/passwd\x1b\\click\x1b]8;;\x1b\\ here", "Hyperlink click here"),
    ("Eight-bit \u009b2J CSI and \u009d52;c;eA==\u0007 OSC", "Eight-bit 2J CSI and 52;c;eA== OSC"),
    ("Reset \x1bc and bell \x07 and NUL \x00 inside", "Reset and bell and NUL inside"),
)

#: Text from every script direction and width, kept exactly.
WORLD_TITLES = (
    "שלום עולם: نموذج لغوي كبير للاستدلال",
    "大規模言語モデルの推論 全角ＡＢＣ 한국어 제목",
    "🚀 Rocket 👩‍🔬 science 🇺🇸 flags ❤️ and ZWJ family 👨‍👩‍👧‍👦",
)

HOSTILE_LINKS = (
    "javascript:alert(document.cookie)",
    "file:///etc/passwd",
    "[click](javascript:alert(1))",
    "<file:///etc/shadow>",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox",
    "ftp://example.org/x",
)

GITHUB = "https://github.com/owner/hostile-repo"


def abstract(i: int) -> str:
    """An abstract with markup, escapes and links that must never be opened (one real link)."""
    links = " ".join(HOSTILE_LINKS)
    return (
        f"Abstract {i} with [red]markup[/red], a closing [/] tag, \x1b[1mbold escape\x1b[0m, "
        f"a clipboard write \x1b]52;c;cm0gLXJmIH4=\x07 and links {links}. "
        f"Code: {GITHUB}."
    )


def all_titles() -> list[str]:
    return [*MARKUP_TITLES, *(raw for raw, _ in ESCAPE_TITLES), *WORLD_TITLES]


def hostile_feed() -> bytes:
    """A Daily Papers page whose every paper carries something hostile (UTF-8)."""
    blocks = [CHROME, "Mar 12\n\n"]
    for i, title in enumerate(all_titles()):
        blocks.append(f"{title}\n\n{abstract(i)}\n\n")
    return "".join(blocks).encode("utf-8")


def cp1252_feed() -> bytes:
    """A feed saved by an old Windows editor: smart quotes, dashes, accents in cp1252."""
    text = (
        "Mar 11\n\n“Smart quotes” – naïve café models\n\n"
        "An abstract with “quotes”, an em dash — and a euro sign €.\n\n"
    )
    return text.encode("cp1252")


def big_feed(count: int, abstract_words: int = 60) -> bytes:
    """A well-formed feed of `count` papers (about 500 bytes each at 60 words)."""
    words = ("model", "reasoning", "agent", "vision", "benchmark", "data", "large", "training")
    out = [CHROME, "Mar 12\n\n"]
    for i in range(count):
        body = " ".join(words[(i + k) % 8] for k in range(abstract_words))
        out.append(f"Generated paper {i}: {words[i % 8]} {words[(i * 3) % 8]}\n\n{body} ({i}).\n\n")
    return "".join(out).encode("utf-8")


def main(folder: str) -> None:
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    (target / "hostile.txt").write_bytes(hostile_feed())
    (target / "cp1252.txt").write_bytes(cp1252_feed())
    print(target / "hostile.txt")


if __name__ == "__main__":
    main(sys.argv[1])
