"""One source's discovery: its feeds, sitemaps, listings and WordPress API, polled.

Endpoints are polled with conditional GET and a body hash; only a changed body is
parsed, and the new URLs it lists are queued together with the poll's validators.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from crawler.clock import iso
from crawler.discover import (
    DiscoveryError,
    Listed,
    parse_feed,
    parse_listing,
    parse_sitemap,
    parse_wordpress_posts,
    wordpress_urls,
)
from crawler.errors import FetchError, HTTPStatusError
from crawler.fetch import Page
from crawler.settings import Listing
from crawler.source_work import SourceWork

SITEMAP_MAX_BYTES = 50_000_000  # the sitemaps.org limit, larger than an article's
MAX_SITEMAP_DEPTH = 2


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


class SourceDiscovery(SourceWork):
    """Polls the source's endpoints and queues the new URLs they list."""

    async def discover(self) -> None:
        for url in self.source.feeds:
            await self._endpoint(self._feed, url)
        for url in self.source.sitemaps:
            await self._endpoint(partial(self._sitemap, depth=0), url)
        for listing in self.source.listings:
            await self._endpoint(partial(self._listing, listing), listing.url)
        if self.source.wordpress_api:
            await self._endpoint(self._wordpress, self.source.homepage)

    async def _endpoint(self, work: Callable[[str], Awaitable[None]], url: str) -> None:
        if self.ctx.stop.is_set():
            return
        try:
            await work(url)
        except (FetchError, DiscoveryError) as error:
            self.endpoints_failed += 1
            self._error(error)
        else:
            self.endpoints_ok += 1

    async def _poll(
        self, url: str, kind: str, max_bytes: int | None = None
    ) -> tuple[Page | None, dict[str, Any]]:
        """Fetch an endpoint unless unchanged; the poll row is saved with what it yields."""
        state = await self._db(self.ctx.queue.poll_state, url)
        headers = conditional_headers(state.etag, state.last_modified) if state else {}
        page = await self.ctx.fetcher.fetch(url, self.who, headers=headers, max_bytes=max_bytes)
        row = {
            "url": url,
            "source": self.source.name,
            "kind": kind,
            "last_status": page.status,
            "last_polled": iso(self.now),
        }
        if page.not_modified:
            await self._db(self.ctx.queue.save_poll, row)
            return None, row
        row.update(
            etag=page.headers.get("etag"),
            last_modified=page.headers.get("last-modified"),
            body_hash=hashlib.sha256(page.body).hexdigest(),
        )
        if state and state.body_hash == row["body_hash"]:
            await self._db(self.ctx.queue.save_poll, row)
            return None, row
        return page, row

    async def _add(self, items: list[Listed], poll: dict[str, Any] | None) -> list[Listed]:
        """Queue the new items, and save the poll row (if given) in the same transaction."""
        kept = [item for item in items if self.filter.keeps(item.url)]
        queue = self.ctx.queue
        if poll is None:
            new = await self._db(queue.add, self.source.name, kept, self.now)
        else:
            new = await self._db(queue.add_with_poll, self.source.name, kept, self.now, poll)
        self.report.discovered += len(new)
        return new

    async def _feed(self, url: str) -> None:
        page, poll = await self._poll(url, "feed")
        if page is not None:
            await self._add(parse_feed(page.body, url, page.content_type), poll)

    async def _sitemap(self, url: str, depth: int) -> None:
        """Read a sitemap and, for an index, its recent children.

        An index's validators are saved only once every chosen child was read: a pass cut
        short (or a child that failed) must not leave the index "unchanged" for the next
        pass, which would then never read those children again.
        """
        page, poll = await self._poll(url, "sitemap", SITEMAP_MAX_BYTES)
        if page is None:
            return
        content = parse_sitemap(page.body, url)
        children = self._recent_sitemaps(content.sitemaps) if depth < MAX_SITEMAP_DEPTH else []
        await self._add(content.articles, None if children else poll)
        failures = self.endpoints_failed
        for child in children:
            await self._endpoint(partial(self._sitemap, depth=depth + 1), child.url)
        if children and self.endpoints_failed == failures and not self.ctx.stop.is_set():
            await self._db(self.ctx.queue.save_polls, [poll])

    def _recent_sitemaps(self, sitemaps: list[Listed]) -> list[Listed]:
        oldest = self._oldest()
        cutoff = iso(oldest) if oldest is not None else ""
        recent = [s for s in sitemaps if not s.listed_date or s.listed_date >= cutoff]
        recent.sort(key=lambda s: s.listed_date or "", reverse=True)
        return recent[: self.ctx.settings.max_child_sitemaps]

    async def _listing(self, listing: Listing, url: str) -> None:
        """Read a paginated listing, stopping at the first page that has not changed.

        The pages' validators are saved only once the walk is over: a pass cut short
        after page 1 must not leave page 1 "unchanged" for the next pass, which would then
        stop there and never reach the articles on the later pages.
        """
        next_url: str | None = url
        polls: list[dict[str, Any]] = []
        for _page in range(listing.pages):
            if next_url is None:
                break
            if self.ctx.stop.is_set():
                return
            page, poll = await self._poll(next_url, "listing")
            if page is None:
                break
            items, next_url = parse_listing(
                page.body, next_url, listing.links, listing.next, page.content_type
            )
            await self._add(items, None)
            polls.append(poll)
        await self._db(self.ctx.queue.save_polls, polls)

    async def _wordpress(self, homepage: str) -> None:
        oldest = self._oldest()
        after = None if oldest is None else oldest - oldest % 86400  # stable for a day
        pretty, fallback = wordpress_urls(homepage, after)
        try:
            page, poll = await self._poll(pretty, "api")
            items = parse_wordpress_posts(page.body, pretty) if page else []
        except (HTTPStatusError, DiscoveryError):
            page, poll = await self._poll(fallback, "api")
            items = parse_wordpress_posts(page.body, fallback) if page else []
        for item in await self._add(items, poll):
            await self._store_post(item)
