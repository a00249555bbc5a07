"""One source's due articles: fetched, analysed, stored, and their failures recorded.

The source's due URLs (new ones and failed ones whose backoff has passed, newest first,
within `max_age_days` unless backfilling) are fetched, at most `max_articles_per_pass`
of them, two at a time; each page is analysed (in the worker processes, when there are
any) and stored with its URL's new state in one database call.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, cast
from urllib.parse import urlsplit

from crawler.clock import iso
from crawler.discover import Listed, http_url
from crawler.errors import (
    DisallowedByRobots,
    FetchError,
    HostDeferred,
    HTTPStatusError,
    RefusedAddress,
    UnwantedContentType,
    describe,
)
from crawler.fetch import RETRY_STATUSES
from crawler.source_work import SourceWork, StoringProcessor
from crawler.work_queue import DueUrl
from pipelines.process import WORDPRESS_JSON, Analysis, FetchedPage
from pipelines.store import StoreError

WORKERS_PER_SOURCE = 2
HOST_DEFERRED_SECONDS = 3600.0
HTML_TYPES = ("text/html", "application/xhtml+xml")


def is_html(content_type: str | None) -> bool:
    if not content_type:
        return True  # no claim either way: let the decoder and extractor judge
    return content_type.split(";")[0].strip().lower() in HTML_TYPES


class SourceArticles(SourceWork):
    """Fetches the source's due URLs and stores what they yield."""

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
