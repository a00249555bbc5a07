"""The daemon's real work functions, called directly as the scheduler calls them."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlite_utils import Database

from crawler.daemon import PipelineWork, log_pass
from crawler.housekeeping import HousekeepingPolicy
from pipelines.store import open_database

MONDAY = datetime(2026, 10, 19, 6, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "data.db")
    yield database
    database.conn.close()


def app_with(tmp_path: Path, **daemon: object) -> SimpleNamespace:
    settings = SimpleNamespace(
        digest=SimpleNamespace(folder=tmp_path / "digests"), daemon=SimpleNamespace(**daemon)
    )
    return SimpleNamespace(settings=settings)


def test_the_digest_job_writes_last_weeks_file_and_records_it(db: Database, tmp_path) -> None:
    work = PipelineWork(app_with(tmp_path), db)
    assert work.write_digest(MONDAY) == "ok"
    assert [p.name for p in (tmp_path / "digests").iterdir()] == ["pivotwatch-digest-2026-W42.csv"]
    assert db.execute("SELECT name, created FROM digest_runs").fetchall() == [
        ("scheduled", "2026-10-19T06:00:00Z")
    ]


def test_the_housekeeping_job_reads_its_policy_from_the_settings(db, tmp_path) -> None:
    app = app_with(tmp_path, fetches_max_age_days=3, backup_folder=tmp_path / "backups")
    assert HousekeepingPolicy.from_settings(app.settings) == HousekeepingPolicy(
        fetches_max_age_days=3, backup_folder=tmp_path / "backups"
    )
    assert PipelineWork(app, db).keep_house(MONDAY) == "ok"
    assert len(list((tmp_path / "backups").glob("*.db"))) == 1


def test_one_log_line_per_pass_with_its_counts(db: Database, caplog) -> None:
    db["crawl_runs"].insert(
        {
            "source": "wpr",
            "started": "2026-10-19T06:00:00Z",
            "finished": "2026-10-19T06:00:09Z",
            "outcome": "partial",
            "discovered": 12,
            "fetched": 5,
            "new_articles": 3,
            "errors": 1,
            "last_error": "HTTP 503",
        }
    )
    with caplog.at_level(logging.INFO, logger="pivotwatch.daemon"):
        assert log_pass(db, "wpr", 9.04) == "partial"
    (record,) = caplog.records
    assert record.getMessage() == (
        "wpr: partial, 12 discovered, 5 fetched, 3 new, 1 errors in 9.0 s (last error: HTTP 503)"
    )
    assert (record.source, record.new_articles, record.errors) == ("wpr", 3, 1)
