"""arXiv identifiers: telling one apart from any other text, and the URLs built from one.

A paper's arXiv id is its identity wherever it came from (pasted text, Hugging Face, an arXiv
listing, `readlist add`), so every spelling a user or a feed gives is reduced to one form: the id
without its version. Two schemes exist:

- new style (April 2007 on): `YYMM.NNNN` until December 2014, `YYMM.NNNNN` since January 2015;
- old style (until March 2007): `archive/YYMMNNN` (`hep-th/9901001`), sometimes written with a
  subject class (`math.GT/0309136`), which names the same paper and is dropped.

Anything else is refused (None), so a typo never becomes a request to arXiv or a false identity.
The accepted spellings: the bare id, `arXiv:ID`, and `http(s)://` (or scheme-less) URLs of the
arXiv abstract, PDF (with or without `.pdf`) and HTML pages and of Hugging Face's paper pages;
each with an optional version `vN` (returned as `"vN"`), and a URL with an optional query,
fragment or trailing slash.
"""

from __future__ import annotations

import re

#: The archives of old-style ids: a closed list, as no old-style id was issued after March 2007.
OLD_ARCHIVES = frozenset(
    {
        "acc-phys",
        "adap-org",
        "alg-geom",
        "ao-sci",
        "astro-ph",
        "atom-ph",
        "bayes-an",
        "chao-dyn",
        "chem-ph",
        "cmp-lg",
        "comp-gas",
        "cond-mat",
        "cs",
        "dg-ga",
        "funct-an",
        "gr-qc",
        "hep-ex",
        "hep-lat",
        "hep-ph",
        "hep-th",
        "math",
        "math-ph",
        "mtrl-th",
        "nlin",
        "nucl-ex",
        "nucl-th",
        "patt-sol",
        "physics",
        "plasm-ph",
        "q-alg",
        "q-bio",
        "quant-ph",
        "solv-int",
        "supr-con",
    }
)

_NEW_ID = r"(?P<yymm>\d{4})\.(?P<number>\d{4,5})"
_OLD_ID = r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.[A-Za-z]{1,8}(?:-[A-Za-z]{1,8})?)?/(?P<old>\d{7})"
_ID = rf"(?:{_NEW_ID}|{_OLD_ID})(?:[vV](?P<version>[1-9]\d{{0,3}}))?"

_BARE = re.compile(rf"(?:arxiv:\s*)?{_ID}", re.IGNORECASE)
_URL = re.compile(
    r"(?:https?://)?"
    r"(?:(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/"
    r"|(?:www\.)?(?:huggingface|hf)\.co/papers/)"
    rf"{_ID}(?P<pdf>\.pdf)?/?(?:[?#]\S*)?",
    re.IGNORECASE,
)


def _valid_month(mm: str) -> bool:
    return 1 <= int(mm) <= 12


def _checked(match: re.Match[str]) -> tuple[str, str | None] | None:
    """The id and version a match stands for, or None when its date or form is impossible."""
    if match.group("yymm") is not None:
        yymm, number = match.group("yymm"), match.group("number")
        # The scheme began in April 2007 with four digits and took a fifth in January 2015.
        if not _valid_month(yymm[2:]) or yymm < "0704" or (len(number) == 5) != (yymm >= "1501"):
            return None
        arxiv_id = f"{yymm}.{number}"
    else:
        archive, digits = match.group("archive"), match.group("old")
        if archive not in OLD_ARCHIVES or not _valid_month(digits[2:4]):
            return None  # the archives are lower-case: `HEP-TH/...` is no id
        # Old-style ids ran from August 1991 to March 2007.
        yymm = digits[:4]
        if not ("9108" <= yymm <= "9912" or "0001" <= yymm <= "0703"):
            return None
        arxiv_id = f"{archive}/{digits}"
    version = match.group("version")
    return arxiv_id, None if version is None else f"v{int(version)}"


def parse_arxiv_id(text: str) -> tuple[str, str | None] | None:
    """(id without version, version such as "v2" or None) from any accepted spelling, else None.

    `2403.01234`, `arXiv:2403.01234v2`, `https://arxiv.org/abs/2403.01234v2`,
    `https://arxiv.org/pdf/2403.01234v2.pdf`, `http://arxiv.org/abs/hep-ph/0301050v2`,
    `https://huggingface.co/papers/2403.01234`, `hep-th/9901001`.
    """
    stripped = text.strip()
    if not stripped.isascii() or len(stripped) > 300:
        return None
    match = _BARE.fullmatch(stripped)
    if match is None:
        match = _URL.fullmatch(stripped)
        # `.pdf` ends PDF URLs only.
        if match is None or (match.group("pdf") and "/pdf/" not in stripped.lower()):
            return None
    return _checked(match)


def abs_url(arxiv_id: str) -> str:
    """The paper's abstract page: `https://arxiv.org/abs/ID`."""
    return f"https://arxiv.org/abs/{arxiv_id}"


def pdf_url(arxiv_id: str) -> str:
    """The paper's PDF (its latest version unless the id carries one): `https://arxiv.org/pdf/ID`."""
    return f"https://arxiv.org/pdf/{arxiv_id}"
