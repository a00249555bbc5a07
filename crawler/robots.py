"""robots.txt: what a fetched file means for the crawl of its host.

A 2xx file is parsed (protego: wildcards, `$`, Allow/Disallow precedence, Crawl-delay,
Sitemap lines). A missing file (4xx) allows everything, as RFC 9309 says. A 5xx or an
unreachable host means we cannot know the rules, so the host is deferred for this pass.

A 2xx or 4xx answer is kept between passes (`robots_cache`) and reused until it expires:
after the response's `max-age`, at most 24 hours as RFC 9309 asks; then it is revalidated
with a conditional GET, so an unchanged file costs a 304 once a day.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace

from protego import Protego

from crawler.errors import HostDeferred

MAX_ROBOTS_BYTES = 500_000  # RFC 9309 asks crawlers to read at least 500 KiB
ROBOTS_MAX_AGE = 86400.0  # RFC 9309: do not use a cached robots.txt for more than 24 hours
MAX_AGE = re.compile(r"max-age\s*=\s*(\d+)", re.I)


@dataclass(frozen=True)
class RobotsRules:
    parser: Protego | None  # None: no robots.txt, everything allowed

    def allows(self, url: str, user_agent: str) -> bool:
        return self.parser is None or bool(self.parser.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(user_agent)
        return float(delay) if delay is not None else None

    def sitemaps(self) -> list[str]:
        return [] if self.parser is None else list(self.parser.sitemaps)


ALLOW_ALL = RobotsRules(None)


def parse_robots(body: bytes) -> RobotsRules:
    text = body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff")
    return RobotsRules(Protego.parse(text))


def rules_for_response(robots_url: str, status: int, body: bytes) -> RobotsRules:
    """The rules a robots.txt response sets; raises HostDeferred when it cannot tell."""
    if 200 <= status < 300:
        return parse_robots(body)
    if 400 <= status < 500:
        return ALLOW_ALL
    raise HostDeferred(robots_url, f"robots.txt answered HTTP {status}; host skipped this pass")


@dataclass(frozen=True)
class CachedRobots:
    """A robots.txt answer as kept between passes."""

    status: int
    body: bytes
    etag: str | None
    last_modified: str | None
    expires: float

    def validators(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


def robots_expiry(cache_control: str | None, now: float) -> float:
    """When a robots.txt fetched `now` must be revalidated: its max-age, capped at a day."""
    if cache_control and ("no-store" in cache_control or "no-cache" in cache_control):
        return now
    found = MAX_AGE.search(cache_control or "")
    age = float(found.group(1)) if found else ROBOTS_MAX_AGE
    return now + min(age, ROBOTS_MAX_AGE)


def cacheable(status: int) -> bool:
    """Only answers that settle the rules are kept; a 5xx is asked again next time."""
    return 200 <= status < 300 or 400 <= status < 500


@dataclass(frozen=True)
class RobotsAnswer:
    """The last response of a robots.txt fetch (after redirects)."""

    status: int
    body: bytes
    headers: Mapping[str, str]

    def to_keep(self, cached: CachedRobots | None, now: float) -> CachedRobots | None:
        """What to keep of this answer until the next pass; a 304 renews the kept copy."""
        expires = robots_expiry(self.headers.get("cache-control"), now)
        if self.status == 304 and cached is not None:
            return replace(cached, expires=expires)
        if not cacheable(self.status):
            return None
        etag, modified = self.headers.get("etag"), self.headers.get("last-modified")
        return CachedRobots(self.status, self.body, etag, modified, expires)


@dataclass(frozen=True)
class RobotsCache:
    """Where a fetcher keeps robots.txt between passes (the database, via the DB thread)."""

    load: Callable[[str], Awaitable[CachedRobots | None]]
    save: Callable[[str, CachedRobots], Awaitable[None]]
