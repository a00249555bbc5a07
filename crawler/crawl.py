"""One crawl pass over the sources: the function the CLI, the daemon and the tests call.

Sources run concurrently (at most `crawl.concurrency` requests in flight, one per host at a
time), so a source whose every request fails neither stops nor slows the others. All
database work of the pass runs on one thread, in order; network work runs on the event loop;
extraction and tagging run in `crawl.workers` processes (`crawler.analysis`). A database
that cannot be written stops every source and ends the pass with StoreError.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click
from sqlite_utils import Database

from crawler.analysis import AnalysisPool, worker_count
from crawler.clock import Clock, SystemClock
from crawler.db_thread import DbThread
from crawler.fetch import Fetcher, FetchLimits
from crawler.netguard import NetworkPolicy
from crawler.politeness import HostPacer
from crawler.robots import CachedRobots, RobotsCache
from crawler.settings import ConfigError, Settings, Source, select_sources
from crawler.sourcecrawl import Analyser, PassContext, Processor, SourceCrawl, SourceReport
from crawler.work_queue import UrlQueue
from pipelines.store import StoreError

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

    pool = start_analysis(app)
    try:
        app.validate()
        try:
            sources = select_sources(app.sources, source_names)
        except ConfigError as error:
            raise ExpectedError(str(error)) from error
        db = app.open_writer()
        if pool is not None:
            app.forget_taxonomy()  # synced; the workers tag, and the pass only stores
        with progress_bar(len(sources), "crawling") as advance:
            report = run_crawl(
                app, db, sources, backfill=backfill, on_progress=advance, analysis=pool
            )
    except StoreError as error:
        raise ExpectedError(f"cannot write to {app.settings.db}: {error} (disk full?)") from error
    finally:
        if pool is not None:
            pool.close()
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
    analysis: AnalysisPool | None = None,
) -> CrawlReport:
    """One pass, no locking. `stop` set: start no new fetch, finish in-flight ones, return.

    `analysis`: worker processes already started (`start_analysis`), which the caller
    closes; without it the pass starts and closes its own.
    """
    processor = app.processor(db) if analysis is None else app.storing_processor(db)
    pool = analysis
    if pool is None:
        workers = worker_count(app.settings.crawl.workers)
        pool = AnalysisPool(app.analyser_spec(), workers, processor.analyser) if workers else None
    try:
        return run_pass(
            app.settings,
            db,
            sources,
            processor,
            backfill=backfill,
            clock=clock or SystemClock(),
            stop=stop or threading.Event(),
            on_progress=on_progress,
            analyser=pool,
        )
    finally:
        if pool is not None and analysis is None:
            pool.close()


def start_analysis(app: App) -> AnalysisPool | None:
    """The pass's worker processes, started before the crawler loads the taxonomy.

    Each worker builds its own analyser, which takes as long as the crawler's loading of
    the taxonomy: started first, they do it at the same time on the other cores.
    """
    workers = worker_count(app.settings.crawl.workers)
    if not workers:
        return None
    pool = AnalysisPool(app.analyser_spec(), workers)
    pool.start()
    return pool


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
    analyser: Analyser | None = None,
) -> CrawlReport:
    """`run_crawl` with its collaborators given, for tests and tools.

    Raises StoreError, after every source has stopped, when the database cannot be written.
    """
    db_thread = DbThread(db)
    options = PassOptions(backfill, clock, stop, on_progress, analyser)
    try:
        reports = asyncio.run(_crawl_sources(settings, db_thread, sources, processor, options))
    finally:
        db_thread.close()
    update_related_articles(db, settings.dedupe.related_k)
    return CrawlReport(reports)


@dataclass(frozen=True)
class PassOptions:
    backfill: bool
    clock: Clock
    stop: threading.Event
    on_progress: Callable[[int], None] | None
    analyser: Analyser | None


async def _crawl_sources(
    settings: Settings,
    db_thread: DbThread,
    sources: list[Source],
    processor: Processor,
    options: PassOptions,
) -> list[SourceReport]:
    crawl, clock = settings.crawl, options.clock
    record_queue = UrlQueue(db_thread.db, crawl.max_attempts, crawl.failures_before_backoff)

    async def record_fetch(row: dict[str, Any]) -> None:
        # Not awaited: the row commits with or before the article the fetch yields.
        db_thread.post(record_queue.record_fetch, row)

    fetcher = Fetcher(
        clock,
        HostPacer(clock, crawl.min_delay),
        NetworkPolicy.from_cidrs(crawl.allow_networks),
        record_fetch,
        FetchLimits(crawl.timeout, crawl.max_bytes, crawl.concurrency, crawl.retry_after_cap),
        robots_cache(db_thread, record_queue, clock),
    )
    ctx = PassContext(
        fetcher,
        db_thread,
        record_queue,
        processor,
        clock,
        crawl,
        options.backfill,
        options.stop,
        source_by_host=_source_by_host(sources),
        analyser=options.analyser,
    )

    async def one(source: Source) -> SourceReport:
        report = await SourceCrawl(ctx, source).run()
        if options.on_progress:
            options.on_progress(1)
        return report

    try:
        results = await asyncio.gather(*(one(source) for source in sources), return_exceptions=True)
    finally:
        await fetcher.close()
    return _reports_or_first_error(results)


def _reports_or_first_error(results: list[SourceReport | BaseException]) -> list[SourceReport]:
    """Every source ran to its end; then one failure is raised, a storage failure first."""
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        raise next((e for e in errors if isinstance(e, StoreError)), errors[0])
    return [r for r in results if isinstance(r, SourceReport)]


def robots_cache(db_thread: DbThread, queue: UrlQueue, clock: Clock) -> RobotsCache:
    async def save(origin: str, robots: CachedRobots) -> None:
        await db_thread.run(queue.save_robots, origin, robots, clock.now())

    return RobotsCache(partial(db_thread.run, queue.cached_robots), save)


def _source_by_host(sources: list[Source]) -> dict[str, str]:
    return {urlsplit(source.homepage).netloc.lower(): source.name for source in sources}


def update_related_articles(db: Database, k: int) -> Any:
    """Refresh related-article links, where the related stage is installed."""
    try:
        from pipelines.related import update_related
    except ImportError:
        return None
    return update_related(db, k)
