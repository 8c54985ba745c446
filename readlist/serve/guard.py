"""Who may talk to `readlist serve`: the hosts, the origin, the token and the cookie it checks.

textual-serve has no authentication and checks neither `Host` nor `Origin`, so anyone who can reach
the port, and any web page the user visits (through DNS rebinding or a cross-site websocket), could
drive the app. The guard is plain Python (no aiohttp), so the rules are tested on their own.

- The token goes in the printed URL and is exchanged once for a cookie holding a second secret,
  so the printed token does not travel with every request (nor sit in the address bar).
- `Host` must name this server as it was bound and printed. DNS rebinding works by giving the
  attacker's own name the server's address, so the `Host` a rebound page sends is the attacker's
  name, never one of these.
- `localhost` is accepted on a loopback bind because browsers resolve it to loopback themselves,
  never through DNS (RFC 6761 6.3; Chrome and Firefox hard-code it), so no attacker can own it.
- On a wildcard bind (`0.0.0.0`, `::`) any IP literal is accepted: an IP literal is not a name and
  cannot be rebound; names are limited to this machine's own.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import socket
from dataclasses import dataclass, field

COOKIE_PREFIX = "readlist_session_"
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback IP literals (127.0.0.0/8, ::1)."""
    bare = host.strip("[]").lower()
    if bare == "localhost":
        return True
    try:
        return ipaddress.ip_address(bare).is_loopback
    except ValueError:
        return False


def _ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def url_host(host: str) -> str:
    """`host` as it appears in a URL or a Host header: IPv6 literals in brackets."""
    bare = host.strip("[]")
    return f"[{bare}]" if ":" in bare else bare


def split_host_header(value: str) -> tuple[str, int | None] | None:
    """(host lowercased, port or None) from a Host header; None if it is malformed."""
    text = value.strip().lower()
    if not text or any(c.isspace() or c in "/@?#\\" for c in text):
        return None
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            return None
        host, rest = text[: end + 1], text[end + 1 :]
    else:
        host, _, port_text = text.partition(":")
        rest = f":{port_text}" if ":" in text else ""
    if not rest:
        return host, None
    if not rest.startswith(":") or not rest[1:].isdigit() or len(rest) > 6:
        return None
    return host, int(rest[1:])


def allowed_names(bind_host: str) -> frozenset[str]:
    """The host names (not IP literals on a wildcard bind) a request may name for this bind."""
    host = bind_host.strip().lower()
    if host in WILDCARD_HOSTS:
        names = {"localhost", "127.0.0.1", "[::1]"}
        for name in (socket.gethostname(), socket.getfqdn()):
            if name:
                names.add(name.lower())
        return frozenset(names)
    if host == "localhost":
        return frozenset({"localhost", "127.0.0.1", "[::1]"})
    if is_loopback(host):
        return frozenset({url_host(host), "localhost"})
    return frozenset({url_host(host)})


@dataclass(frozen=True)
class Guard:
    """The secrets and the host rules of one running server."""

    bind_host: str
    port: int
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    cookie_value: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)

    @property
    def cookie_name(self) -> str:
        """Per port: cookies are shared by every port of a host, so two servers keep apart."""
        return f"{COOKIE_PREFIX}{self.port}"

    @property
    def names(self) -> frozenset[str]:
        return allowed_names(self.bind_host)

    def host_allowed(self, header: str | None) -> bool:
        """True if a `Host` header names this server (right name or IP, right port)."""
        if header is None:
            return False
        parsed = split_host_header(header)
        if parsed is None:
            return False
        host, port = parsed
        if port is None:
            port = 80  # a browser leaves out the default port
        if port != self.port:
            return False
        if host in self.names:
            return True
        return self.bind_host.strip().lower() in WILDCARD_HOSTS and _ip_literal(host)

    def origin_allowed(self, origin: str | None, host_header: str | None) -> bool:
        """True if `Origin` is this server's own page: http://<the Host the request names>."""
        if origin is None or host_header is None or not self.host_allowed(host_header):
            return False
        parsed = split_host_header(host_header)
        if parsed is None:
            return False
        host, port = parsed
        expected = {f"http://{host}:{port or 80}"}
        if port in (None, 80):
            expected.add(f"http://{host}")
        return origin.strip().lower() in expected

    def token_matches(self, given: str) -> bool:
        """Constant-time comparison, so the time taken says nothing about how much was right."""
        return hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8"))

    def cookie_matches(self, given: str | None) -> bool:
        if given is None:
            return False
        return hmac.compare_digest(given.encode("utf-8"), self.cookie_value.encode("utf-8"))

    def url(self, public_host: str) -> str:
        """The URL to print: the page with the token."""
        port = "" if self.port == 80 else f":{self.port}"
        return f"http://{url_host(public_host)}{port}/?token={self.token}"
