"""Per-host pacing: one request at a time per host, with a delay between requests.

The delay is the larger of `crawl.min_delay` and the host's robots.txt `Crawl-delay`,
plus up to a quarter of it as jitter, so a crawl does not hit a site on a fixed beat.
A `Retry-After` pushes the host's next slot out for every request to it, not just one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from crawler.clock import Clock

JITTER_FRACTION = 0.25


@dataclass
class HostState:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_request: float | None = None
    not_before: float = 0.0
    delay: float = 0.0


class HostPacer:
    def __init__(self, clock: Clock, min_delay: float) -> None:
        self.clock = clock
        self.min_delay = min_delay
        self._hosts: dict[str, HostState] = {}

    def _state(self, host: str) -> HostState:
        return self._hosts.setdefault(host, HostState(delay=self.min_delay))

    def set_crawl_delay(self, host: str, crawl_delay: float | None) -> None:
        self._state(host).delay = max(self.min_delay, crawl_delay or 0.0)

    def defer(self, host: str, until: float) -> None:
        """No request to this host before `until` (epoch seconds)."""
        state = self._state(host)
        state.not_before = max(state.not_before, until)

    def delay_for(self, host: str) -> float:
        return self._state(host).delay

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold the host's only slot for one request, after waiting its turn."""
        state = self._state(host)
        async with state.lock:
            await self._wait_turn(state)
            try:
                yield
            finally:
                state.last_request = self.clock.now()

    async def _wait_turn(self, state: HostState) -> None:
        ready = state.not_before
        if state.last_request is not None and state.delay > 0:
            jitter = state.delay * JITTER_FRACTION * self.clock.random()
            ready = max(ready, state.last_request + state.delay + jitter)
        wait = ready - self.clock.now()
        if wait > 0:
            await self.clock.sleep(wait)
