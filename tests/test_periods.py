"""Digest periods: dates, relative spans and ISO weeks as half-open UTC intervals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipelines.periods import (
    Period,
    PeriodError,
    days_before,
    period_label,
    resolve_period,
    sql_bound,
)

NOW = datetime(2026, 11, 22, 14, 30, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("options", "start", "end"),
    [
        ({}, utc(2026, 11, 15, 14, 30), NOW),
        ({"since": "7d"}, utc(2026, 11, 15, 14, 30), NOW),
        ({"since": "1d"}, utc(2026, 11, 21, 14, 30), NOW),
        ({"since": "2026-11-15"}, utc(2026, 11, 15), NOW),
        ({"since": "2026-11-15", "until": "2026-11-22"}, utc(2026, 11, 15), utc(2026, 11, 22)),
        ({"since": "2026-11-15T09:00:00+09:00"}, utc(2026, 11, 15), NOW),
        ({"since": "2026-11-15T08:00"}, utc(2026, 11, 15, 8), NOW),
        ({"until": "2026-11-20"}, utc(2026, 11, 13), utc(2026, 11, 20)),
        ({"since": "3d", "until": "2026-11-20"}, utc(2026, 11, 17), utc(2026, 11, 20)),
        ({"week": "2026-W47"}, utc(2026, 11, 16), utc(2026, 11, 23)),
        ({"week": "2026-W01"}, utc(2025, 12, 29), utc(2026, 1, 5)),
    ],
    ids=[
        "default",
        "7d",
        "1d",
        "date",
        "date-range",
        "offset",
        "naive-time",
        "until-only",
        "relative-to-until",
        "week",
        "week-spanning-years",
    ],
)
def test_resolve_period(options: dict[str, str], start: datetime, end: datetime) -> None:
    assert resolve_period(NOW, **options) == Period(start, end)


@pytest.mark.parametrize(
    ("options", "message", "option"),
    [
        ({"since": "2026-13-01"}, "'2026-13-01' is not a date like 2026-11-15 or 7d", "--since"),
        ({"since": "last week"}, "'last week' is not a date like 2026-11-15 or 7d", "--since"),
        ({"until": "7d"}, "'7d' is not a date like 2026-11-15 or 7d", "--until"),
        ({"week": "2026-47"}, "'2026-47' is not an ISO week like 2026-W47", "--week"),
        ({"week": "2026-W54"}, "'2026-W54' is not a week of that year", "--week"),
        (
            {"week": "2026-W47", "since": "7d"},
            "--week cannot be combined with --since or --until",
            None,
        ),
        (
            {"since": "2026-11-22", "until": "2026-11-15"},
            "the period is empty: 2026-11-22T00:00:00Z is not before 2026-11-15T00:00:00Z",
            None,
        ),
    ],
    ids=[
        "bad-month",
        "words",
        "relative-until",
        "week-without-w",
        "week-54",
        "week-and-since",
        "reversed",
    ],
)
def test_bad_periods_name_the_option(
    options: dict[str, str], message: str, option: str | None
) -> None:
    with pytest.raises(PeriodError) as raised:
        resolve_period(NOW, **options)
    assert (str(raised.value), raised.value.option) == (message, option)


@pytest.mark.parametrize(
    ("moment", "bound"),
    [(utc(2026, 11, 15), "2026-11-15"), (utc(2026, 11, 15, 8, 5, 9), "2026-11-15T08:05:09")],
    ids=["midnight-is-a-date", "instant-has-no-zone"],
)
def test_sql_bound(moment: datetime, bound: str) -> None:
    assert sql_bound(moment) == bound


@pytest.mark.parametrize(
    ("stored", "inside"),
    [
        ("2026-11-15", True),
        ("2026-11-15T00:00:00Z", True),
        ("2026-11-21T23:59:59.5+00:00", True),
        ("2026-11-22", False),
        ("2026-11-22T00:00:00Z", False),
        ("2026-11-14T23:59:59Z", False),
    ],
    ids=[
        "day-precision-first-day",
        "midnight",
        "last-instant",
        "day-precision-end",
        "end-midnight",
        "before",
    ],
)
def test_stored_timestamps_compare_as_text(stored: str, inside: bool) -> None:
    period = resolve_period(NOW, since="2026-11-15", until="2026-11-22")
    assert (sql_bound(period.start) <= stored < sql_bound(period.end)) is inside


@pytest.mark.parametrize(
    ("end", "days", "start", "label"),
    [
        (utc(2026, 11, 23, 6), 7, utc(2026, 11, 16), "2026-W47"),
        (utc(2026, 11, 23, 0), 7, utc(2026, 11, 16), "2026-W47"),
        (utc(2026, 11, 22, 6), 1, utc(2026, 11, 21), "2026-11-21"),
        (utc(2026, 11, 22, 6), 7, utc(2026, 11, 15), "2026-11-15_to_2026-11-21"),
    ],
    ids=["monday-morning-week", "monday-midnight-week", "one-day", "week-not-iso"],
)
def test_days_before_and_labels(end: datetime, days: int, start: datetime, label: str) -> None:
    period = days_before(end, days)
    assert (period.start, period_label(period)) == (start, label)
