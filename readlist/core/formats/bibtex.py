"""BibTeX for LaTeX users: one entry per paper that compiles whatever the title holds, and, for a
paper with an arXiv id, a citation to paste as it is.

Every entry is `@misc`, as arXiv's own "Export BibTeX citation" writes it: an arXiv paper is cited
by `eprint` / `archivePrefix` / `primaryClass` (which natbib, biblatex and citeproc all render),
and a journal reference is free text (a journal, proceedings, a book chapter; volume and pages in
one string) that cannot be split into `@article`'s `journal`, `volume` and `pages` without
guessing, while an `@article` without them draws warnings. So the published version is named by
its `doi` and the journal reference goes, as written, into `howpublished`, which `@misc` prints.

The title is wrapped in a second pair of braces so that no style lower-cases it: acronyms and
names (LLM, GPT-4, BERT, Transformer) survive, at the price of a style's own title casing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence

from readlist.core.arxiv_ids import abs_url
from readlist.core.models import Entry, Paper

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
#: Latin letters that Unicode does not decompose into an ASCII letter plus accents.
_ASCII_LETTERS = str.maketrans(
    {"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "ß": "ss", "Æ": "AE", "æ": "ae"}
    | {"Œ": "OE", "œ": "oe", "Þ": "Th", "þ": "th", "ı": "i", "Ð": "D", "ð": "d"}
)
_NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_AND_WORD = re.compile(r"\sand\s", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/[^\s{}\\]+")


def bibtex_escape(text: str) -> str:
    """Text safe inside a BibTeX braced value: LaTeX specials escaped, braces always balanced."""
    flat = " ".join(text.split())
    return _LATEX_PATTERN.sub(lambda m: _LATEX_SPECIAL[m.group(0)], flat)


def _ascii_words(text: str) -> list[str]:
    """Lower-case ASCII runs of letters and digits, accents dropped (`Łukasz Ünïcode` ->
    `lukasz`, `unicode`)."""
    folded = unicodedata.normalize("NFKD", text.translate(_ASCII_LETTERS))
    return re.findall(r"[a-z0-9]+", folded.encode("ascii", "ignore").decode("ascii").lower())


def _title_word(paper: Paper) -> str:
    words = _ascii_words(paper.title)
    return next((w for w in words if w not in _KEY_STOPWORDS and not w.isdigit()), "")[:20]


def _year(paper: Paper) -> str:
    year = (paper.published or paper.date or "")[:4]
    return year if len(year) == 4 and year.isdigit() else ""


def _family_name(name: str) -> str:
    """The family name as a key part: `Ashish Vaswani` -> `vaswani`, `de la Cruz, Maria` ->
    `delacruz`, `Martin King Jr.` -> `king`; "" when nothing ASCII is left (a CJK name)."""
    if "," in name:
        family = name.split(",")[0]
    else:
        parts = name.split()
        while len(parts) > 1 and parts[-1].lower() in _NAME_SUFFIXES:
            parts.pop()
        family = parts[-1] if parts else ""
    return "".join(_ascii_words(family))[:30]


def citation_key(entry: Entry) -> str:
    """The paper's key before any clash is settled (see `citation_keys`).

    With authors: first author's family name, year, first significant title word, as Google
    Scholar writes them (`vaswani2017attention`). Without: the title word, year and paper id
    (`diffusion2024_3fa2b1c9de`), the key earlier exports gave, so a document that cites one
    still compiles after a new export.
    """
    paper = entry.paper
    family = next((f for f in map(_family_name, paper.authors[:1]) if f), "")
    if family:
        return f"{family}{_year(paper)}{_title_word(paper)}"
    return f"{_title_word(paper) or 'paper'}{_year(paper)}_{entry.id}"


def _suffixes() -> Iterator[str]:
    """`a` ... `z`, `aa` ... `zz`, ...: what tells apart papers with the same key."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    width = 1
    while True:
        for number in range(len(letters) ** width):
            suffix = ""
            for _ in range(width):
                number, digit = divmod(number, len(letters))
                suffix = letters[digit] + suffix
            yield suffix
        width += 1


def citation_keys(entries: Sequence[Entry]) -> list[str]:
    """A key per entry, unique within these entries: the first paper with a key keeps it, the
    next ones get `a`, `b`, ... appended (`smith2020deep`, `smith2020deepa`), never a key that
    another paper has on its own."""
    bases = [citation_key(entry) for entry in entries]
    taken = set(bases)
    used: set[str] = set()
    next_suffix: dict[str, Iterator[str]] = {}  # so 1,000 clashes cost 1,000 steps, not 500,000
    keys = []
    for key in bases:
        if key in used:
            suffixes = next_suffix.setdefault(key, _suffixes())
            key = next(k for k in (key + s for s in suffixes) if k not in used and k not in taken)
        used.add(key)
        keys.append(key)
    return keys


def _author(name: str) -> str:
    """One name for the `author` list: as given (`Last, First` stays), escaped; braced whole
    where BibTeX would split it (`and` inside an organisation's name, more than two commas)."""
    escaped = bibtex_escape(name)
    if _AND_WORD.search(f" {escaped} ") or escaped.count(",") > 2:
        return "{" + escaped + "}"
    return escaped


def _url(value: str) -> str:
    # A brace or whitespace would end or unbalance the field; percent-encode them.
    return value.replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def _fields(entry: Entry) -> list[tuple[str, str]]:
    """(name, value as written after `=`), in the order a reader expects them."""
    paper, state = entry.paper, entry.state
    fields: list[tuple[str, str]] = []
    authors = [_author(n) for n in paper.authors if n.strip()]
    if authors:
        fields.append(("author", "{" + " and ".join(authors) + "}"))
    fields.append(("title", "{{" + bibtex_escape(paper.title) + "}}"))
    day, year = paper.published or paper.date or "", _year(paper)
    if year:
        fields.append(("year", "{" + year + "}"))
        month = day[5:7]
        if len(day) >= 7 and month.isdigit() and 1 <= int(month) <= 12:
            fields.append(("month", _MONTHS[int(month) - 1]))  # the macro: styles print "March"
    if paper.arxiv_id:
        fields.append(("eprint", "{" + bibtex_escape(paper.arxiv_id) + "}"))
        fields.append(("archivePrefix", "{arXiv}"))
        if paper.categories:
            fields.append(("primaryClass", "{" + bibtex_escape(paper.categories[0]) + "}"))
    doi = _DOI.search(paper.doi or "")
    if doi:
        fields.append(("doi", "{" + doi.group(0) + "}"))
    url = abs_url(paper.arxiv_id) if paper.arxiv_id else paper.github or next(iter(paper.links), "")
    if url:
        fields.append(("url", "{" + _url(url) + "}"))
    if paper.journal_ref and paper.journal_ref.strip():
        fields.append(("howpublished", "{" + bibtex_escape(paper.journal_ref) + "}"))
    if paper.abstract.strip():
        fields.append(("abstract", "{" + bibtex_escape(paper.abstract) + "}"))
    if state.note.strip():
        fields.append(("note", "{" + bibtex_escape(state.note) + "}"))
    if state.tags:
        fields.append(("keywords", "{" + bibtex_escape(", ".join(state.tags)) + "}"))
    return fields


def bibtex_entry(entry: Entry, key: str | None = None) -> str:
    """One paper's `@misc` entry, ending in a newline; `key` defaults to `citation_key(entry)`
    (the app copies one paper's entry this way)."""
    body = ",\n".join(f"  {name} = {value}" for name, value in _fields(entry))
    return f"@misc{{{key or citation_key(entry)},\n{body}\n}}\n"


def to_bibtex(entries: Sequence[Entry]) -> str:
    """One `@misc` per paper, keys unique within the export: author, title, year, month, eprint,
    archivePrefix, primaryClass, doi, url (arXiv abstract page, else GitHub link, else first
    link), howpublished (the journal reference), abstract, note, keywords (the tags)."""
    keys = citation_keys(entries)
    return "\n".join(bibtex_entry(e, k) for e, k in zip(entries, keys, strict=True))
