"""One source's part of a pass: discover new URLs, then fetch and process what is due.

Discovery (`crawler.source_discovery`) polls the source's endpoints and queues the new
URLs they list; then its due URLs are fetched and stored (`crawler.source_articles`).
A source that keeps failing rests, and every run leaves a `crawl_runs` row.
"""

from __future__ import annotations

from typing import Any

from crawler.clock import iso
from crawler.source_articles import SourceArticles
from crawler.source_discovery import SourceDiscovery
from crawler.source_work import (
    Analyser,
    PassContext,
    Processor,
    SourceReport,
    StoringProcessor,
)
from pipelines.store import StoreError

__all__ = [
    "Analyser",
    "PassContext",
    "Processor",
    "SourceCrawl",
    "SourceReport",
    "StoringProcessor",
]


class SourceCrawl(SourceDiscovery, SourceArticles):
    """One source's run in a pass: discovery, then the due articles, then its run row."""

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
