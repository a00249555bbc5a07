"""robots.txt: what a fetched file means for the crawl of its host.

A 2xx file is parsed (protego: wildcards, `$`, Allow/Disallow precedence, Crawl-delay,
Sitemap lines). A missing file (4xx) allows everything, as RFC 9309 says. A 5xx or an
unreachable host means we cannot know the rules, so the host is deferred for this pass.
"""

from __future__ import annotations

from dataclasses import dataclass

from protego import Protego

from crawler.errors import HostDeferred

MAX_ROBOTS_BYTES = 500_000  # RFC 9309 asks crawlers to read at least 500 KiB


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
