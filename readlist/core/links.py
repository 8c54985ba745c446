"""Finding URLs in abstracts and naming a paper's GitHub repository.

Abstracts end sentences with URLs (`...at https://github.com/o/r.`), wrap them in parentheses,
Markdown, angle brackets or LaTeX `\\url{...}`, and add `.git`; the user wants the plain repository
URL, ready to paste. Only http(s) URLs with a host count, so nothing else is ever opened or copied.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: After `scheme://`, a URL runs over printable ASCII except spaces, quotes, brackets and braces.
#: (Found by `str.find("://")` first: a case-insensitive regex search has no fast prefix scan.)
_URL_REST = re.compile(r"[!#$%&'()*+,\-./0-9:;=?@A-Z_a-z~]+")

#: Characters a sentence or a wrapper puts after a URL, never its last character in practice.
_TRAILING = ".,;:!?'\"*"

#: scheme://[userinfo@]host[:port][/path?query#fragment]; no whitespace or control characters.
_WEB_URL = re.compile(
    r"https?://(?:[^\s/?#@\x00-\x1f\x7f]*@)?[^\s/?#@:\[\]\x00-\x1f\x7f]+(?::[0-9]*)?"
    r"(?:[/?#][^\s\x00-\x1f\x7f]*)?",
    re.IGNORECASE,
)

_CLOSERS = {")": "(", "]": "[", "}": "{", ">": "<"}

#: First path segments on github.com that are site pages, not an owner.
_GITHUB_NON_OWNERS = frozenset(
    {
        "about",
        "apps",
        "collections",
        "contact",
        "customer-stories",
        "enterprise",
        "events",
        "explore",
        "features",
        "issues",
        "join",
        "login",
        "marketplace",
        "new",
        "notifications",
        "orgs",
        "pricing",
        "pulls",
        "readme",
        "search",
        "security",
        "settings",
        "site",
        "sponsors",
        "team",
        "topics",
        "trending",
    }
)
_GITHUB_HOSTS = frozenset({"github.com", "www.github.com"})
_REPO = re.compile(r"[A-Za-z0-9._-]{1,100}")
#: A github.com URL with owner and repository; `deeper` is the rest of the path (query and
#: fragment are dropped). Owners are letters, digits and hyphens, at most 39 characters.
_GITHUB_URL = re.compile(
    r"https?://(?:www\.)?github\.com/+(?P<owner>[A-Za-z0-9][A-Za-z0-9-]{0,38})/+"
    r"(?P<repo>[^/?#\s]+)(?P<deeper>/[^?#\s]*)?(?:[?#]\S*)?",
    re.IGNORECASE,
)


def _strip_tail(url: str) -> str:
    """Drop sentence punctuation, unbalanced closing brackets and a `.git` suffix from the end."""
    while url:
        last = url[-1]
        unbalanced = last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last])
        if last in _TRAILING or unbalanced:
            url = url[:-1]
        elif url[-4:].lower() == ".git":
            url = url[:-4]
        else:
            break
    return url


def is_web_url(url: str) -> bool:
    """True only for http:// and https:// URLs that name a host, with no spaces or controls."""
    return _WEB_URL.fullmatch(url) is not None


def extract_links(text: str) -> list[str]:
    """Every http(s) URL in the text, cleaned, in order of appearance, without duplicates."""
    if "://" not in text:
        return []
    seen: dict[str, None] = {}
    mark = text.find("://")
    while mark != -1:
        rest = _URL_REST.match(text, mark + 3)
        end = rest.end() if rest else mark + 3
        if text[max(mark - 5, 0) : mark].lower() == "https":
            start = mark - 5
        elif text[max(mark - 4, 0) : mark].lower() == "http":
            start = mark - 4
        else:
            start = -1
        if start >= 0 and rest:
            url = _strip_tail(text[start:end])
            if url not in seen and is_web_url(url):
                seen[url] = None
        mark = text.find("://", end)
    return list(seen)


def github_repo_url(url: str) -> str | None:
    """The canonical `https://github.com/owner/repo[/deeper]` form, or None if not a repository."""
    match = _GITHUB_URL.fullmatch(url)
    if match is None:
        return None
    owner, repo, deeper = match.group("owner", "repo", "deeper")
    if repo[-4:].lower() == ".git":
        repo = repo[:-4]
    if owner.lower() in _GITHUB_NON_OWNERS or not _REPO.fullmatch(repo) or repo in (".", ".."):
        return None
    segments = [s for s in (deeper or "").split("/") if s]
    return "/".join(["https://github.com", owner, repo, *segments])


def github_link(links: Iterable[str]) -> str | None:
    """The first link that names a GitHub repository, canonical; `*.github.io` pages do not."""
    for url in links:
        canonical = github_repo_url(url)
        if canonical is not None:
            return canonical
    return None
