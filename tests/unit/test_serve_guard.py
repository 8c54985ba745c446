"""The rules of `readlist serve` on their own: which Host and Origin are the server's, the token
and cookie checks, the command each tab runs, and an app that will not quit being killed."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest
from textual_serve.download_manager import DownloadManager

from readlist.serve import app_command, exposure_warning
from readlist.serve import sessions as sessions_module
from readlist.serve.guard import Guard, allowed_names, split_host_header
from readlist.serve.sessions import AppProcess, SessionLimit


def test_host_headers_are_parsed_strictly() -> None:
    assert split_host_header("127.0.0.1:8000") == ("127.0.0.1", 8000)
    assert split_host_header("LocalHost:80") == ("localhost", 80)
    assert split_host_header("[::1]:9") == ("[::1]", 9)
    assert split_host_header("example.org") == ("example.org", None)
    for bad in ("", "a b:1", "x:1:2", "x:", "x:abc", "[::1", "user@host:1", "h/x:1", "x:1234567"):
        assert split_host_header(bad) is None, bad


def test_a_loopback_bind_answers_to_its_address_and_localhost_only() -> None:
    guard = Guard("127.0.0.1", 8000)
    assert guard.host_allowed("127.0.0.1:8000")
    assert guard.host_allowed("localhost:8000")
    assert not guard.host_allowed("127.0.0.1:8001")
    assert not guard.host_allowed("evil.example:8000")
    assert not guard.host_allowed("127.0.0.1")  # port 80 implied
    assert not guard.host_allowed("192.168.1.5:8000")
    assert not guard.host_allowed(None)


def test_a_named_bind_answers_to_that_name_and_a_wildcard_bind_to_ip_literals() -> None:
    named = Guard("192.168.1.5", 8000)
    assert named.host_allowed("192.168.1.5:8000")
    assert not named.host_allowed("localhost:8000")
    wildcard = Guard("0.0.0.0", 8000)
    assert wildcard.host_allowed("10.1.2.3:8000")
    assert wildcard.host_allowed("[fe80::1]:8000")
    assert wildcard.host_allowed("localhost:8000")
    assert not wildcard.host_allowed("rebound.evil.example:8000")
    assert "localhost" in allowed_names("::")


def test_port_80_is_the_port_a_browser_leaves_out() -> None:
    guard = Guard("127.0.0.1", 80)
    assert guard.host_allowed("127.0.0.1")
    assert guard.origin_allowed("http://127.0.0.1", "127.0.0.1")
    assert guard.url("127.0.0.1") == f"http://127.0.0.1/?token={guard.token}"


def test_the_origin_must_be_the_page_the_request_names() -> None:
    guard = Guard("127.0.0.1", 8000)
    assert guard.origin_allowed("http://127.0.0.1:8000", "127.0.0.1:8000")
    assert guard.origin_allowed("http://localhost:8000", "localhost:8000")
    assert not guard.origin_allowed("http://localhost:8000", "127.0.0.1:8000")
    assert not guard.origin_allowed("http://evil.example", "127.0.0.1:8000")
    assert not guard.origin_allowed("https://127.0.0.1:8000", "127.0.0.1:8000")
    assert not guard.origin_allowed("null", "127.0.0.1:8000")
    assert not guard.origin_allowed(None, "127.0.0.1:8000")
    assert not guard.origin_allowed("http://evil.example:8000", "evil.example:8000")


def test_token_and_cookie_are_separate_random_secrets() -> None:
    one, two = Guard("127.0.0.1", 1), Guard("127.0.0.1", 1)
    assert one.token != two.token and one.token != one.cookie_value
    assert len(one.token) >= 40
    assert one.token_matches(one.token) and not one.token_matches(two.token)
    assert not one.token_matches("") and not one.token_matches("é" * 43)
    assert one.cookie_matches(one.cookie_value) and not one.cookie_matches(None)
    assert one.token not in repr(one) and one.cookie_value not in repr(one)
    assert Guard("127.0.0.1", 8000).cookie_name != Guard("127.0.0.1", 8001).cookie_name


def test_each_tab_runs_readlist_open_as_an_argument_list_no_shell() -> None:
    library = Path("/tmp/a b/lib'x; rm -rf ~.json")
    assert app_command(library) == [sys.executable, "-m", "readlist", "--db", str(library), "open"]


def test_only_a_non_loopback_bind_warns() -> None:
    assert exposure_warning("127.0.0.1", 8000) is None
    assert exposure_warning("localhost", 8000) is None
    assert "every address" in (exposure_warning("0.0.0.0", 8000) or "")
    assert "192.168.1.5" in (exposure_warning("192.168.1.5", 8000) or "")


def test_the_session_limit_holds_a_place_until_given_back() -> None:
    limit = SessionLimit(2)
    assert limit.take() and limit.take() and not limit.take()
    assert limit.full
    limit.give_back()
    assert not limit.full and limit.take()


STUBBORN = (
    "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "sys.stdout.write('__GANGLION__\\n'); sys.stdout.flush(); "
    "[time.sleep(0.05) for _ in range(2400)]"
)


async def test_an_app_that_ignores_quit_and_sigterm_is_killed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What textual-serve's own stop() would wait on for ever: here it takes the set graces."""
    monkeypatch.setattr(sessions_module, "QUIT_GRACE_S", 0.5)
    monkeypatch.setattr(sessions_module, "TERM_GRACE_S", 0.5)

    async def ignore(_: object = None) -> None:
        return None

    service = AppProcess(
        [sys.executable, "-c", STUBBORN],
        write_bytes=ignore,
        write_str=ignore,
        close=ignore,
        download_manager=DownloadManager(),
        environment={},
    )
    await service.start(80, 24)
    await asyncio.sleep(0.5)
    pid = service.pid
    assert pid is not None and os.path.exists(f"/proc/{pid}")
    started = time.monotonic()
    await asyncio.wait_for(service.stop(), 10)
    assert time.monotonic() - started < 5
    assert not os.path.exists(f"/proc/{pid}")


def test_a_port_in_use_is_one_line_and_status_2(tmp_path: Path) -> None:
    import io
    import socket

    from readlist.serve import ServeOptions, run_server

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out, err = io.StringIO(), io.StringIO()
        options = ServeOptions(tmp_path / "library.json", "127.0.0.1", port, 1)
        assert run_server(options, out, err) == 2
    assert err.getvalue().startswith(f"readlist: cannot listen on 127.0.0.1:{port}: ")
    assert out.getvalue() == ""
