"""The link cleaner: every URL an abstract mentions, as a user would paste it, and the repo link."""

from __future__ import annotations

import pytest

from readlist.core.links import extract_links, github_link, github_repo_url, is_web_url


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Code: https://github.com/o/r.", ["https://github.com/o/r"]),
        ("at https://github.com/o/r.git.", ["https://github.com/o/r"]),
        ("(see https://github.com/o/r.)", ["https://github.com/o/r"]),
        ("(see https://github.com/o/r).", ["https://github.com/o/r"]),
        ("at \\url{https://github.com/o/r}.", ["https://github.com/o/r"]),
        ("\\href{https://x.org/p}{page}", ["https://x.org/p"]),
        ("[code](https://github.com/o/r/tree/main/src)", ["https://github.com/o/r/tree/main/src"]),
        ("[https://a.org](https://a.org)", ["https://a.org"]),
        ("mail <https://a.org/x>, thanks", ["https://a.org/x"]),
        ('"https://a.org/q?x=1&y=2"', ["https://a.org/q?x=1&y=2"]),
        ("'https://a.org/p';", ["https://a.org/p"]),
        ("https://a.org/p: and https://b.org/q!", ["https://a.org/p", "https://b.org/q"]),
        (
            "wiki https://en.wikipedia.org/wiki/Foo_(bar).",
            ["https://en.wikipedia.org/wiki/Foo_(bar)"],
        ),
        ("site https://lei-kun.github.io/uni-o4/ .", ["https://lei-kun.github.io/uni-o4/"]),
        ("http://vpg.cs.princeton.edu", ["http://vpg.cs.princeton.edu"]),
        ("twice https://a.org and https://a.org.", ["https://a.org"]),
        ("order https://b.org then https://a.org", ["https://b.org", "https://a.org"]),
        ("url https://example.com/页面 ends at non-ASCII", ["https://example.com/"]),
        ("no scheme github.com/o/r, ftp://a.org/x, file:///etc/passwd", []),
        ("javascript:alert(1) and https:// alone and https://.", []),
        ("", []),
    ],
)
def test_extract_links_cleans_each_url(text: str, expected: list[str]) -> None:
    assert extract_links(text) == expected


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://github.com/o/r", "https://github.com/o/r"),
        ("http://github.com/o/r", "https://github.com/o/r"),
        ("https://www.github.com/o/r/", "https://github.com/o/r"),
        ("https://GitHub.com/Owner-1/Repo.Name_2", "https://github.com/Owner-1/Repo.Name_2"),
        ("https://github.com/o/r.git", "https://github.com/o/r"),
        ("https://github.com/o/r/tree/main/src", "https://github.com/o/r/tree/main/src"),
        ("https://github.com/o/r#readme", "https://github.com/o/r"),
        ("https://github.com/o", None),
        ("https://github.com/", None),
        ("https://github.com/orgs/o/repositories", None),
        ("https://github.com/topics/llm", None),
        ("https://github.com/sponsors/o", None),
        ("https://o.github.io/r", None),
        ("https://gist.github.com/o/abc", None),
        ("https://notgithub.com/o/r", None),
        ("https://github.com.evil.org/o/r", None),
        ("ftp://github.com/o/r", None),
    ],
)
def test_github_repo_url_canonical_form(url: str, canonical: str | None) -> None:
    assert github_repo_url(url) == canonical


def test_github_link_is_first_repo_not_pages_or_owner() -> None:
    links = [
        "https://o.github.io/project/",
        "https://github.com/o",
        "https://github.com/o/first",
        "https://github.com/o/second",
    ]
    assert github_link(links) == "https://github.com/o/first"
    assert github_link(links[:2]) is None
    assert github_link([]) is None


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://a.org", True),
        ("http://a.org/x", True),
        ("HTTPS://A.ORG", True),
        ("https://", False),
        ("https:///path", False),
        ("file:///etc/passwd", False),
        ("javascript:alert(1)", False),
        ("ftp://a.org", False),
        ("a.org", False),
        ("https://[::1", False),
        ("", False),
    ],
)
def test_is_web_url_only_http_with_host(url: str, ok: bool) -> None:
    assert is_web_url(url) is ok
