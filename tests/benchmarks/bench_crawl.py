"""Crawl benchmark: a local web of realistic pages, crawled by `pivotwatch crawl` twice.

Builds HOSTS sites on loopback (127.0.0.40, .41, ...), each listing ARTICLES articles in an
RSS feed or a sitemap; the pages are real pages from the WCXB development set (50-150 KB
of HTML, 600-1,500 words), served by a threaded HTTP server in this process. The crawl
runs in a subprocess (`pivotwatch --config <tmp> crawl`, min_delay 0) whose peak RSS is
read from `RUSAGE_CHILDREN` by a small wrapper process, so each run is measured alone.

Reports articles/s, requests per article, peak RSS, the cost of a second pass with
nothing new, and peak RSS of a pass over a database already holding 100,000 articles.
One article in ten is a syndicated copy of a page other hosts serve too; the others are
distinct texts (`Site.page`). Peak RSS is the crawler process's; its analysis worker
processes are added in "with workers" (the process tree's resident memory, sampled
from /proc every 0.25 s).

    python tests/benchmarks/bench_crawl.py [--hosts 20] [--articles 250]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import itertools
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
COPY_EVERY = 10  # one article in ten is a syndicated copy of a page other hosts also serve
TEXT_RUN = re.compile(rb"(?<=>)[^<>]+(?=<)")  # text between two tags
WORD = re.compile(rb"\S+")
TAG = b"@tag@"  # replaced by each article's own marker when the page is served
CANONICAL = re.compile(rb"<link[^>]+rel=[\"']?canonical[^>]*>|<meta[^>]+og:url[^>]*>", re.I)

WRAPPER = """
import json, os, resource, subprocess, sys, tempfile, time

def tree_kb(root):
    # Resident KB of the process and all its descendants (analysis workers), from /proc.
    parents, rss = {}, {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                parents[int(pid)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{pid}/statm") as statm:
                rss[int(pid)] = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, IndexError, ValueError):
            continue
    tree, grew = {root}, True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= found
        grew = bool(found)
    return sum(rss.get(pid, 0) for pid in tree)

start = time.perf_counter()
with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
    child = subprocess.Popen(sys.argv[1:], stdout=out, stderr=err, text=True)
    tree_peak = 0
    while child.poll() is None:
        tree_peak = max(tree_peak, tree_kb(child.pid))
        time.sleep(0.25)
    seconds = time.perf_counter() - start
    out.seek(0)
    err.seek(0)
    stdout, stderr = out.read(), err.read()
print(json.dumps({"seconds": seconds, "code": child.returncode,
                  "stdout": stdout[-2000:], "stderr": stderr[-2000:],
                  "peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "tree_peak_kb": tree_peak}))
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


def marked(text: bytes) -> bytes:
    """The text with a tag placeholder after every other word, the first included: every
    word pair, within a run of text or across two, then differs from any other article's."""
    words = itertools.count()
    return WORD.sub(lambda m: m.group(0) + TAG if next(words) % 2 == 0 else m.group(0), text)


MARKED: dict[int, bytes] = {}  # page number -> the page with tag placeholders, made once


def marked_page(pages: list[bytes], number: int) -> bytes:
    if number not in MARKED:
        MARKED[number] = TEXT_RUN.sub(lambda m: marked(m.group(0)), pages[number])
    return MARKED[number]


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
        """A real page with its own title line and no canonical link to share.

        Every COPY_EVERY-th article keeps the original text, so it is a near-duplicate of
        the other hosts' copies of that page (syndication); in the others every other word
        is marked, so their texts are distinct pieces, as most articles of a real crawl
        are, at the same length.
        """
        number = (n + self.index * 7) % len(self.pages)
        page = self.pages[number]
        if n % COPY_EVERY:
            page = marked_page(self.pages, number).replace(TAG, f"q{self.index}q{n}".encode())
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


def per_pass(articles: int) -> int:
    """Room for every listed article and the full-story links some teaser pages carry, so
    the first pass leaves nothing queued and the second pass has nothing to fetch."""
    return 2 * articles


def write_config(folder: Path, sites: list[Site], budget: int) -> Path:
    (folder / "sources.toml").write_text("\n".join(site.source_toml() for site in sites))
    settings = folder / "settings.toml"
    settings.write_text(
        f'db = "pivotwatch.db"\nthemes = "{THEMES}"\n[crawl]\nmin_delay = 0\n'
        f"max_articles_per_pass = {budget}\nmax_age_days = 30\n"
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


def total_requests(sites: list[Site]) -> tuple[int, int, int]:
    """(all requests, article page requests, robots.txt requests) answered so far."""
    everything = sum(sum(site.requests.values()) for site in sites)
    articles = sum(n for site in sites for path, n in site.requests.items() if "/story-" in path)
    robots = sum(site.requests["/robots.txt"] for site in sites)
    return everything, articles, robots


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
    result["requests"], result["article_requests"], result["robots_requests"] = (
        now - then for now, then in zip(after, before, strict=True)
    )
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
        settings = write_config(fresh, sites, per_pass(args.articles))
        first = measure(sites, settings)
        db = fresh / "pivotwatch.db"
        stored = count(db, "SELECT count(*) FROM articles")
        second = measure(sites, settings)
        loaded = Path(tmp) / "loaded"
        loaded.mkdir()
        seed_stored_articles(loaded / "pivotwatch.db", sites)
        loaded_settings = write_config(loaded, sites, per_pass(args.articles))
        third = measure(sites, loaded_settings)
        loaded_stored = count(loaded / "pivotwatch.db", "SELECT count(*) FROM articles")
    endpoints = len(sites)
    rows = [
        ("first pass: articles stored", f"{stored} of {args.hosts * args.articles}"),
        ("first pass: seconds", f"{first['seconds']:.1f}"),
        ("first pass: articles/s", f"{stored / first['seconds']:.1f}"),
        ("first pass: requests per article", f"{first['requests'] / max(stored, 1):.3f}"),
        ("first pass: peak RSS (MB)", f"{first['peak_kb'] / 1024:.0f}"),
        ("first pass: peak RSS with workers (MB)", f"{first['tree_peak_kb'] / 1024:.0f}"),
        (
            "second pass: requests",
            f"{second['requests']} ({endpoints} feeds/sitemaps; "
            f"{second['robots_requests']} of them robots.txt)",
        ),
        ("second pass: article requests", str(second["article_requests"])),
        ("second pass: seconds", f"{second['seconds']:.1f}"),
        (f"pass over {STORED_ARTICLES:,} stored articles: articles now stored", str(loaded_stored)),
        (f"pass over {STORED_ARTICLES:,} stored articles: seconds", f"{third['seconds']:.1f}"),
        (
            f"pass over {STORED_ARTICLES:,} stored articles: peak RSS (MB)",
            f"{third['peak_kb'] / 1024:.0f}",
        ),
        (
            f"pass over {STORED_ARTICLES:,} stored articles: peak RSS with workers (MB)",
            f"{third['tree_peak_kb'] / 1024:.0f}",
        ),
        (
            f"pass over {STORED_ARTICLES:,} stored articles: articles/s",
            f"{(loaded_stored - STORED_ARTICLES) / third['seconds']:.1f}",
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
