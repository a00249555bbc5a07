"""Fetching one URL politely and safely.

For every hop of a fetch: the host is resolved and its addresses checked
(`crawler.netguard`), robots.txt is consulted (read once per host and pass, and between
passes kept while fresh: `crawler.robots`), the request waits for the host's slot
(`crawler.politeness`) and is sent to the checked address (`crawler.transport`).
Redirects are followed here, not by httpx, so each hop gets the same checks. Every
request, refused ones included, becomes one `fetches` row through `record`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from crawler.clock import Clock, http_date_to_timestamp, iso
from crawler.errors import (
    DisallowedByRobots,
    FetchError,
    HostDeferred,
    HTTPStatusError,
    RedirectError,
    TransportError,
    UnresolvableHost,
    describe,
)
from crawler.netguard import NetworkPolicy, safe_address
from crawler.politeness import HostPacer
from crawler.robots import (
    MAX_ROBOTS_BYTES,
    RobotsAnswer,
    RobotsCache,
    RobotsRules,
    rules_for_response,
)
from crawler.transport import Accept, Page, Transport, host_key

__all__ = ["RETRY_STATUSES", "Fetcher", "FetchLimits", "Identity", "Page", "host_key"]

MAX_REDIRECTS = 10
MAX_ATTEMPTS = 3
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
BACKOFF_BASE = 2.0  # seconds before the first retry; doubles each time

Recorder = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Identity:
    """Who we say we are to one source: its User-Agent and extra headers (a cookie)."""

    source: str
    user_agent: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FetchLimits:
    timeout: float = 20.0
    max_bytes: int = 5_000_000
    concurrency: int = 8
    retry_after_cap: float = 300.0  # a longer Retry-After gives the URL up for this pass


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """`Retry-After` as seconds from now: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    moment = http_date_to_timestamp(value)
    return None if moment is None else max(0.0, moment - now)


class Fetcher:
    def __init__(
        self,
        clock: Clock,
        pacer: HostPacer,
        policy: NetworkPolicy,
        record: Recorder,
        limits: FetchLimits = FetchLimits(),
        robots_cache: RobotsCache | None = None,
    ) -> None:
        self.clock = clock
        self.robots_cache = robots_cache
        self.pacer = pacer
        self.policy = policy
        self.record = record
        self.limits = limits
        self._in_flight = asyncio.Semaphore(limits.concurrency)
        self._robots: dict[str, asyncio.Future[RobotsRules]] = {}
        self.transport = Transport(limits.timeout, limits.max_bytes)

    async def close(self) -> None:
        await self.transport.close()

    async def fetch(
        self,
        url: str,
        who: Identity,
        *,
        headers: dict[str, str] | None = None,
        accept: Accept | None = None,
        max_bytes: int | None = None,
    ) -> Page:
        """GET a URL, following redirects; raise a FetchError unless it ends 2xx or 304."""
        try:
            page = await self._follow(url, who, headers, accept, max_bytes)
        except RedirectError as error:
            # Each hop has its row already; the refusal gets its own, under the URL asked for.
            await self._record(url, who, None, error, 0, 0.0)
            raise
        page.url = url
        return self._ensure_success(page)

    async def _follow(
        self,
        url: str,
        who: Identity,
        headers: dict[str, str] | None,
        accept: Accept | None,
        max_bytes: int | None,
    ) -> Page:
        current, visited = url, {url}
        for _hop in range(MAX_REDIRECTS + 1):
            # Checked before robots.txt is read, so a refused host is never asked for it.
            parts = httpx.URL(current)
            address = await self._checked_address(current, parts, who)
            await self._check_robots(current, who)
            page = await self._request_with_retries(
                current, who, headers, accept, max_bytes, (parts, address)
            )
            target = self._redirect_target(page)
            if target is None:
                return page
            if target in visited:
                raise RedirectError(url, f"redirect loop at {target}")
            visited.add(target)
            current = target
        raise RedirectError(url, f"more than {MAX_REDIRECTS} redirects")

    @staticmethod
    def _redirect_target(page: Page) -> str | None:
        location = page.headers.get("location")
        if page.status not in REDIRECT_STATUSES or not location:
            return None
        target = urljoin(page.final_url, location.strip()).split("#")[0]
        if urlsplit(target).scheme not in ("http", "https"):
            raise RedirectError(page.final_url, f"redirect to a non-HTTP URL: {target}")
        return target

    @staticmethod
    def _ensure_success(page: Page) -> Page:
        if 200 <= page.status < 300 or page.not_modified:
            return page
        raise HTTPStatusError(page.final_url, page.status)

    # robots.txt

    async def robots_rules(self, url: str, who: Identity) -> RobotsRules:
        """The host's robots.txt rules, fetched once per pass; HostDeferred if unknowable."""
        key = host_key(url)
        if key not in self._robots:
            self._robots[key] = asyncio.ensure_future(self._load_robots(key, who))
        rules = await asyncio.shield(self._robots[key])
        self.pacer.set_crawl_delay(urlsplit(url).netloc.lower(), rules.crawl_delay(who.user_agent))
        return rules

    async def _load_robots(self, origin: str, who: Identity) -> RobotsRules:
        robots_url = f"{origin}/robots.txt"
        cached = await self.robots_cache.load(origin) if self.robots_cache else None
        if cached is not None and cached.expires > self.clock.now():
            return rules_for_response(robots_url, cached.status, cached.body)
        headers = cached.validators() if cached is not None else None
        answer = await self._fetch_robots(robots_url, who, headers)
        kept = answer.to_keep(cached, self.clock.now())
        if kept is None:
            return rules_for_response(robots_url, answer.status, answer.body)
        if self.robots_cache is not None:
            await self.robots_cache.save(origin, kept)
        return rules_for_response(robots_url, kept.status, kept.body)

    async def _fetch_robots(
        self, robots_url: str, who: Identity, headers: dict[str, str] | None
    ) -> RobotsAnswer:
        """The last answer after redirects; a 404 (allow all) after too many of them."""
        current = robots_url
        for _hop in range(5):
            try:
                page = await self._request_with_retries(
                    current, who, headers, None, MAX_ROBOTS_BYTES
                )
            except (TransportError, HTTPStatusError, UnresolvableHost) as error:
                raise HostDeferred(robots_url, f"robots.txt unreachable: {error}") from error
            target = self._redirect_target(page)
            if target is None:
                return RobotsAnswer(page.status, page.body, page.headers)
            current, headers = target, None
        return RobotsAnswer(404, b"", {})

    async def _check_robots(self, url: str, who: Identity) -> None:
        rules = await self.robots_rules(url, who)
        if not rules.allows(url, who.user_agent):
            error = DisallowedByRobots(url, "robots.txt disallows this URL for our User-Agent")
            await self._record(url, who, None, error, 0, 0.0)
            raise error

    # one hop

    async def _request_with_retries(
        self,
        url: str,
        who: Identity,
        headers: dict[str, str] | None,
        accept: Accept | None,
        max_bytes: int | None,
        checked: tuple[httpx.URL, str] | None = None,
    ) -> Page:
        """`checked`: the URL parsed and its address, checked just now (a retry checks anew)."""
        host = urlsplit(url).netloc.lower()
        for attempt in range(MAX_ATTEMPTS):
            last = attempt == MAX_ATTEMPTS - 1
            try:
                page = await self._request(url, who, headers, accept, max_bytes, checked)
                checked = None
            except TransportError:
                checked = None
                if last:
                    raise
                self.pacer.defer(host, self.clock.now() + self._backoff(attempt))
                continue
            if page.status not in RETRY_STATUSES:
                return page
            wait = retry_after_seconds(page.headers.get("retry-after"), self.clock.now())
            if wait is not None and wait > self.limits.retry_after_cap:
                raise HTTPStatusError(url, page.status, retry_at=self.clock.now() + wait)
            if last:
                return page
            self.pacer.defer(
                host, self.clock.now() + (wait if wait is not None else self._backoff(attempt))
            )
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        base = BACKOFF_BASE * 2**attempt
        return base + base * self.clock.random()

    async def _request(
        self,
        url: str,
        who: Identity,
        headers: dict[str, str] | None,
        accept: Accept | None,
        max_bytes: int | None,
        checked: tuple[httpx.URL, str] | None,
    ) -> Page:
        if checked is None:
            parts = httpx.URL(url)
            checked = parts, await self._checked_address(url, parts, who)
        parts, address = checked
        all_headers = {"User-Agent": who.user_agent, **who.headers, **(headers or {})}
        async with self.pacer.slot(parts.netloc.decode("ascii").lower()), self._in_flight:
            started = self.clock.now()
            try:
                page = await self.transport.send(
                    url, parts, address, all_headers, accept, max_bytes
                )
            except FetchError as error:
                await self._record(url, who, getattr(error, "status", None), error, 0, started)
                raise
            await self._record(url, who, page.status, self._note(page), len(page.body), started)
            return page

    async def _checked_address(self, url: str, parts: httpx.URL, who: Identity) -> str:
        try:
            address = await safe_address(
                self.policy, parts.host, parts.port or _default_port(parts), url
            )
        except FetchError as error:
            await self._record(url, who, None, error, 0, 0.0)
            raise
        return str(address)

    def _note(self, page: Page) -> str | None:
        if page.truncated:
            return f"Truncated: body cut at {len(page.body)} bytes"
        return None

    async def _record(
        self,
        url: str,
        who: Identity,
        status: int | None,
        error: FetchError | str | None,
        size: int,
        started: float,
    ) -> None:
        now = self.clock.now()
        started = started or now
        await self.record(
            {
                "url": url,
                "source": who.source,
                "status": status,
                "error": describe(error) if isinstance(error, FetchError) else error,
                "bytes": size,
                "elapsed_ms": int(round((now - started) * 1000)),
                "fetched": iso(started),
            }
        )


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80
