"""What one source's work in a pass shares: the pass's context, the report, the URLs tried.

`SourceCrawl` (`crawler.sourcecrawl`) is this state with its two halves of work,
discovery (`crawler.source_discovery`) and fetching the due articles
(`crawler.source_articles`).
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from crawler.clock import Clock
from crawler.db_thread import DbThread
from crawler.discover import Listed, UrlFilter
from crawler.errors import describe
from crawler.fetch import Fetcher, Identity
from crawler.settings import CrawlSettings, Source
from crawler.work_queue import UrlQueue
from pipelines.process import Analysis, FetchedPage


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


class SourceWork:
    """One source's state during a pass, shared by its discovery and its fetching."""

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

    def _oldest(self) -> float | None:
        if self.ctx.backfill:
            return None
        return self.now - self.ctx.settings.max_age_days * 86400

    async def _store_post(self, item: Listed) -> None:
        """Store a post the WordPress API listed in full (`crawler.source_articles`)."""
        raise NotImplementedError
