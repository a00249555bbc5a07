"""A real local HTTP server with scripted routes, for crawler tests.

Each `MockHost` listens on its own loopback address (127.0.0.2, 127.0.0.3, ...) so the
crawler sees distinct hosts. A route is a `Reply`, a list of replies played in order (the
last one repeats: "500 then 200"), or a function of the request. Replies can be slow,
hang, be cut short, or declare any headers. Every request is logged with its headers.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    hang: bool = False  # send headers, then nothing until the client gives up
    truncate: bool = False  # declare the full length, send half, close
    gzip: bool = False

    def payload(self) -> bytes:
        body = self.body.encode("utf-8") if isinstance(self.body, str) else self.body
        return gzip.compress(body) if self.gzip else body


def html(body: str, status: int = 200, charset: str = "utf-8", **extra: str) -> Reply:
    headers = {"Content-Type": f"text/html; charset={charset}", **extra}
    return Reply(status, body.encode(charset), headers)


def redirect(location: str, status: int = 301) -> Reply:
    return Reply(status, b"", {"Location": location})


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    at: float


Route = Reply | list[Reply] | Callable[[Request], Reply]


class MockHost:
    def __init__(self, address: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._plays: dict[str, int] = {}
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self.server = ThreadingHTTPServer((address, 0), _handler_for(self))
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,))
        self._thread.daemon = True
        self._thread.start()

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def url(self, path: str) -> str:
        return self.base + path.lstrip("/")

    def route(self, path: str, route: Route) -> MockHost:
        self.routes["/" + path.lstrip("/")] = route
        return self

    def paths(self) -> list[str]:
        with self._lock:
            return [request.path for request in self.requests]

    def close(self) -> None:
        self._closing.set()
        self.server.shutdown()
        self.server.server_close()

    def answer(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
        route = self.routes.get(request.path) or self.routes.get(urlsplit(request.path).path)
        if route is None:
            return Reply(404, b"not found", {"Content-Type": "text/plain"})
        if callable(route):
            return route(request)
        if isinstance(route, list):
            with self._lock:
                played = self._plays.get(request.path, 0)
                self._plays[request.path] = played + 1
            return route[min(played, len(route) - 1)]
        return route

    def wait_closing(self, seconds: float) -> None:
        self._closing.wait(seconds)


def _handler_for(host: MockHost) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - name fixed by http.server
            request = Request(self.path, dict(self.headers.items()), time.monotonic())
            reply = host.answer(request)
            if reply.delay:
                host.wait_closing(reply.delay)
            body = reply.payload()
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.gzip:
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            if reply.truncate or reply.hang:
                self.send_header("Connection", "close")
            self.end_headers()
            self._write_body(reply, body)

        def _write_body(self, reply: Reply, body: bytes) -> None:
            if reply.hang:
                self.wfile.write(body[:10])
                self.wfile.flush()
                host.wait_closing(5)
            elif reply.truncate:
                self.wfile.write(body[: len(body) // 2])
                self.close_connection = True
            else:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    return Handler


class MockWeb:
    """Several hosts, one per loopback address, closed together."""

    def __init__(self) -> None:
        self.hosts: list[MockHost] = []

    def host(self) -> MockHost:
        host = MockHost(f"127.0.0.{len(self.hosts) + 2}")
        self.hosts.append(host)
        return host

    def close(self) -> None:
        for host in self.hosts:
            host.close()
