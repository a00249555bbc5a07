"""Time, sleep and randomness, injected so that tests never wait out a delay.

Below the CLI nothing reads the wall clock, sleeps or draws random numbers except through
a `Clock`. `FakeClock` makes every sleep instant and advances its own time instead, so a
test can measure the gaps the crawler would have left between requests.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time
from email.utils import parsedate_to_datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""

    async def sleep(self, seconds: float) -> None: ...

    def random(self) -> float:
        """A number in [0, 1), for jitter."""


class SystemClock:
    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed)

    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    def random(self) -> float:
        return self._random.random()


class FakeClock:
    """A clock whose sleeps return at once and move its time forward by the amount slept."""

    def __init__(self, start: float = 1_767_225_600.0, jitter: float = 0.0) -> None:
        self.time = start
        self.jitter = jitter
        self.slept: list[float] = []

    def now(self) -> float:
        return self.time

    async def sleep(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        self.slept.append(seconds)
        self.time += seconds
        await asyncio.sleep(0)

    def random(self) -> float:
        return self.jitter


def iso(timestamp: float) -> str:
    """ISO 8601 UTC text, to the second: the one time format in the database."""
    moment = dt.datetime.fromtimestamp(timestamp, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> float:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def http_date_to_timestamp(text: str) -> float | None:
    """An HTTP date (RFC 9110) as epoch seconds, or None if it is not one."""
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()
