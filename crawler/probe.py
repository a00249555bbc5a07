"""`probe`: check each configured source live, so the source list can be corrected.

For every source: robots.txt (its Sitemap lines and Crawl-delay), then each feed, sitemap,
listing and the WordPress API under the source's User-Agent: HTTP status, item count and,
for feeds and the API, whether items carry full text (median words of content > 150).
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
from dataclasses import dataclass
from typing import Any

from crawler.clock import Clock
from crawler.discover import (
    DiscoveryError,
    feed_word_counts,
    parse_feed,
    parse_listing,
    parse_sitemap,
    wordpress_urls,
)
from crawler.errors import FetchError, HTTPStatusError
from crawler.fetch import Fetcher, FetchLimits, Identity, Page
from crawler.netguard import NetworkPolicy
from crawler.politeness import HostPacer
from crawler.settings import CrawlSettings, Source

FULL_TEXT_WORDS = 150
COLUMNS = ("source", "kind", "status", "items", "full text", "url", "note")


@dataclass
class ProbeRow:
    source: str
    kind: str
    url: str
    status: int | None = None
    items: int | None = None
    full_text: bool | None = None
    note: str = ""

    def cells(self) -> tuple[str, ...]:
        full = "" if self.full_text is None else ("yes" if self.full_text else "no")
        items = "" if self.items is None else str(self.items)
        status = "-" if self.status is None else str(self.status)
        return (self.source, self.kind, status, items, full, self.url, self.note)


def has_full_text(word_counts: list[int]) -> bool | None:
    return statistics.median(word_counts) > FULL_TEXT_WORDS if word_counts else None


def _post_words(post: Any) -> int:
    content = (post.get("content") or {}).get("rendered", "") if isinstance(post, dict) else ""
    return len(re.sub(r"<[^>]+>", " ", content).split())


class SourceProbe:
    def __init__(self, fetcher: Fetcher, source: Source, user_agent: str) -> None:
        self.fetcher = fetcher
        self.source = source
        self.who = Identity(source.name, source.user_agent or user_agent, dict(source.headers))

    async def run(self) -> list[ProbeRow]:
        rows = [await self.robots()]
        for url in self.source.feeds:
            rows.append(await self.endpoint("feed", url, self._feed))
        for url in self.source.sitemaps:
            rows.append(await self.endpoint("sitemap", url, self._sitemap))
        for listing in self.source.listings:
            rows.append(await self.endpoint("listing", listing.url, self._listing(listing)))
        if self.source.wordpress_api:
            rows.append(await self.wordpress())
        return rows

    async def robots(self) -> ProbeRow:
        row = ProbeRow(self.source.name, "robots", self.source.homepage + "robots.txt")
        try:
            rules = await self.fetcher.robots_rules(self.source.homepage, self.who)
        except FetchError as error:
            row.note = error.describe()
            return row
        delay = rules.crawl_delay(self.who.user_agent)
        sitemaps = rules.sitemaps()
        row.items = len(sitemaps)
        row.note = "; ".join(
            ([f"Crawl-delay {delay:g}"] if delay else []) + [f"Sitemap: {s}" for s in sitemaps]
        )
        row.status = 200 if rules.parser is not None else None
        if not allowed(rules, self.source.homepage, self.who.user_agent):
            row.note = ("homepage disallowed for our User-Agent; " + row.note).strip("; ")
        return row

    async def endpoint(self, kind: str, url: str, parse: Any) -> ProbeRow:
        row = ProbeRow(self.source.name, kind, url)
        try:
            page = await self.fetcher.fetch(url, self.who)
            row.status = page.status
            parse(row, page)
        except HTTPStatusError as error:
            row.status, row.note = error.status, error.describe()
        except (FetchError, DiscoveryError) as error:
            row.note = error.describe()
        return row

    def _feed(self, row: ProbeRow, page: Page) -> None:
        row.items = len(parse_feed(page.body, row.url, page.content_type))
        row.full_text = has_full_text(feed_word_counts(page.body))

    def _sitemap(self, row: ProbeRow, page: Page) -> None:
        content = parse_sitemap(page.body, row.url)
        row.items = len(content.articles) + len(content.sitemaps)
        if content.sitemaps:
            row.note = f"index of {len(content.sitemaps)} sitemaps"

    def _listing(self, listing: Any) -> Any:
        def parse(row: ProbeRow, page: Page) -> None:
            items, next_url = parse_listing(page.body, row.url, listing.links, listing.next)
            row.items = len(items)
            row.note = f"next page: {next_url}" if next_url else ""

        return parse

    async def wordpress(self) -> ProbeRow:
        row = ProbeRow(self.source.name, "api", "")
        for url in wordpress_urls(self.source.homepage, None):
            row.url = url
            row = await self.endpoint("api", url, self._posts)
            if row.items is not None:
                return row
        return row

    def _posts(self, row: ProbeRow, page: Page) -> None:
        try:
            posts = json.loads(page.body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise DiscoveryError(row.url, f"not JSON: {error}") from error
        if not isinstance(posts, list):
            raise DiscoveryError(row.url, "not a list of WordPress posts")
        row.items = len(posts)
        row.full_text = has_full_text([_post_words(post) for post in posts])


def allowed(rules: Any, url: str, user_agent: str) -> bool:
    return bool(rules.allows(url, user_agent))


def probe_sources(settings: CrawlSettings, sources: list[Source], clock: Clock) -> list[ProbeRow]:
    async def run() -> list[ProbeRow]:
        fetcher = Fetcher(
            clock,
            HostPacer(clock, settings.min_delay),
            NetworkPolicy.from_cidrs(settings.allow_networks),
            _discard,
            FetchLimits(settings.timeout, settings.max_bytes, settings.concurrency),
        )
        try:
            probes = [SourceProbe(fetcher, s, settings.user_agent).run() for s in sources]
            return [row for rows in await asyncio.gather(*probes) for row in rows]
        finally:
            await fetcher.close()

    return asyncio.run(run())


async def _discard(_row: dict[str, Any]) -> None:
    return None


def format_table(rows: list[ProbeRow]) -> str:
    table = [COLUMNS] + [row.cells() for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS) - 1)]
    lines = []
    for line in table:
        cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
        lines.append("  ".join([*cells, line[-1]]).rstrip())
    return "\n".join(lines)
