"""A plain crawler with trafilatura doing the extraction: the baseline pivotwatch is compared with.

What it does, and nothing more:
- reads the same `sources.toml` as pivotwatch and, for each source, its `feeds` (RSS or Atom,
  parsed by feedparser) and `sitemaps` (a urlset, or a sitemap index followed one level);
- fetches every article URL it has not stored before with httpx: at most `concurrency`
  requests at once (pivotwatch's `crawl.concurrency`), one at a time per host, no delay
  (the benchmark runs pivotwatch with `min_delay = 0` too), a 20 s timeout;
- extracts the text with `trafilatura.extract` (defaults; no metadata: `extract_metadata`
  cost 0.3 s per page here, six times the text extraction, so the title is the feed's);
- inserts `url, source, title, text, fetched` into one SQLite table (WAL, synchronous=NORMAL,
  a commit per article, as pivotwatch does).

What it does not do, and pivotwatch does: robots.txt, conditional GET (ETag/Last-Modified),
retries and Retry-After, private-address checks, body size limits, listing pages and the
WordPress API, charset repair beyond httpx's, paywall/teaser flags, tagging, near-duplicate
detection, a full-text index, raw page storage for reprocessing, per-URL state and a log of
every request. Extraction runs in the event loop's thread, like a simple script would.

    python tests/benchmarks/baseline_trafilatura.py SOURCES_TOML DB [--concurrency 8]

prints one JSON line: {"new_articles": n, "requests": r, "seconds": s}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import time
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser
import httpx
import trafilatura

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS articles (id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, "
    "source TEXT NOT NULL, title TEXT, text TEXT, fetched TEXT NOT NULL)"
)


@dataclass
class BaselineCrawl:
    db: sqlite3.Connection
    client: httpx.AsyncClient
    concurrency: int
    requests: int = 0
    new_articles: int = 0
    host_locks: dict[str, asyncio.Lock] = field(default_factory=lambda: defaultdict(asyncio.Lock))
    titles: dict[str, str] = field(default_factory=dict)

    async def get(self, url: str) -> httpx.Response | None:
        host = urlsplit(url).netloc
        async with self.host_locks[host]:
            self.requests += 1
            try:
                response = await self.client.get(url)
            except httpx.HTTPError:
                return None
        return response if response.status_code == 200 else None

    async def discover(self, source: dict) -> list[str]:
        urls: list[str] = []
        for feed in source.get("feeds", []):
            response = await self.get(feed)
            if response is not None:
                parsed = feedparser.parse(response.content)
                links = [entry for entry in parsed.entries if entry.get("link")]
                self.titles.update({entry.link: entry.get("title") for entry in links})
                urls += [entry.link for entry in links]
        for sitemap in source.get("sitemaps", []):
            urls += await self.sitemap_urls(sitemap, depth=1)
        return list(dict.fromkeys(urls))

    async def sitemap_urls(self, url: str, depth: int) -> list[str]:
        response = await self.get(url)
        if response is None:
            return []
        try:
            root = ElementTree.fromstring(response.content)
        except ElementTree.ParseError:
            return []
        locations = [loc.text.strip() for loc in root.iter(f"{SITEMAP_NS}loc") if loc.text]
        if root.tag != f"{SITEMAP_NS}sitemapindex":
            return locations
        if depth == 0:
            return []
        found: list[str] = []
        for child in locations:
            found += await self.sitemap_urls(child, depth - 1)
        return found

    def is_stored(self, url: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE url = ?", [url]).fetchone() is not None

    async def fetch_article(self, url: str, source: str, gate: asyncio.Semaphore) -> None:
        async with gate:
            response = await self.get(url)
        if response is None:
            return
        text = trafilatura.extract(response.text, url=url) or ""
        title = self.titles.get(url)
        fetched = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.db.execute(
            "INSERT OR IGNORE INTO articles (url, source, title, text, fetched) VALUES (?,?,?,?,?)",
            [url, source, title, text, fetched],
        )
        self.db.commit()
        self.new_articles += 1

    async def crawl_source(self, source: dict, gate: asyncio.Semaphore) -> None:
        urls = [url for url in await self.discover(source) if not self.is_stored(url)]
        await asyncio.gather(*(self.fetch_article(url, source["name"], gate) for url in urls))

    async def run(self, sources: list[dict]) -> None:
        gate = asyncio.Semaphore(self.concurrency)
        await asyncio.gather(*(self.crawl_source(source, gate) for source in sources))


def open_baseline_db(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute(SCHEMA)
    return db


async def crawl(sources_path: Path, db_path: Path, concurrency: int) -> dict[str, float]:
    sources = tomllib.loads(sources_path.read_text(encoding="utf-8")).get("source", [])
    started = time.perf_counter()
    limits = httpx.Limits(max_connections=concurrency * 4)
    async with httpx.AsyncClient(timeout=20.0, limits=limits, trust_env=False) as client:
        baseline = BaselineCrawl(open_baseline_db(db_path), client, concurrency)
        await baseline.run([source for source in sources if source.get("enabled", True)])
    seconds = time.perf_counter() - started
    return {
        "new_articles": baseline.new_articles,
        "requests": baseline.requests,
        "seconds": round(seconds, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", type=Path)
    parser.add_argument("db", type=Path)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    result = asyncio.run(crawl(args.sources, args.db, args.concurrency))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
