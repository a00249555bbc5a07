from __future__ import annotations

from datetime import timedelta

import pytest

from crawler.schedule import Cron, Interval, parse_schedule


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", Interval(timedelta(seconds=30))),
        ("15m", Interval(timedelta(minutes=15))),
        ("6h", Interval(timedelta(hours=6))),
        ("1d", Interval(timedelta(days=1))),
        ("0 6 * * mon", Cron("0", "6", "*", "*", "mon")),
        ("*/15 8-18 * * mon-fri", Cron("*/15", "8-18", "*", "*", "mon-fri")),
        ("0 0 1 1,7 *", Cron("0", "0", "1", "1,7", "*")),
    ],
    ids=["seconds", "minutes", "hours", "days", "weekly", "office-hours", "twice-a-year"],
)
def test_good_schedules(text: str, expected: Interval | Cron) -> None:
    assert parse_schedule(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0h", "longer than zero"),
        ("hourly", "not a schedule"),
        ("5 4 * *", "not a schedule"),
        ("0 6 * * 1", "use day names"),
        ("0 25 * * mon", "hour field"),
        ("61 * * * *", "minute field"),
        ("0 6 * * funday", "not a day name"),
    ],
    ids=["zero", "word", "four-fields", "numeric-day", "hour-25", "minute-61", "bad-day"],
)
def test_bad_schedules(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_schedule(text)
