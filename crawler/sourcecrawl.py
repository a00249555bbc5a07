"""One source's part of a pass: discover new URLs, then fetch and process what is due.

Discovery endpoints (feeds, sitemaps, listings, the WordPress API) are polled with
conditional GET and a body hash; only a changed body is parsed. Then the source's due URLs
(new ones and failed ones whose backoff has passed, newest first, within `max_age_days`
unless backfilling) are fetched, at most `max_articles_per_pass` of them, and each goes
through the article processor in its own transaction.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol, cast
from urllib.parse import urlsplit

from crawler.clock import Clock, iso
from crawler.db_thread import DbThread
from crawler.discover import (
    DiscoveryError,
    Listed,
    UrlFilter,
    http_url,
    parse_feed,
    parse_listing,
    parse_sitemap,
    parse_wordpress_posts,
    wordpress_urls,
)
from crawler.errors import (
    DisallowedByRobots,
    FetchError,
    HostDeferred,
    HTTPStatusError,
    RefusedAddress,
    UnwantedContentType,
    describe,
)
from crawler.fetch import RETRY_STATUSES, Fetcher, Identity, Page
from crawler.settings import CrawlSettings, Listing, Source
from crawler.work_queue import DueUrl, UrlQueue
from pipelines.process import WORDPRESS_JSON, Analysis, FetchedPage
from pipelines.store import StoreError

SITEMAP_MAX_BYTES = 50_000_000  # the sitemaps.org limit, larger than an article's
MAX_SITEMAP_DEPTH = 2
WORKERS_PER_SOURCE = 2
HOST_DEFERRED_SECONDS = 3600.0
HTML_TYPES = ("text/html", "application/xhtml+xml")


class Processor(Protocol):
    def process(self, page: FetchedPage) -> Any: ...


class StoringProcessor(Processor, Protocol):
    def store(self, analysis: Analysis) -> Any: ...


class Analyser(Protocol):
    """Where the pass sends pages for the CPU-bound half of processing (`AnalysisPool`)."""

    async def analyse(self, page: FetchedPage) -> Any: ...


@dataclass
class PassContext:
    fetcher: Fetcher
    db: DbThread
    queue: UrlQueue
    processor: Processor
    clock: Clock
    settings: CrawlSettings
    backfill: bool = False
    stop: threading.Event = field(default_factory=threading.Event)
    source_by_host: dict[str, str] = field(default_factory=dict)
    # Set: pages are analysed there and only stored on the DB thread (`processor.store`).
    analyser: Analyser | None = None


@dataclass
class SourceReport:
    source: str
    discovered: int = 0
    fetched: int = 0
    new_articles: int = 0
    errors: int = 0
    outcome: str = "ok"  # "ok" | "partial" | "failed"
    last_error: str | None = None


def is_html(content_type: str | None) -> bool:
    if not content_type:
        return True  # no claim either way: let the decoder and extractor judge
    return content_type.split(";")[0].strip().lower() in HTML_TYPES


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


class SourceCrawl:
    def __init__(self, ctx: PassContext, source: Source) -> None:
        self.ctx = ctx
        self.source = source
        agent = source.user_agent or ctx.settings.user_agent
        self.who = Identity(source.name, agent, dict(source.headers))
        self.filter = UrlFilter.from_patterns(source.allow, source.deny)
        self.report = SourceReport(source.name)
        self.endpoints_ok = 0
        self.endpoints_failed = 0
        self.tried: set[str] = set()
        self.foreign_full_stories: list[str] = []

    @property
    def now(self) -> float:
        return self.ctx.clock.now()

    def _db(self, function: Callable[..., Any], *args: Any) -> Awaitable[Any]:
        return self.ctx.db.run(function, *args)

    def _error(self, error: BaseException) -> None:
        self.report.errors += 1
        self.report.last_error = describe(error)

    # the run

    async def run(self) -> SourceReport:
        resting = await self._db(self.ctx.queue.source_backoff, self.source.name)
        if resting and resting[0] > self.now:
            return await self._rest(*resting)
        run_id = await self._db(self.ctx.queue.start_run, self.source.name, self.now)
        try:
            await self.discover()
            await self.fetch_due()
        except StoreError:
            self.ctx.stop.set()  # nothing more can be recorded: every source stops
            raise
        except Exception as error:  # a bug must not take the other sources down
            self._error(error)
            self.endpoints_failed += 1
        self.report.outcome = self._outcome()
        await self._db(self.ctx.queue.finish_run, run_id, self._run_values())
        return self.report

    def _outcome(self) -> str:
        nothing_worked = self.endpoints_ok == 0 and self.report.fetched == 0
        if self.report.errors and (
            nothing_worked or self.endpoints_ok == 0 < self.endpoints_failed
        ):
            return "failed"
        return "partial" if self.report.errors else "ok"

    def _run_values(self) -> dict[str, Any]:
        r = self.report
        return {
            "finished": iso(self.now),
            "discovered": r.discovered,
            "fetched": r.fetched,
            "new_articles": r.new_articles,
            "errors": r.errors,
            "outcome": r.outcome,
            "last_error": r.last_error,
        }

    async def _rest(self, until: float, failed: int, last_error: str | None) -> SourceReport:
        """A source that keeps failing rests; the run row says until when and why."""
        message = f"resting until {iso(until)} after {failed} failed runs; last: {last_error}"
        self.report.outcome, self.report.last_error = "failed", message
        run_id = await self._db(self.ctx.queue.start_run, self.source.name, self.now)
        await self._db(self.ctx.queue.finish_run, run_id, self._run_values())
        return self.report

    # discovery

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

    def _oldest(self) -> float | None:
        if self.ctx.backfill:
            return None
        return self.now - self.ctx.settings.max_age_days * 86400

    # fetching and processing

    async def fetch_due(self) -> None:
        budget = self.ctx.settings.max_articles_per_pass
        while budget > 0 and not self.ctx.stop.is_set():
            due = await self._db(
                self.ctx.queue.due,
                self.source.name,
                self.now,
                budget + len(self.tried),
                self._oldest(),
            )
            due = [item for item in due if item.url not in self.tried][:budget]
            due = due or await self._foreign_due(budget)
            if not due:
                return
            budget -= len(due)
            await self._fetch_all(due)

    async def _foreign_due(self, budget: int) -> list[DueUrl]:
        """Full stories this pass queued under other sources, fetched now rather than later."""
        due = []
        for url in self.foreign_full_stories[:budget]:
            if (
                url not in self.tried
                and await self._db(self.ctx.queue.state_of, url) == "discovered"
            ):
                due.append(DueUrl(url, None, 0))
        self.foreign_full_stories.clear()
        return due

    async def _fetch_all(self, due: list[DueUrl]) -> None:
        pending = list(reversed(due))

        async def worker() -> None:
            while pending and not self.ctx.stop.is_set():
                await self._fetch_article(pending.pop())

        await asyncio.gather(*(worker() for _ in range(WORKERS_PER_SOURCE)))

    async def _fetch_article(self, due: DueUrl) -> None:
        self.tried.add(due.url)
        try:
            page = await self.ctx.fetcher.fetch(due.url, self.who, accept=is_html)
        except FetchError as error:
            await self._fetch_failed(due, error)
            return
        await self._process(due, page.body, page.content_type, page.final_url)

    async def _fetch_failed(self, due: DueUrl, error: FetchError) -> None:
        queue, reason = self.ctx.queue, describe(error)
        if isinstance(error, UnwantedContentType | DisallowedByRobots):
            state = "skipped" if isinstance(error, UnwantedContentType) else "refused"
            await self._db(queue.mark_final, due.url, state, reason)
            return
        self._error(error)
        if isinstance(error, RefusedAddress):
            await self._db(queue.mark_final, due.url, "refused", reason)
        elif isinstance(error, HostDeferred):
            await self._db(queue.defer, due.url, self.now + HOST_DEFERRED_SECONDS, reason)
        elif (
            isinstance(error, HTTPStatusError)
            and error.status not in RETRY_STATUSES
            and error.status < 500
        ):
            await self._db(queue.mark_final, due.url, "skipped", reason)
        else:
            retry_at = getattr(error, "retry_at", None)
            await self._db(queue.mark_failed, due.url, reason, self.now, retry_at)

    async def _store_post(self, item: Listed) -> None:
        body = json.dumps(item.post).encode("utf-8")
        due = DueUrl(item.url, item.listed_date, 0)
        self.tried.add(item.url)
        await self._process(due, body, WORDPRESS_JSON, item.url)

    async def _process(
        self, due: DueUrl, body: bytes, content_type: str | None, final_url: str
    ) -> None:
        page = FetchedPage(
            url=due.url,
            source=self.source.name,
            body=body,
            fetched=iso(self.now),
            content_type=content_type,
            final_url=final_url,
            listed_date=due.listed_date,
        )
        try:
            result = await self._analyse_and_store(page)
        except StoreError:
            raise
        except Exception as error:  # bad input in one page must not stop the pass
            self._error(error)
            await self._db(self.ctx.queue.mark_failed, due.url, describe(error), self.now, None)
            return
        self.report.fetched += 1
        self.report.new_articles += int(bool(result.created))
        if getattr(result, "full_story_url", None):
            await self._queue_full_story(result.full_story_url)

    async def _analyse_and_store(self, page: FetchedPage) -> Any:
        if self.ctx.analyser is None:
            return await self._db(self._process_and_mark, page)
        analysis = await self.ctx.analyser.analyse(page)
        return await self._db(self._store_and_mark, analysis)

    def _store_and_mark(self, analysis: Analysis) -> Any:
        # One DB call, so one savepoint: the article and its URL's state land together.
        result = cast(StoringProcessor, self.ctx.processor).store(analysis)
        self.ctx.queue.mark_stored(analysis.page.url, result.article_id)
        return result

    def _process_and_mark(self, page: FetchedPage) -> Any:
        result = self.ctx.processor.process(page)
        self.ctx.queue.mark_stored(page.url, result.article_id)
        return result

    async def _queue_full_story(self, url: str) -> None:
        link = http_url(url, self.source.homepage)
        if link is None:
            return
        owner = self.ctx.source_by_host.get(urlsplit(link).netloc, self.source.name)
        new = await self._db(self.ctx.queue.add, owner, [Listed(link)], self.now)
        self.report.discovered += len(new)
        if new and owner != self.source.name:
            self.foreign_full_stories.append(link)
