"""A hostile web on loopback: what a crawler meets on a bad day, in one small site.

Routes (every loop here is bounded in count and time and ends by itself):

    /robots.txt                 allows everything
    /feed.xml                   a few normal articles, plus links to every trap below and
                                to private addresses (10/8, 172.16/12, 192.168/16, the
                                cloud metadata address, fd00::/8) that must be refused
    /huge-feed.xml              an RSS feed with 100,000 items
    /sitemap-index.xml          a sitemap index that lists itself, and an endless chain of
                                new index URLs (?again=1, ?again=2, ...)
    /loop/<n>                   302 to /loop/<n+1>, forever
    /cycle/a, /cycle/b          302 to each other
    /big.html                   a 50 MB page (streamed; the server stops when the client does)
    /slow.html                  slowloris: headers, then one body byte every 0.5 s
    /slow-headers.html          slowloris on the header block itself
    /article/<n>, /many/<n>     small, ordinary article pages

Each trap is served from its own loopback address (see `HostileWeb`). The private
addresses are only ever written into documents; nothing here connects to them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]

HUGE_FEED_ITEMS = 100_000
BIG_PAGE_BYTES = 50_000_000
SLOW_BYTE_INTERVAL = 0.5
SLOW_MAX_SECONDS = 60.0  # a slow response gives up by itself even if nobody hangs up
NORMAL_ARTICLES = 5
FIRST_ADDRESS = 20  # 127.0.0.20 and up
PRIVATE_TARGETS = (
    "http://10.20.30.40/leak",
    "http://172.16.5.4/admin",
    "http://192.168.1.1/router",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00::1]/internal",
)
TRAP_PATHS = (
    "loop/0",
    "cycle/a",
    "big.html",
    "slow.html",
    "slow-headers.html",
)
HOSTS = ("feed", "huge", "sitemap", *TRAP_PATHS)
PARAGRAPH = (
    "Moscow and Beijing signed a new energy agreement in Vladivostok on Tuesday, "
    "extending the Power of Siberia pipeline and deepening Russia's pivot to Asia. "
)


def article_page(title: str) -> bytes:
    body = "".join(f"<p>{PARAGRAPH}{n}</p>" for n in range(8))
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>{title}</title></head>"
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


def rss(items: list[tuple[str, str]], published: str) -> bytes:
    entries = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<pubDate>{published}</pubDate></item>"
        for title, link in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Hostile</title><link>http://example.invalid/</link>{entries}"
        "</channel></rss>"
    ).encode()


def sitemap_index(locations: list[str]) -> bytes:
    entries = "".join(f"<sitemap><loc>{escape(loc)}</loc></sitemap>" for loc in locations)
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{entries}</sitemapindex>"
    ).encode()


class HostileWeb:
    """The hostile site: each feed, the sitemap and each trap on its own loopback address.

    Every address serves every route; spreading the traps over hosts lets a polite crawler
    (one request at a time per host) meet them in parallel, so a drill stays short.
    """

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.requests: list[str] = []
        self.big_bytes_sent = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []

    def start(self) -> HostileWeb:
        for offset in range(len(HOSTS)):
            server = _bind(f"127.0.0.{FIRST_ADDRESS + offset}", _handler_for(self))
            thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
            thread.start()
            self._servers.append(server)
        return self

    def stop(self) -> None:
        self.stopping.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers = []

    def __enter__(self) -> HostileWeb:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base(self) -> str:
        return self._base_of(0)

    def url(self, host: str, path: str) -> str:
        return self._base_of(HOSTS.index(host)) + path

    def _base_of(self, index: int) -> str:
        assert self._servers, "start() the hostile web first"
        host, port = self._servers[index].server_address[:2]
        return f"http://{host}:{port}/"

    def trap_urls(self) -> dict[str, str]:
        return {path: self.url(path, path) for path in TRAP_PATHS}

    def article_urls(self) -> list[str]:
        return [f"{self.base}article/{n}" for n in range(NORMAL_ARTICLES)]

    def sources_toml(self, with_huge_feed: bool = True) -> str:
        """Three sources, so the huge feed's 100,000 items never crowd out the traps."""
        entries = [
            _source_entry("hostile", self.base, f'feeds = ["{self.base}feed.xml"]'),
            _source_entry(
                "hostile-sitemap",
                self.url("sitemap", ""),
                f'sitemaps = ["{self.url("sitemap", "sitemap-index.xml")}"]',
            ),
        ]
        if with_huge_feed:
            home = self.url("huge", "")
            entries.append(_source_entry("hostile-huge", home, f'feeds = ["{home}huge-feed.xml"]'))
        return "\n".join(entries)

    def record(self, path: str) -> None:
        with self._lock:
            self.requests.append(path)

    def add_big_bytes(self, count: int) -> None:
        with self._lock:
            self.big_bytes_sent += count

    @property
    def published(self) -> str:
        moment = dt.datetime.combine(self.today, dt.time(6), tzinfo=dt.UTC)
        return moment.strftime("%a, %d %b %Y %H:%M:%S +0000")

    def main_feed(self) -> bytes:
        items = [(f"Article {n}", url) for n, url in enumerate(self.article_urls())]
        items += [(f"Trap {path}", url) for path, url in self.trap_urls().items()]
        items += [(f"Private {n}", url) for n, url in enumerate(PRIVATE_TARGETS)]
        return rss(items, self.published)

    @cached_property
    def huge_feed(self) -> bytes:
        base = self.url("huge", "")
        items = [(str(n), f"{base}many/{n}") for n in range(HUGE_FEED_ITEMS)]
        return rss(items, self.published)

    def sitemap(self, again: int) -> bytes:
        base = self.url("sitemap", "sitemap-index.xml")
        return sitemap_index([base, f"{base}?again={again + 1}"])


def _handler_for(web: HostileWeb) -> type[BaseHTTPRequestHandler]:
    class HostileHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - name fixed by http.server
            web.record(self.path)
            try:
                self._route()
            except (BrokenPipeError, ConnectionResetError):
                return  # the client gave up, which is what a good crawler does here

        def _route(self) -> None:
            path, _, query = self.path.partition("?")
            if path == "/slow-headers.html":
                return self._drip_headers()
            if path == "/slow.html":
                return self._drip_body()
            if path == "/big.html":
                return self._stream_big_page()
            if path.startswith("/loop/"):
                return self._redirect(f"/loop/{_number(path) + 1}")
            if path.startswith("/cycle/"):
                return self._redirect("/cycle/b" if path.endswith("/a") else "/cycle/a")
            self._send(*_document(web, path, query))

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _stream_big_page(self) -> None:
            chunk = b"<p>" + b"x" * 65_530 + b"</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(BIG_PAGE_BYTES))
            self.end_headers()
            sent = 0
            while sent < BIG_PAGE_BYTES and not web.stopping.is_set():
                piece = chunk[: BIG_PAGE_BYTES - sent]
                self.wfile.write(piece)
                sent += len(piece)
                web.add_big_bytes(len(piece))

        def _drip_body(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self._drip(b"<html><body>" + b"." * 99_988)

        def _drip_headers(self) -> None:
            self._drip(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Padding: " + b"." * 10_000)

        def _drip(self, payload: bytes) -> None:
            deadline = time.monotonic() + SLOW_MAX_SECONDS
            for byte in payload:
                if web.stopping.wait(SLOW_BYTE_INTERVAL) or time.monotonic() > deadline:
                    break
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return  # the request list on HostileWeb is the log

    return HostileHandler


def _source_entry(name: str, homepage: str, endpoints: str) -> str:
    return (
        f'[[source]]\nname = "{name}"\ntitle = "{name}"\nhomepage = "{homepage}"\n'
        f'source_type = "news"\n{endpoints}\n'
    )


def _bind(address: str, handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    try:
        server = ThreadingHTTPServer((address, 0), handler)
    except OSError:  # a system without the whole of 127.0.0.0/8 on loopback
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    # A crawler hanging up on a trap is the expected outcome, not an error to print.
    server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
    return server


def _number(path: str) -> int:
    tail = path.rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _document(web: HostileWeb, path: str, query: str) -> tuple[int, str, bytes]:
    if path == "/robots.txt":
        return 200, "text/plain", b"User-agent: *\nAllow: /\n"
    if path == "/feed.xml":
        return 200, "application/rss+xml", web.main_feed()
    if path == "/huge-feed.xml":
        return 200, "application/rss+xml", web.huge_feed
    if path == "/sitemap-index.xml":
        again = int(query.split("=", 1)[1]) if query.startswith("again=") else 0
        return 200, "application/xml", web.sitemap(again)
    if path.startswith(("/article/", "/many/")):
        return 200, "text/html; charset=utf-8", article_page(f"Pipeline deal {path}")
    return 404, "text/html", b"<h1>not found</h1>"


# Running the real crawler against a local web, as a user would: a subprocess with a
# settings file, so drills see exit codes, stderr and peak memory exactly as cron would.


@dataclass(frozen=True)
class CrawlRun:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float  # the largest single process (the child or a reaped descendant)
    peak_tree_rss_mb: float  # the child and all its descendants together, sampled
    timed_out: bool


def write_settings(folder: Path, sources_toml: str, db: Path, **crawl: object) -> Path:
    """A settings file for a loopback web: loopback allowed, no delay unless given."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sources.toml").write_text(sources_toml, encoding="utf-8")
    values = {"allow_networks": ["127.0.0.0/8"], "min_delay": 0, "timeout": 5.0, **crawl}
    lines = [
        f"db = {json.dumps(str(db))}",
        'sources = "sources.toml"',
        f"themes = {json.dumps(str(ROOT / 'config' / 'themes.toml'))}",
        "",
        "[crawl]",
        *(f"{key} = {json.dumps(value)}" for key, value in values.items()),
    ]
    path = folder / "settings.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def crawl_command(settings: Path, *extra: str) -> list[str]:
    pivotwatch = Path(sys.executable).with_name("pivotwatch")
    return [str(pivotwatch), "--config", str(settings), "crawl", "--backfill", *extra]


def run_measured(
    command: list[str], timeout: float, preexec_fn: Callable[[], None] | None = None
) -> CrawlRun:
    """Run a command to the end (killed at `timeout`), with its own peak RSS from wait4."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=out, stderr=err, preexec_fn=preexec_fn)
        status, usage, timed_out, tree_kb = _wait_with_usage(process, started + timeout)
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        return CrawlRun(
            returncode=os.waitstatus_to_exitcode(status),
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            seconds=seconds,
            peak_rss_mb=usage.ru_maxrss / 1024,  # Linux reports KiB
            peak_tree_rss_mb=max(tree_kb, usage.ru_maxrss) / 1024,
            timed_out=timed_out,
        )


def _wait_with_usage(process: subprocess.Popen, deadline: float) -> tuple[int, Any, bool, int]:
    timed_out, tree_kb = False, 0
    while True:
        # Sampled before reaping: worker processes' memory adds up, which wait4 cannot show.
        tree_kb = max(tree_kb, tree_rss_kb(process.pid))
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return status, usage, timed_out, tree_kb
        if time.monotonic() > deadline and not timed_out:
            process.kill()
            timed_out = True
        time.sleep(0.05)


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants now, from /proc (Linux)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue  # gone meanwhile
        total += next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0
        )
        pending += [int(child) for child in children]
    return total
