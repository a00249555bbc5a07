"""Health: what the daemon records about itself, and the problems `status --check` reports.

The daemon writes two small tables: `jobs` (each job's last run, outcome and next run) and
`heartbeat` (one row, refreshed every few seconds while the daemon runs, deleted on a clean
stop). Source health comes from `crawl_runs`, which every pass writes, daemon or cron.
Every function takes `now` so that tests choose the time.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database

HEALTH_SQL = """
SELECT
    :source AS source,
    (SELECT max(started) FROM crawl_runs WHERE source = :source) AS last_run,
    (SELECT max(started) FROM crawl_runs WHERE source = :source AND outcome = 'ok')
        AS last_success,
    (SELECT max(fetched) FROM articles WHERE source = :source) AS last_new_article,
    (SELECT count(*) FROM crawl_runs WHERE source = :source AND outcome = 'failed'
        AND started > coalesce((SELECT max(started) FROM crawl_runs
                                WHERE source = :source AND outcome != 'failed'), ''))
        AS consecutive_failures,
    (SELECT last_error FROM crawl_runs WHERE source = :source AND last_error IS NOT NULL
        ORDER BY started DESC LIMIT 1) AS last_error
"""

FIRST_FAILURE_SQL = """
SELECT min(started) FROM crawl_runs WHERE source = :source AND outcome = 'failed'
AND started > coalesce((SELECT max(started) FROM crawl_runs
                        WHERE source = :source AND outcome != 'failed'), '')
"""

# Runs that stored something new, newest first: their spacing is the source's usual rhythm.
PRODUCTIVE_RUNS_SQL = """
SELECT coalesce(finished, started) FROM crawl_runs
WHERE source = :source AND new_articles > 0 ORDER BY started DESC LIMIT :limit
"""

MIN_GAPS_FOR_A_RHYTHM = 3
QUIET_FACTOR = 3
QUIET_FLOOR = timedelta(days=7)


def iso(moment: datetime) -> str:
    """ISO 8601 UTC to the second: the one time format in the database."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def source_health(db: Database, names: list[str]) -> list[dict[str, Any]]:
    """One row per source: last run, last success, last new article, failures, last error."""
    return [dict(next(iter(db.query(HEALTH_SQL, {"source": name})))) for name in names]


# -- what the daemon records ---------------------------------------------------------------


def record_heartbeat(db: Database, pid: int, started: datetime, now: datetime) -> None:
    db.execute(
        "INSERT INTO heartbeat (id, pid, started, beat) VALUES (1, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, started = excluded.started, "
        "beat = excluded.beat",
        [pid, iso(started), iso(now)],
    )


def clear_heartbeat(db: Database) -> None:
    """A clean stop: the daemon no longer claims to run, so its silence is not a problem."""
    db.execute("DELETE FROM heartbeat WHERE id = 1")


def record_job_run(db: Database, job_id: str, finished: datetime, outcome: str) -> None:
    db.execute(
        "INSERT INTO jobs (id, last_run, outcome) VALUES (?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET last_run = excluded.last_run, "
        "outcome = excluded.outcome",
        [job_id, iso(finished), outcome],
    )


def record_next_run(db: Database, job_id: str, next_run: datetime | None) -> None:
    db.execute(
        "INSERT INTO jobs (id, next_run) VALUES (?, ?) "
        "ON CONFLICT (id) DO UPDATE SET next_run = excluded.next_run",
        [job_id, iso(next_run) if next_run else None],
    )


def forget_jobs(db: Database, keep: Iterable[str]) -> None:
    """Drop rows of jobs no longer scheduled (a source removed from the config)."""
    kept = sorted(keep)
    marks = ", ".join("?" for _ in kept) or "''"
    db.execute(f"DELETE FROM jobs WHERE id NOT IN ({marks})", kept)


# -- what was recorded ---------------------------------------------------------------------


@dataclass(frozen=True)
class LastRun:
    finished: datetime | None
    outcome: str | None
    next_run: datetime | None = None


def last_job_run(db: Database, job_id: str) -> LastRun:
    row = db.execute(
        "SELECT last_run, outcome, next_run FROM jobs WHERE id = ?", [job_id]
    ).fetchone()
    if row is None:
        return LastRun(None, None)
    return LastRun(parse_time(row[0]), row[1], parse_time(row[2]))


def last_finished_pass(db: Database, source: str) -> datetime | None:
    row = db.execute("SELECT max(finished) FROM crawl_runs WHERE source = ?", [source]).fetchone()
    return parse_time(row[0])


def last_pass_interrupted(db: Database, source: str) -> bool:
    """The source's latest pass never finished: the process died or was killed during it."""
    row = db.execute(
        "SELECT finished FROM crawl_runs WHERE source = ? ORDER BY id DESC LIMIT 1", [source]
    ).fetchone()
    return row is not None and row[0] is None


def job_rows(db: Database) -> list[dict[str, Any]]:
    return [dict(row) for row in db.query("SELECT * FROM jobs ORDER BY id")]


def heartbeat_row(db: Database) -> dict[str, Any] | None:
    rows = list(db.query("SELECT pid, started, beat FROM heartbeat WHERE id = 1"))
    return dict(rows[0]) if rows else None


# -- problems ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    heartbeat_stale: timedelta
    failing: timedelta


def find_problems(
    db: Database, sources: list[str], thresholds: Thresholds, now: datetime
) -> list[str]:
    """Everything that needs a person's attention, one sentence each."""
    problems = stale_heartbeat(db, thresholds.heartbeat_stale, now)
    for source in sources:
        problems += failing_too_long(db, source, thresholds.failing, now)
        problems += quiet_too_long(db, source, now)
    return problems


def stale_heartbeat(db: Database, stale_after: timedelta, now: datetime) -> list[str]:
    row = heartbeat_row(db)
    beat = parse_time(row["beat"]) if row else None
    if row is None or beat is None or now - beat <= stale_after:
        return []
    return [
        f"daemon: no heartbeat since {iso(beat)} ({_age(now - beat)} ago, pid {row['pid']}); "
        "it is hung or died without stopping"
    ]


def failing_too_long(db: Database, source: str, limit: timedelta, now: datetime) -> list[str]:
    first = parse_time(db.execute(FIRST_FAILURE_SQL, {"source": source}).fetchone()[0])
    if first is None or now - first <= limit:
        return []
    return [f"{source}: failing since {iso(first)} ({_age(now - first)})"]


def quiet_too_long(db: Database, source: str, now: datetime) -> list[str]:
    """Nothing new for more than 3x the usual gap between new articles and over a week."""
    rows = db.execute(PRODUCTIVE_RUNS_SQL, {"source": source, "limit": 50}).fetchall()
    times = [moment for (text,) in rows if (moment := parse_time(text))]
    if len(times) <= MIN_GAPS_FOR_A_RHYTHM:
        return []
    gaps = [(newer - older).total_seconds() for newer, older in zip(times, times[1:], strict=False)]
    usual = timedelta(seconds=statistics.median(gaps))
    silence = now - times[0]
    if silence <= max(QUIET_FACTOR * usual, QUIET_FLOOR):
        return []
    return [
        f"{source}: nothing new since {iso(times[0])} ({_age(silence)}; "
        f"usually every {_age(usual)})"
    ]


def _age(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds >= 3 * 86400:
        return f"{seconds // 86400} days"
    if seconds >= 2 * 3600:
        return f"{seconds // 3600} hours"
    if seconds >= 120:
        return f"{seconds // 60} minutes"
    return f"{seconds} seconds"
