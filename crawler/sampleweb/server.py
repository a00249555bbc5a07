"""Real HTTP servers for the sample sites: one ThreadingHTTPServer per site."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .routes import Reply

Responder = Callable[[str, dict[str, str]], Reply]
RequestLogger = Callable[[str, str], None]


def bind_server(address: str, fallback: str) -> ThreadingHTTPServer:
    """Bind an ephemeral port on ``address``; use ``fallback`` where that address is missing."""
    try:
        return ThreadingHTTPServer((address, 0), BaseHTTPRequestHandler)
    except OSError:
        return ThreadingHTTPServer((fallback, 0), BaseHTTPRequestHandler)


def handler_for(respond: Responder, log_request: RequestLogger) -> type[BaseHTTPRequestHandler]:
    class SiteRequestHandler(BaseHTTPRequestHandler):
        server_version = "sampleweb/1.0"
        sys_version = ""

        def do_GET(self) -> None:  # noqa: N802 - name fixed by http.server
            self._answer(with_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(with_body=False)

        def _answer(self, with_body: bool) -> None:
            log_request(self.command, self.path)
            # Header names are matched in title case whatever case the client sent.
            headers = {name.title(): value for name, value in self.headers.items()}
            reply = respond(self.path, headers)
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if with_body:
                self.wfile.write(reply.body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            # The request log is kept in memory for tests; stderr stays quiet.
            return

    return SiteRequestHandler


def serve_in_background(server: ThreadingHTTPServer, name: str) -> threading.Thread:
    # A short poll interval keeps stop() quick; seven servers shut down one after another.
    serve = partial(server.serve_forever, poll_interval=0.05)
    thread = threading.Thread(target=serve, name=f"sampleweb-{name}", daemon=True)
    thread.start()
    return thread
