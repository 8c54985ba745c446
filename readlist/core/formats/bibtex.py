"""BibTeX for LaTeX users: one entry per paper, values escaped so any title compiles."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from readlist.core.models import Entry

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_PATTERN = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIAL))
_KEY_STOPWORDS = frozenset({"a", "an", "the", "on", "of", "in", "for", "and", "to", "with", "is"})


def bibtex_escape(text: str) -> str:
    """Text safe inside a BibTeX braced value: LaTeX specials escaped, braces always balanced."""
    flat = " ".join(text.split())
    return _LATEX_PATTERN.sub(lambda m: _LATEX_SPECIAL[m.group(0)], flat)


def citation_key(entry: Entry) -> str:
    """A key that never changes for a paper: first significant title word, year, paper id.

    The id (derived from the title) makes it unique in any export; the word and year make it
    readable: `diffusion2024_3fa2b1c9de`.
    """
    ascii_title = unicodedata.normalize("NFKD", entry.paper.title).encode("ascii", "ignore")
    words = re.findall(r"[a-z0-9]+", ascii_title.decode("ascii").lower())
    word = next((w for w in words if w not in _KEY_STOPWORDS and not w.isdigit()), "paper")
    year = (entry.paper.date or "")[:4]
    return f"{word[:20]}{year if year.isdigit() else ''}_{entry.id}"


def _bib_url(entry: Entry) -> str | None:
    url = entry.paper.github or next(iter(entry.paper.links), None)
    if url is None:
        return None
    # A brace or whitespace would end or unbalance the field; percent-encode them.
    return url.replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def to_bibtex(entries: Sequence[Entry]) -> str:
    """One `@misc` per paper: title, year, month, url (GitHub link, else first link), abstract,
    note, keywords (the tags)."""
    blocks = []
    for entry in entries:
        paper, state = entry.paper, entry.state
        fields: list[tuple[str, str]] = [("title", "{" + bibtex_escape(paper.title) + "}")]
        if paper.date and len(paper.date) >= 7 and paper.date[:4].isdigit():
            fields.append(("year", paper.date[:4]))
            month = paper.date[5:7]
            if month.isdigit() and 1 <= int(month) <= 12:
                fields.append(("month", _MONTHS[int(month) - 1]))
        url = _bib_url(entry)
        if url:
            fields.append(("url", url))
        if paper.abstract.strip():
            fields.append(("abstract", bibtex_escape(paper.abstract)))
        if state.note.strip():
            fields.append(("note", bibtex_escape(state.note)))
        if state.tags:
            fields.append(("keywords", bibtex_escape(", ".join(state.tags))))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        blocks.append(f"@misc{{{citation_key(entry)},\n{body}\n}}\n")
    return "\n".join(blocks)
