"""`readlist serve` keeps everyone but the holder of its link out, and leaves no app behind.

Against the real server (`python -m readlist serve --port 0`, 127.0.0.1 only), without a browser:
plain HTTP requests with the Host, Cookie and Origin a browser or an attacker would send, and
websocket clients that open sessions, crowd the cap, or resize and vanish within 200 ms. Every
wait is bounded; each test ends with no app process over its library.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import signal
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from benchmarks.serve_kit import ServerProcess, app_pids, wait_until
from readlist.cli import main as readlist_main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_feed.txt"
APPS_GONE_S = 20.0  # the server's own bound is 5 s to quit + 1 s SIGTERM + 1 s SIGKILL


def make_library(folder: Path) -> Path:
    library = folder / "library.json"
    assert readlist_main(["--db", str(library), "import", str(SAMPLE)]) == 0
    return library


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    home = tmp_path_factory.mktemp("serve")
    with ServerProcess(make_library(home), home, max_sessions=2) as running:
        yield running
        assert running.stop() == 0, running.output()
        assert wait_until(lambda: not app_pids(running.library), APPS_GONE_S)


def get(
    server: ServerProcess, path: str, *, host: str | None = None, cookie: str | None = None
) -> http.client.HTTPResponse:
    """One GET with exactly the Host (and Cookie) given; the response, body read."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.putrequest("GET", path, skip_host=True)
    connection.putheader("Host", host or f"127.0.0.1:{server.port}")
    if cookie:
        connection.putheader("Cookie", cookie)
    connection.endheaders()
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def login(server: ServerProcess) -> str:
    """Exchange the token for the cookie; the `name=value` to send back."""
    response = get(server, f"/?token={server.token}")
    assert response.status == 303
    return response.headers["Set-Cookie"].split(";", 1)[0]


def ws_headers(server: ServerProcess, cookie: str, origin: str | None = "same") -> dict[str, str]:
    headers = {"Cookie": cookie}
    if origin is not None:
        headers["Origin"] = server.base if origin == "same" else origin
    return headers


async def open_session(
    client: aiohttp.ClientSession, server: ServerProcess, headers: dict[str, str]
) -> aiohttp.ClientWebSocketResponse:
    return await client.ws_connect(f"{server.base}/ws?width=100&height=30", headers=headers)


async def handshake_status(server: ServerProcess, headers: dict[str, str]) -> int:
    async with aiohttp.ClientSession() as client:
        try:
            websocket = await open_session(client, server, headers)
        except aiohttp.WSServerHandshakeError as error:
            return error.status
        await websocket.close()
        return 101


@pytest.mark.parametrize(
    "path", ["/", "/?token=", "/static/js/textual.js", "/static/", "/ws", "/download/x"]
)
def test_without_the_token_every_request_gets_403(server: ServerProcess, path: str) -> None:
    response = get(server, path)
    assert response.status == 403
    assert "Set-Cookie" not in response.headers


def test_a_wrong_token_gets_403_and_no_cookie(server: ServerProcess) -> None:
    token = server.token
    for wrong in (
        "wrong",
        token[:-1],
        token + "x",
        token[:-1] + ("A" if token[-1] != "A" else "B"),
    ):
        response = get(server, f"/?token={wrong}")
        assert response.status == 403, wrong
        assert "Set-Cookie" not in response.headers


def test_the_token_becomes_an_httponly_strict_cookie_and_the_page_loads_nothing_foreign(
    server: ServerProcess,
) -> None:
    response = get(server, f"/?token={server.token}")
    assert response.status == 303
    assert response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert server.token not in cookie
    page = get(server, "/", cookie=cookie.split(";", 1)[0])
    assert page.status == 200
    html = page.body.decode()  # type: ignore[attr-defined]
    assets = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert assets and all(asset.startswith("/") and not asset.startswith("//") for asset in assets)
    assert "googleapis" not in html and "https://" not in html
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]


def test_static_files_are_served_but_never_listed(server: ServerProcess) -> None:
    cookie = login(server)
    assert get(server, "/static/js/textual.js", cookie=cookie).status == 200
    assert (
        get(server, "/static/fonts/RobotoMono-VariableFont_wght.ttf", cookie=cookie).status == 200
    )
    for folder in ("/static/", "/static/js/", "/static/fonts"):
        response = get(server, folder, cookie=cookie)
        assert response.status in (403, 404), folder
        assert b"Index of" not in response.body  # type: ignore[attr-defined]


def test_a_request_naming_another_host_is_refused(server: ServerProcess) -> None:
    cookie = login(server)
    port = server.port
    for host in (
        f"evil.example:{port}",
        "evil.example",
        f"127.0.0.1:{port + 1}",
        f"127.0.0.2:{port}",
    ):
        assert get(server, "/", host=host, cookie=cookie).status == 403, host
        assert get(server, f"/?token={server.token}", host=host).status == 403, host
    # localhost never goes through DNS in a browser, so no rebinding attacker can own it.
    assert get(server, "/", host=f"localhost:{port}", cookie=cookie).status == 200


async def test_a_websocket_from_a_foreign_origin_is_refused(server: ServerProcess) -> None:
    cookie = login(server)
    port = server.port
    for origin in (
        "http://evil.example",
        f"http://evil.example:{port}",
        "null",
        f"https://127.0.0.1:{port}",
        f"http://127.0.0.1:{port + 1}",
        None,
    ):
        assert await handshake_status(server, ws_headers(server, cookie, origin)) == 403, origin
    assert await handshake_status(server, {"Origin": server.base}) == 403  # no cookie
    assert app_pids(server.library) == []


async def test_more_sessions_than_allowed_get_a_clear_refusal(server: ServerProcess) -> None:
    cookie = login(server)
    headers = ws_headers(server, cookie)
    async with aiohttp.ClientSession() as client:
        first = await open_session(client, server, headers)
        second = await open_session(client, server, headers)
        assert await asyncio.to_thread(wait_until, lambda: len(app_pids(server.library)) == 2, 30.0)
        assert await handshake_status(server, headers) == 503
        page = get(server, "/", cookie=cookie)
        assert page.status == 503
        assert b"Too many readlist tabs" in page.body  # type: ignore[attr-defined]
        assert b"--max-sessions" in page.body  # type: ignore[attr-defined]
        assert len(app_pids(server.library)) == 2
        await first.close()
        assert await asyncio.to_thread(wait_until, lambda: not server_full(server, cookie), 15.0)
        third = await open_session(client, server, headers)
        await second.close()
        await third.close()
    assert await asyncio.to_thread(wait_until, lambda: not app_pids(server.library), APPS_GONE_S)


async def painted(websocket: aiohttp.ClientWebSocketResponse, timeout: float = 30.0) -> None:
    """Wait until the app has drawn its screen (a large binary frame), so it is fully up."""

    async def first_screen() -> bool:
        async for message in websocket:
            if message.type == aiohttp.WSMsgType.BINARY and len(message.data) > 2000:
                return True
        return False

    assert await asyncio.wait_for(first_screen(), timeout), "the app never drew its screen"


def server_full(server: ServerProcess, cookie: str) -> bool:
    return get(server, "/", cookie=cookie).status == 503


async def test_clients_that_resize_and_vanish_leave_no_app_behind(server: ServerProcess) -> None:
    cookie = login(server)
    headers = ws_headers(server, cookie)
    opened = 0
    async with aiohttp.ClientSession() as client:
        for delay in (0.0, 0.05, 0.1, 0.2):
            for _attempt in range(100):  # a place frees once the previous app has exited
                try:
                    websocket = await open_session(client, server, headers)
                except aiohttp.WSServerHandshakeError as error:
                    assert error.status == 503
                    await asyncio.sleep(0.1)
                    continue
                break
            else:
                pytest.fail("no session place came free within 10 s")
            opened += 1
            await websocket.send_str(json.dumps(["resize", {"width": 120, "height": 40}]))
            await asyncio.sleep(delay)
            await websocket.close()
    assert opened == 4
    assert await asyncio.to_thread(wait_until, lambda: not app_pids(server.library), APPS_GONE_S)
    assert get(server, "/", cookie=cookie).status == 200  # and the server still answers


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
async def test_no_app_outlives_the_server(tmp_path: Path, how: signal.Signals) -> None:
    with ServerProcess(make_library(tmp_path), tmp_path, max_sessions=2) as running:
        cookie = login(running)
        async with aiohttp.ClientSession() as client:
            websocket = await open_session(client, running, ws_headers(running, cookie))
            await painted(websocket)
            assert len(app_pids(running.library)) == 1
            running.process.send_signal(how)
            returncode = await asyncio.to_thread(running.process.wait, 30)
            await websocket.close()
        assert returncode == (0 if how == signal.SIGTERM else -signal.SIGKILL), running.output()
        assert await asyncio.to_thread(
            wait_until, lambda: not app_pids(running.library), APPS_GONE_S
        )
