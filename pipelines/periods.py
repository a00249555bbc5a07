"""Digest periods: `--since`, `--until` and `--week` turned into a half-open UTC interval.

A period is `[start, end)`: `start` included, `end` excluded, both in UTC. Accepted forms:

    2026-11-15              a UTC day (midnight)
    2026-11-15T08:30:00Z    an instant (any offset; converted to UTC)
    7d                      (only for --since) seven days of 24 hours before the end
    2026-W47                (only for --week) that ISO week, Monday to Monday

`now` is always passed in; nothing here reads the clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

DEFAULT_DAYS = 7
_RELATIVE = re.compile(r"^(\d{1,4})d$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_T = TypeVar("_T")


class PeriodError(ValueError):
    """A date, a relative span or an ISO week that cannot be read; `option` names its flag."""

    def __init__(self, message: str, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise PeriodError(
                f"the period is empty: {iso_instant(self.start)} is not before "
                f"{iso_instant(self.end)}"
            )

    @property
    def days(self) -> float:
        return (self.end - self.start) / timedelta(days=1)


def parse_instant(text: str) -> datetime:
    """A date (UTC midnight) or an ISO 8601 date-time; naive times are taken as UTC."""
    value = text.strip()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(), UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise PeriodError(f"{text!r} is not a date like 2026-11-15 or 7d") from None
    return _as_utc(parsed)


def parse_since(text: str, end: datetime) -> datetime:
    """A date, a date-time, or `Nd` (N days of 24 hours before `end`)."""
    relative = _RELATIVE.match(text.strip())
    if relative:
        return _as_utc(end) - timedelta(days=int(relative.group(1)))
    return parse_instant(text)


def parse_week(text: str) -> Period:
    """An ISO week such as 2026-W47: Monday 00:00 UTC to the next Monday."""
    match = _WEEK.match(text.strip())
    if not match:
        raise PeriodError(f"{text!r} is not an ISO week like 2026-W47")
    try:
        monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise PeriodError(f"{text!r} is not a week of that year") from None
    start = datetime.combine(monday, time(), UTC)
    return Period(start, start + timedelta(days=7))


def resolve_period(
    now: datetime,
    since: str | None = None,
    until: str | None = None,
    week: str | None = None,
    default_days: int = DEFAULT_DAYS,
) -> Period:
    """The period the options describe: `until` defaults to now, `since` to `default_days`
    before `until`, and `Nd` counts back from `until` too."""
    if week is not None:
        if since is not None or until is not None:
            raise PeriodError("--week cannot be combined with --since or --until")
        return _for_option("--week", parse_week, week)
    end = _for_option("--until", parse_instant, until) if until is not None else _as_utc(now)
    if since is None:
        return Period(end - timedelta(days=default_days), end)
    return Period(_for_option("--since", parse_since, since, end), end)


def _for_option(option: str, parse: Callable[..., _T], *args: Any) -> _T:
    try:
        return parse(*args)
    except PeriodError as error:
        raise PeriodError(str(error), option) from None


def days_before(end: datetime, days: int) -> Period:
    """The `days` whole UTC days before the day `end` falls on (used by scheduled digests)."""
    midnight = datetime.combine(_as_utc(end).date(), time(), UTC)
    return Period(midnight - timedelta(days=days), midnight)


def sql_bound(moment: datetime) -> str:
    """A bound that compares correctly, as text, with stored UTC ISO timestamps.

    Midnight is written as a bare date so that articles stored with day precision
    ("2026-11-15") fall on that day; other instants have no zone suffix, so that
    "…:00Z", "…:00+00:00" and "…:00.5Z" all sort after the bound they equal.
    """
    moment = _as_utc(moment)
    if moment.time() == time():
        return moment.date().isoformat()
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def iso_instant(moment: datetime) -> str:
    return _as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def period_label(period: Period) -> str:
    """`2026-W47` for an ISO week, `2026-11-21` for one day, otherwise first and last day."""
    first = period.start.date()
    last = (period.end - timedelta(microseconds=1)).date()
    if _is_iso_week(period):
        year, week, _ = first.isocalendar()
        return f"{year}-W{week:02d}"
    if _is_midnight(period.start) and period.days == 1:
        return first.isoformat()
    return f"{first.isoformat()}_to_{last.isoformat()}"


def _is_iso_week(period: Period) -> bool:
    return _is_midnight(period.start) and period.start.weekday() == 0 and period.days == 7


def _is_midnight(moment: datetime) -> bool:
    return moment.time() == time()


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
