"""Health checks with a chosen `now`, and `pivotwatch status` over a recorded database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from crawler.health import (
    Thresholds,
    clear_heartbeat,
    find_problems,
    iso,
    record_heartbeat,
    record_job_run,
    record_next_run,
)
from pipelines.store import open_database

ROOT = Path(__file__).parent.parent
NOW = datetime(2026, 10, 14, 12, 0, tzinfo=UTC)
LIMITS = Thresholds(heartbeat_stale=timedelta(minutes=2), failing=timedelta(hours=48))


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "data.db")
    yield database
    database.conn.close()


def add_run(db: Database, source: str, hours_ago: float, outcome: str, new: int = 0) -> None:
    moment = iso(NOW - timedelta(hours=hours_ago))
    db["crawl_runs"].insert(
        {
            "source": source,
            "started": moment,
            "finished": moment,
            "outcome": outcome,
            "new_articles": new,
            "last_error": None if outcome == "ok" else "HTTP 503",
        }
    )


def test_a_healthy_database_has_no_problems(db: Database) -> None:
    record_heartbeat(db, 42, NOW - timedelta(days=3), NOW - timedelta(seconds=30))
    for day in range(10):
        add_run(db, "wpr", hours_ago=24 * day + 1, outcome="ok", new=2)
    assert find_problems(db, ["wpr"], LIMITS, NOW) == []


def test_a_stale_heartbeat_is_a_problem(db: Database) -> None:
    record_heartbeat(db, 42, NOW - timedelta(days=3), NOW - timedelta(minutes=10))
    assert find_problems(db, [], LIMITS, NOW) == [
        "daemon: no heartbeat since 2026-10-14T11:50:00Z (10 minutes ago, pid 42); "
        "it is hung or died without stopping"
    ]


def test_a_cleanly_stopped_daemon_is_not_a_problem(db: Database) -> None:
    record_heartbeat(db, 42, NOW - timedelta(days=3), NOW - timedelta(days=1))
    clear_heartbeat(db)
    assert find_problems(db, [], LIMITS, NOW) == []


@pytest.mark.parametrize(
    ("runs", "problems"),
    [
        (
            [(60, "ok"), (50, "failed"), (1, "failed")],
            ["wpr: failing since 2026-10-12T10:00:00Z (50 hours)"],
        ),
        ([(60, "ok"), (40, "failed"), (1, "failed")], []),
        ([(60, "failed"), (50, "ok"), (1, "failed")], []),
    ],
    ids=["failing-50h", "failing-40h", "recovered-then-failed-once"],
)
def test_failing_longer_than_failing_hours(db: Database, runs, problems) -> None:
    for hours_ago, outcome in runs:
        add_run(db, "wpr", hours_ago, outcome)
    assert find_problems(db, ["wpr"], LIMITS, NOW) == problems


@pytest.mark.parametrize(
    ("every_hours", "quiet_days", "expected"),
    [
        (24, 8, ["wpr: nothing new since 2026-10-06T12:00:00Z (8 days; usually every 24 hours)"]),
        (24, 6, []),
        (72, 8, []),
        (96, 13, ["wpr: nothing new since 2026-10-01T12:00:00Z (13 days; usually every 4 days)"]),
    ],
    ids=[
        "daily-silent-8-days",
        "daily-silent-6-days",
        "3-daily-silent-8-days",
        "4-daily-silent-13",
    ],
)
def test_silent_much_longer_than_usual(db: Database, every_hours, quiet_days, expected) -> None:
    last = quiet_days * 24
    for n in range(6):
        add_run(db, "wpr", hours_ago=last + n * every_hours, outcome="ok", new=3)
    add_run(db, "wpr", hours_ago=1, outcome="ok", new=0)
    assert find_problems(db, ["wpr"], LIMITS, NOW) == expected


def test_too_few_new_articles_to_know_the_rhythm(db: Database) -> None:
    for n in range(3):
        add_run(db, "wpr", hours_ago=24 * 30 + n * 24, outcome="ok", new=1)
    assert find_problems(db, ["wpr"], LIMITS, NOW) == []


# -- the command ---------------------------------------------------------------------------


def cli_or_skip():
    try:
        from crawler.cli import cli
    except ImportError as error:  # another part of the package has not landed yet
        pytest.skip(f"the CLI does not import yet: {error}")
    return cli


def settings_file(tmp_path: Path) -> Path:
    (tmp_path / "sources.toml").write_text(
        '[[source]]\nname = "wpr"\ntitle = "WPR"\nhomepage = "http://127.0.0.1:9/"\n'
        'source_type = "journal"\n'
    )
    path = tmp_path / "settings.toml"
    path.write_text(f'db = "data.db"\nthemes = "{ROOT / "config" / "themes.toml"}"\n')
    return path


def test_status_shows_sources_jobs_and_heartbeat(db: Database, tmp_path: Path) -> None:
    cli = cli_or_skip()
    now = datetime.now(UTC)
    record_heartbeat(db, 4242, now - timedelta(hours=1), now)
    record_job_run(db, "crawl:wpr", now - timedelta(minutes=5), "ok")
    record_next_run(db, "crawl:wpr", now + timedelta(minutes=55))
    result = CliRunner().invoke(cli, ["--config", str(settings_file(tmp_path)), "status"])
    assert result.exit_code == 0, result.output
    assert "daemon: pid 4242" in result.output
    assert f"crawl:wpr  {iso(now - timedelta(minutes=5))}  ok" in result.output


def test_status_check_prints_one_line_per_problem_and_exits_1(db: Database, tmp_path: Path) -> None:
    cli = cli_or_skip()
    now = datetime.now(UTC)
    record_heartbeat(db, 4242, now - timedelta(days=2), now - timedelta(hours=1))
    for hours_ago in (72, 60, 1):
        moment = iso(now - timedelta(hours=hours_ago))
        db["crawl_runs"].insert(
            {"source": "wpr", "started": moment, "finished": moment, "outcome": "failed"}
        )
    args = ["--config", str(settings_file(tmp_path)), "status", "--check"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("daemon: no heartbeat since")
    assert lines[1].startswith("wpr: failing since")


def test_status_check_exits_0_when_all_is_well(db: Database, tmp_path: Path) -> None:
    cli = cli_or_skip()
    args = ["--config", str(settings_file(tmp_path)), "status", "--check"]
    result = CliRunner().invoke(cli, args)
    assert (result.exit_code, result.output) == (0, "")
