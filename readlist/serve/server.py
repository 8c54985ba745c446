"""textual-serve's `Server`, hardened: every request passes the guard, sessions are capped, and the
page is readlist's own (no asset from the internet, no directory listing, a strict CSP).

What is kept from textual-serve: the websocket protocol to the browser's terminal, the app
process protocol (`AppService`, here `AppProcess`) and the downloads (`deliver_text`). What is
replaced: the routes and the page, the message loop (it now ignores malformed messages and bounds
sizes), and the running (an `AppRunner` bound before the URL is printed, so `--port 0` works).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import shlex
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import quote

import textual_serve
from aiohttp import WSMsgType, web
from textual_serve.server import Server

from readlist.serve.guard import Guard
from readlist.serve.sessions import QUIT_GRACE_S, TERM_GRACE_S, AppProcess, SessionLimit

log = logging.getLogger("readlist.serve")

STATIC_DIR = Path(textual_serve.__file__).parent / "static"
MAX_CELLS = 1000
"""Columns or rows a browser may ask for; a bigger terminal is a way to eat the server's memory."""
MAX_MESSAGE = 1 << 20
CLOSE_TIMEOUT_S = 2.0
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


def _cells(value: object, default: int) -> int:
    try:
        number = int(str(value))
    except ValueError:
        return default
    return max(1, min(MAX_CELLS, number))


def message_page(status: int, title: str, text: str) -> web.Response:
    """A small self-contained HTML page: the refusals and the "too many sessions" page."""
    body = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>readlist: {html.escape(title)}</title></head>"
        "<body style='font-family: sans-serif; max-width: 40em; margin: 4em auto'>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>"
    )
    return web.Response(status=status, text=body, content_type="text/html")


class ReadlistServer(Server):
    """Serves `argv` (one process per tab) to whoever holds the token, from the right host."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        host: str,
        port: int,
        max_sessions: int,
        title: str = "readlist",
    ) -> None:
        super().__init__(
            shlex.join(argv), host=host, port=port, title=title, statics_path=STATIC_DIR
        )
        self.argv = list(argv)
        self.sessions = SessionLimit(max_sessions)
        self.guard: Guard | None = None
        self.websockets: set[web.WebSocketResponse] = set()
        self.page = Template(files("readlist.serve").joinpath("page.html").read_text("utf-8"))
        self._runner: web.AppRunner | None = None

    # ---- running -----------------------------------------------------------------------

    async def start(self) -> Guard:
        """Listen, then make the secrets for the port actually bound; the guard to print."""
        runner = web.AppRunner(
            await self._make_app(), handle_signals=False, access_log=None, shutdown_timeout=2.0
        )
        await runner.setup()
        self._runner = runner
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        ports = {address[1] for address in runner.addresses}
        port = min(ports) if ports else self.port  # `localhost` binds 127.0.0.1 and ::1
        self.port = port
        self.guard = Guard(self.host, port)
        return self.guard

    async def close(self) -> None:
        """Close every tab and stop every app (bounded), then stop listening."""
        for websocket in list(self.websockets):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(websocket.close(), CLOSE_TIMEOUT_S)
        services = list(self.sessions.active)
        if services:
            await asyncio.wait(
                [asyncio.ensure_future(service.stop()) for service in services],
                timeout=QUIT_GRACE_S * 2 + TERM_GRACE_S * 2 + 1,
            )
        if self._runner is not None:
            await self._runner.cleanup()

    async def on_startup(self, app: web.Application) -> None:
        """textual-serve prints a logo and a URL without the token here; readlist prints its own."""

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard_middleware], client_max_size=MAX_MESSAGE)
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.get("/favicon.ico", self.handle_favicon),
                web.static("/static", self.statics_path, show_index=False, name="static"),
            ]
        )
        app.on_response_prepare.append(self._security_headers)
        return app

    # ---- the guard -----------------------------------------------------------------------

    @web.middleware
    async def _guard_middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Host first (no DNS rebinding), then the token exchange, then the cookie."""
        guard = self.guard
        if guard is None or not guard.host_allowed(request.headers.get("Host")):
            return message_page(403, "Wrong host", "This server answers only to its own address.")
        token = request.query.get("token")
        if token is not None and request.path == "/":
            if not guard.token_matches(token):
                return message_page(
                    403,
                    "Wrong link",
                    "This link's token is not this server's: copy the link readlist serve printed.",
                )
            redirect = web.HTTPSeeOther("/")
            redirect.set_cookie(
                guard.cookie_name, guard.cookie_value, httponly=True, samesite="Strict", path="/"
            )
            return redirect
        if not guard.cookie_matches(request.cookies.get(guard.cookie_name)):
            return message_page(
                403,
                "Not allowed",
                "Open the link readlist serve printed (the one with "
                "?token=...): it lets this browser in.",
            )
        response: web.StreamResponse = await handler(request)
        return response

    async def _security_headers(self, request: web.Request, response: web.StreamResponse) -> None:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if not request.path.startswith("/static/"):
            headers.setdefault("Cache-Control", "no-store")
        if response.content_type == "text/html":
            headers.setdefault("Content-Security-Policy", CSP)

    # ---- the page and the websocket -----------------------------------------------------------

    async def handle_favicon(self, request: web.Request) -> web.Response:
        """No icon, and no 404 in the browser's console for the one every page asks for."""
        return web.Response(status=204)

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        """textual-serve's download, with the file name quoted (RFC 6266): it writes the name
        bare into Content-Disposition, so a name with a space or `;` was cut short."""
        key = request.match_info["key"]
        try:
            meta = await self.download_manager.get_download_metadata(key)
        except KeyError:
            raise web.HTTPNotFound(text="readlist: no such download") from None
        response = web.StreamResponse()
        response.content_type = meta.mime_type or "application/octet-stream"
        if meta.encoding:
            response.charset = meta.encoding
        disposition = "inline" if meta.open_method == "browser" else "attachment"
        plain = "".join(c if c.isalnum() or c in "._-" else "_" for c in meta.file_name)
        response.headers["Content-Disposition"] = (
            f"{disposition}; filename=\"{plain}\"; filename*=UTF-8''{quote(meta.file_name)}"
        )
        await response.prepare(request)
        async for chunk in self.download_manager.download(key):
            await response.write(chunk)
        await response.write_eof()
        return response

    def _too_many(self) -> web.Response:
        limit = self.sessions.limit
        return message_page(
            503,
            "Too many readlist tabs",
            f"readlist is already open in {limit} tab{'s' if limit != 1 else ''}, the most this "
            "server allows (readlist serve --max-sessions). Close one, then reload this page.",
        )

    async def handle_index(self, request: web.Request) -> web.Response:
        if self.sessions.full:
            return self._too_many()
        host = request.headers["Host"]  # the guard has checked it
        page = self.page.substitute(
            websocket_url=html.escape(f"ws://{host}/ws"),
            font_size=_font_size(request),
        )
        return web.Response(text=page, content_type="text/html")

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        guard = self.guard
        assert guard is not None  # the middleware refused every request until it was made
        host = request.headers.get("Host")
        if not guard.origin_allowed(request.headers.get("Origin"), host):
            raise web.HTTPForbidden(text="readlist: this page's origin may not open a session")
        if not self.sessions.take():
            raise web.HTTPServiceUnavailable(text="readlist: too many sessions at once")
        websocket = web.WebSocketResponse(
            heartbeat=15, timeout=CLOSE_TIMEOUT_S, max_msg_size=MAX_MESSAGE
        )
        width = _cells(request.query.get("width", "80"), 80)
        height = _cells(request.query.get("height", "24"), 24)
        service: AppProcess | None = None

        async def close_tab() -> None:
            await websocket.close()

        try:
            await websocket.prepare(request)
            self.websockets.add(websocket)
            service = AppProcess(
                self.argv,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=close_tab,
                download_manager=self.download_manager,
                environment={"READLIST_WEB_ORIGIN": f"http://{host}"},
            )
            self.sessions.active.add(service)
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("session failed")
        finally:
            if service is not None:
                await asyncio.shield(service.stop())
                self.sessions.active.discard(service)
            self.websockets.discard(websocket)
            self.sessions.give_back()
        return websocket

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: Any) -> None:
        """textual-serve's loop, but a malformed message is dropped, never a crash or a resize
        to a million columns."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
            except ValueError:
                continue
            if not isinstance(envelope, list) or not envelope:
                continue
            kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                await app_service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await app_service.set_terminal_size(
                    _cells(data.get("width"), 80), _cells(data.get("height"), 24)
                )
            elif kind == "ping" and isinstance(data, str):
                await websocket.send_json(["pong", data[:64]])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()


def _font_size(request: web.Request) -> int:
    """`?fontsize=` as textual-serve takes it, kept to sizes a person would ask for."""
    try:
        size = int(request.query.get("fontsize", "16"))
    except ValueError:
        return 16
    return max(8, min(48, size))
