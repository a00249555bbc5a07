"""One crawl pass over the sources: the function the CLI, the daemon and the tests call.

Sources run concurrently (at most `crawl.concurrency` requests in flight, one per host at a
time), so a source whose every request fails neither stops nor slows the others. All
database work of the pass runs on one thread, in order; network work runs on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click
from sqlite_utils import Database

from crawler.clock import Clock, SystemClock
from crawler.fetch import Fetcher, FetchLimits
from crawler.netguard import NetworkPolicy
from crawler.politeness import HostPacer
from crawler.settings import ConfigError, Settings, Source, select_sources
from crawler.sourcecrawl import PassContext, Processor, SourceCrawl, SourceReport
from crawler.work_queue import DbThread, UrlQueue

if TYPE_CHECKING:
    from crawler.app import App

__all__ = ["CrawlReport", "SourceReport", "crawl_once", "run_crawl"]

log = logging.getLogger("pivotwatch.crawl")


@dataclass
class CrawlReport:
    sources: list[SourceReport]

    @property
    def new_articles(self) -> int:
        return sum(report.new_articles for report in self.sources)

    def summary(self) -> str:
        failed = sum(report.outcome == "failed" for report in self.sources)
        return (
            f"{len(self.sources)} sources, "
            f"{sum(r.discovered for r in self.sources)} URLs discovered, "
            f"{sum(r.fetched for r in self.sources)} pages fetched, "
            f"{self.new_articles} new articles, {failed} sources failed"
        )


def crawl_once(
    app: App, source_names: tuple[str, ...] = (), *, backfill: bool = False
) -> CrawlReport:
    """CLI level: validate, take the writer lock, run one pass, print failures and a summary."""
    from crawler.app import ExpectedError
    from crawler.progress import progress_bar

    app.validate()
    try:
        sources = select_sources(app.sources, source_names)
    except ConfigError as error:
        raise ExpectedError(str(error)) from error
    db = app.open_writer()
    with progress_bar(len(sources), "crawling") as advance:
        report = run_crawl(app, db, sources, backfill=backfill, on_progress=advance)
    for failed in (r for r in report.sources if r.outcome == "failed"):
        click.echo(f"{failed.source}: failed: {failed.last_error}", err=True)
    click.echo(report.summary())
    return report


def run_crawl(
    app: App,
    db: Database,
    sources: list[Source],
    *,
    backfill: bool = False,
    clock: Clock | None = None,
    stop: threading.Event | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> CrawlReport:
    """One pass, no locking. `stop` set: start no new fetch, finish in-flight ones, return."""
    return run_pass(
        app.settings,
        db,
        sources,
        app.processor(db),
        backfill=backfill,
        clock=clock or SystemClock(),
        stop=stop or threading.Event(),
        on_progress=on_progress,
    )


def run_pass(
    settings: Settings,
    db: Database,
    sources: list[Source],
    processor: Processor,
    *,
    backfill: bool,
    clock: Clock,
    stop: threading.Event,
    on_progress: Callable[[int], None] | None = None,
) -> CrawlReport:
    """`run_crawl` with its collaborators given, for tests and tools."""
    db_thread = DbThread(db)
    try:
        reports = asyncio.run(
            _crawl_sources(
                settings, db_thread, sources, processor, backfill, clock, stop, on_progress
            )
        )
    finally:
        db_thread.close()
    update_related_articles(db, settings.dedupe.related_k)
    return CrawlReport(reports)


async def _crawl_sources(
    settings: Settings,
    db_thread: DbThread,
    sources: list[Source],
    processor: Processor,
    backfill: bool,
    clock: Clock,
    stop: threading.Event,
    on_progress: Callable[[int], None] | None,
) -> list[SourceReport]:
    crawl = settings.crawl
    record_queue = UrlQueue(db_thread.db)
    fetcher = Fetcher(
        clock,
        HostPacer(clock, crawl.min_delay),
        NetworkPolicy.from_cidrs(crawl.allow_networks),
        lambda row: db_thread.run(record_queue.record_fetch, row),
        FetchLimits(crawl.timeout, crawl.max_bytes, crawl.concurrency),
    )
    ctx = PassContext(
        fetcher,
        db_thread,
        record_queue,
        processor,
        clock,
        crawl,
        backfill,
        stop,
        source_by_host=_source_by_host(sources),
    )

    async def one(source: Source) -> SourceReport:
        report = await SourceCrawl(ctx, source).run()
        if on_progress:
            on_progress(1)
        return report

    try:
        return list(await asyncio.gather(*(one(source) for source in sources)))
    finally:
        await fetcher.close()


def _source_by_host(sources: list[Source]) -> dict[str, str]:
    return {urlsplit(source.homepage).netloc.lower(): source.name for source in sources}


def update_related_articles(db: Database, k: int) -> Any:
    """Refresh related-article links, where the related stage is installed."""
    try:
        from pipelines.related import update_related
    except ImportError:
        return None
    return update_related(db, k)
