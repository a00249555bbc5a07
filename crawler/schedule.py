"""The schedule grammar: an interval ("30m", "6h", "1d") or a five-field cron line.

Cron day-of-week fields take day names (``mon``-``sun``), never numbers: cron counts
Sunday as 0 while APScheduler counts Monday as 0, and a number would silently mean a
different day depending on who reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

INTERVAL = re.compile(r"^(\d+)([smhd])$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
DAY_NAMES = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
FIELD_RANGES = (("minute", 0, 59), ("hour", 0, 23), ("day", 1, 31), ("month", 1, 12))


@dataclass(frozen=True)
class Interval:
    every: timedelta


@dataclass(frozen=True)
class Cron:
    minute: str
    hour: str
    day: str
    month: str
    day_of_week: str


def parse_schedule(text: str) -> Interval | Cron:
    """Parse a schedule, or raise ValueError saying what is wrong."""
    match = INTERVAL.match(text.strip())
    if match:
        amount = int(match.group(1))
        if amount == 0:
            raise ValueError("an interval must be longer than zero")
        return Interval(timedelta(**{UNITS[match.group(2)]: amount}))
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(
            f"not a schedule: {text!r} (use an interval such as '30m', '6h', '1d' "
            "or a cron line such as '0 6 * * mon')"
        )
    for value, (name, low, high) in zip(fields[:4], FIELD_RANGES, strict=False):
        _check_numeric_field(value, name, low, high)
    _check_day_of_week(fields[4])
    return Cron(*fields)


def _check_numeric_field(value: str, name: str, low: int, high: int) -> None:
    for part in value.split(","):
        base, _, step = part.partition("/")
        if step and not step.isdigit():
            raise ValueError(f"cron {name} field: bad step {step!r}")
        if base == "*":
            continue
        bounds = base.split("-")
        if len(bounds) > 2 or not all(b.isdigit() and low <= int(b) <= high for b in bounds):
            raise ValueError(f"cron {name} field: {part!r} is not in {low}-{high}")


def _check_day_of_week(value: str) -> None:
    for part in value.split(","):
        base, _, step = part.partition("/")
        if step and not step.isdigit():
            raise ValueError(f"cron day-of-week field: bad step {step!r}")
        if base == "*":
            continue
        for name in base.split("-"):
            if name.isdigit():
                raise ValueError(
                    f"cron day-of-week field: use day names (mon-sun), not numbers: {value!r}"
                )
            if name.lower() not in DAY_NAMES:
                raise ValueError(f"cron day-of-week field: {name!r} is not a day name")
