"""Crawl benchmark: a local web of realistic pages, crawled by `pivotwatch crawl` twice.

Builds HOSTS sites on loopback (127.0.0.40, .41, ...), each listing ARTICLES articles in an
RSS feed or a sitemap; the pages are real pages from the WCXB development set (50-150 KB
of HTML, 600-1,500 words), served by a threaded HTTP server in this process. The crawl
runs in a subprocess (`pivotwatch --config <tmp> crawl`, min_delay 0) whose peak RSS is
read from `RUSAGE_CHILDREN` by a small wrapper process, so each run is measured alone.

Reports articles/s, requests per article, peak RSS, the cost of a second pass with
nothing new, and peak RSS of a pass over a database already holding 100,000 articles.

    python tests/benchmarks/bench_crawl.py [--hosts 20] [--articles 250]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PAGES = Path("/work/shared/extraction/wcxb/dev/html")
RESULTS = ROOT / "bench-results" / "crawl.md"
PIVOTWATCH = ROOT / ".venv" / "bin" / "pivotwatch"
THEMES = ROOT / "config" / "themes.toml"
STORED_ARTICLES = 100_000
CANONICAL = re.compile(rb"<link[^>]+rel=[\"']?canonical[^>]*>|<meta[^>]+og:url[^>]*>", re.I)

WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"seconds": time.perf_counter() - start, "code": done.returncode,
                  "stdout": done.stdout[-2000:], "stderr": done.stderr[-2000:],
                  "peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def realistic_pages(limit: int) -> list[bytes]:
    """Pages of 50-150 KB with 600-1,500 words of visible text."""
    chosen = []
    for path in sorted(PAGES.glob("*.html.gz")):
        body = gzip.decompress(path.read_bytes())
        if not 50_000 <= len(body) <= 150_000:
            continue
        text = re.sub(rb"<(script|style)[^>]*>.*?</\1>|<[^>]+>", b" ", body, flags=re.S | re.I)
        if 600 <= len(text.split()) <= 1_500:
            chosen.append(body)
        if len(chosen) == limit:
            break
    return chosen


class Site:
    def __init__(self, index: int, articles: int, pages: list[bytes], today: dt.datetime) -> None:
        self.index = index
        self.articles = articles
        self.pages = pages
        self.today = today
        self.kind = "feed" if index % 2 == 0 else "sitemap"
        self.requests: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer((f"127.0.0.{40 + index}", 0), self.handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def article_url(self, n: int) -> str:
        return f"{self.base}{2025 + n % 2}/story-{self.index}-{n}.html"

    def date(self, n: int) -> dt.datetime:
        return self.today - dt.timedelta(hours=n)

    def listing(self) -> tuple[str, bytes]:
        if self.kind == "feed":
            items = "".join(
                f"<item><title>Story {n}</title><link>{self.article_url(n)}</link>"
                f"<guid>{self.article_url(n)}</guid>"
                f"<pubDate>{self.date(n).strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate></item>"
                for n in range(self.articles)
            )
            return (
                "application/rss+xml",
                f'<rss version="2.0"><channel>{items}</channel></rss>'.encode(),
            )
        urls = "".join(
            f"<url><loc>{self.article_url(n)}</loc><lastmod>{self.date(n):%Y-%m-%dT%H:%M:%SZ}</lastmod></url>"
            for n in range(self.articles)
        )
        xml = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        return "application/xml", xml.encode()

    def respond(self, path: str) -> tuple[int, str, bytes]:
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nDisallow: /private/\n"
        if path in ("/feed.xml", "/sitemap.xml"):
            return (200, *self.listing())
        found = re.fullmatch(rf"/\d{{4}}/story-{self.index}-(\d+)\.html", path)
        if found:
            return 200, "text/html; charset=utf-8", self.page(int(found.group(1)))
        return 404, "text/plain", b"not found"

    def page(self, n: int) -> bytes:
        """A real page made unique: its own title line, and no canonical link to share."""
        page = self.pages[(n + self.index * 7) % len(self.pages)]
        page = CANONICAL.sub(b"", page)
        unique = f"<h1>Story {self.index}-{n}</h1><p>Dispatch {self.index}-{n}.</p>".encode()
        return re.sub(rb"(<body[^>]*>)", lambda m: m.group(1) + unique, page, count=1, flags=re.I)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                with site.lock:
                    site.requests[self.path] += 1
                status, content_type, body = site.respond(self.path)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return

        return Handler

    def source_toml(self) -> str:
        endpoint = "feeds" if self.kind == "feed" else "sitemaps"
        path = "feed.xml" if self.kind == "feed" else "sitemap.xml"
        return (
            f'[[source]]\nname = "bench{self.index:02d}"\ntitle = "Bench {self.index}"\n'
            f'homepage = "{self.base}"\nsource_type = "news"\n{endpoint} = ["{self.base}{path}"]\n'
        )


def write_config(folder: Path, sites: list[Site], per_pass: int) -> Path:
    (folder / "sources.toml").write_text("\n".join(site.source_toml() for site in sites))
    settings = folder / "settings.toml"
    settings.write_text(
        f'db = "pivotwatch.db"\nthemes = "{THEMES}"\n[crawl]\nmin_delay = 0\n'
        f"max_articles_per_pass = {per_pass}\nmax_age_days = 30\n"
        'allow_networks = ["127.0.0.0/8"]\n'
    )
    return settings


def run_crawl(settings: Path) -> dict:
    command = [str(PIVOTWATCH), "--config", str(settings), "crawl"]
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command], capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout)
    if result["code"] != 0:
        raise SystemExit(f"crawl failed: {result['stderr']}")
    return result


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(sql).fetchone()[0])


def total_requests(sites: list[Site]) -> tuple[int, int]:
    """(all requests, article page requests) the sites have answered so far."""
    everything = sum(sum(site.requests.values()) for site in sites)
    articles = sum(n for site in sites for path, n in site.requests.items() if "/story-" in path)
    return everything, articles


def seed_stored_articles(db: Path, sites: list[Site]) -> None:
    """Rows written directly: 100,000 stored articles with their URLs, spread over the sites."""
    sys.path.insert(0, str(ROOT))
    from pipelines.store import open_database

    database = open_database(db)
    database["sources"].insert_all(
        [
            {"name": f"bench{s.index:02d}", "title": "b", "homepage": s.base, "source_type": "news"}
            for s in sites
        ],
        pk="name",
        replace=True,
    )
    words = ["russia", "china", "pacific", "fleet", "energy", "trade", "summit"]
    conn = database.conn
    with conn:
        conn.executemany(
            "INSERT INTO articles (id, url, source, title, fetched, text, word_count, "
            "content_hash) "
            "VALUES (?, ?, ?, ?, '2025-01-01T00:00:00Z', ?, 60, ?)",
            (
                (
                    n,
                    f"{sites[n % len(sites)].base}old/{n}.html",
                    f"bench{n % len(sites):02d}",
                    f"Old story {n}",
                    " ".join(words[(n + i) % 7] for i in range(60)) + f" {n}",
                    f"{n:040x}",
                )
                for n in range(1, STORED_ARTICLES + 1)
            ),
        )
        conn.execute(
            "INSERT INTO urls (url, source, first_seen, state, article_id) "
            "SELECT url, source, fetched, 'stored', id FROM articles"
        )
    conn.close()


def measure(sites: list[Site], settings: Path) -> dict:
    before = total_requests(sites)
    result = run_crawl(settings)
    after = total_requests(sites)
    result["requests"], result["article_requests"] = after[0] - before[0], after[1] - before[1]
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--articles", type=int, default=250)
    args = parser.parse_args()
    pages = realistic_pages(120)
    today = dt.datetime.now(dt.UTC).replace(microsecond=0)
    sites = [Site(i, args.articles, pages, today) for i in range(args.hosts)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "fresh"
        fresh.mkdir()
        settings = write_config(fresh, sites, args.articles)
        first = measure(sites, settings)
        db = fresh / "pivotwatch.db"
        stored = count(db, "SELECT count(*) FROM articles")
        second = measure(sites, settings)
        loaded = Path(tmp) / "loaded"
        loaded.mkdir()
        seed_stored_articles(loaded / "pivotwatch.db", sites)
        loaded_settings = write_config(loaded, sites, args.articles)
        third = measure(sites, loaded_settings)
        loaded_stored = count(loaded / "pivotwatch.db", "SELECT count(*) FROM articles")
    endpoints = len(sites)
    rows = [
        ("first pass: articles stored", f"{stored} of {args.hosts * args.articles}"),
        ("first pass: seconds", f"{first['seconds']:.1f}"),
        ("first pass: articles/s", f"{stored / first['seconds']:.1f}"),
        ("first pass: requests per article", f"{first['requests'] / max(stored, 1):.3f}"),
        ("first pass: peak RSS (MB)", f"{first['peak_kb'] / 1024:.0f}"),
        (
            "second pass: requests",
            f"{second['requests']} ({endpoints} feeds/sitemaps, {endpoints} robots.txt)",
        ),
        ("second pass: article requests", str(second["article_requests"])),
        ("second pass: seconds", f"{second['seconds']:.1f}"),
        (f"pass over {STORED_ARTICLES:,} stored articles: articles now stored", str(loaded_stored)),
        (f"pass over {STORED_ARTICLES:,} stored articles: seconds", f"{third['seconds']:.1f}"),
        (
            f"pass over {STORED_ARTICLES:,} stored articles: peak RSS (MB)",
            f"{third['peak_kb'] / 1024:.0f}",
        ),
    ]
    report(rows, args)


def report(rows: list[tuple[str, str]], args: argparse.Namespace) -> None:
    command = (
        f"python tests/benchmarks/bench_crawl.py --hosts {args.hosts} --articles {args.articles}"
    )
    lines = [
        "# Crawl benchmark",
        "",
        f"{args.hosts} loopback hosts x {args.articles} articles (real WCXB pages, 50-150 KB), "
        f"`pivotwatch crawl` with min_delay 0; {os.cpu_count()} cores; `{command}`.",
        "",
        "| measure | value |",
        "|---|---|",
        *[f"| {name} | {value} |" for name, value in rows],
        "",
    ]
    text = "\n".join(lines)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
