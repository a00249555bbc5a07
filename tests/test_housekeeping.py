"""Housekeeping on a real database file: pruning, vacuum, checkpoint and backups."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from crawler.health import iso
from crawler.housekeeping import (
    HousekeepingPolicy,
    back_up,
    remove_old_backups,
    run_housekeeping,
)
from pipelines.store import open_database

NOW = datetime(2026, 10, 14, 4, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "data.db")
    database["sources"].insert(
        {"name": "wpr", "title": "WPR", "homepage": "http://x/", "source_type": "journal"}
    )
    yield database
    database.conn.close()


def add_article(db: Database, url: str, relevant: bool, days_old: int) -> None:
    fetched = iso(NOW - timedelta(days=days_old))
    db["articles"].insert({"url": url, "source": "wpr", "fetched": fetched, "relevant": relevant})
    db["raw_pages"].insert({"url": url, "source": "wpr", "fetched": fetched, "body": b"x" * 100})


def test_prunes_old_fetches_and_old_raw_pages_of_irrelevant_articles(db: Database) -> None:
    db["fetches"].insert_all(
        {"url": f"http://x/{age}", "fetched": iso(NOW - timedelta(days=age))} for age in (1, 89, 91)
    )
    add_article(db, "http://x/old-irrelevant", relevant=False, days_old=200)
    add_article(db, "http://x/old-relevant", relevant=True, days_old=200)
    add_article(db, "http://x/new-irrelevant", relevant=False, days_old=10)
    report = run_housekeeping(db, HousekeepingPolicy(90, 180), NOW)
    assert (report.fetches_pruned, report.raw_pages_pruned) == (1, 1)
    kept = {row["url"] for row in db.query("SELECT url FROM raw_pages")}
    assert kept == {"http://x/old-relevant", "http://x/new-irrelevant"}
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 3


def test_converts_once_to_incremental_vacuum_then_frees_pages(db: Database) -> None:
    first = run_housekeeping(db, HousekeepingPolicy(), NOW)
    assert first.converted_to_incremental
    assert db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db["fetches"].insert_all(
        {"url": "http://x/" + "p" * 500 + str(n), "fetched": iso(NOW - timedelta(days=400))}
        for n in range(2000)
    )
    second = run_housekeeping(db, HousekeepingPolicy(), NOW)
    assert not second.converted_to_incremental
    assert second.fetches_pruned == 2000 and second.pages_freed > 100
    assert db.execute("PRAGMA freelist_count").fetchone()[0] == 0


def test_checkpoint_empties_the_wal(db: Database, tmp_path: Path) -> None:
    add_article(db, "http://x/a", relevant=True, days_old=1)
    run_housekeeping(db, HousekeepingPolicy(), NOW)
    assert (tmp_path / "data.db-wal").stat().st_size == 0


def test_backup_is_a_complete_consistent_database(db: Database, tmp_path: Path) -> None:
    add_article(db, "http://x/a", relevant=True, days_old=1)
    report = run_housekeeping(db, HousekeepingPolicy(backup_folder=tmp_path / "backups"), NOW)
    assert report.backup == tmp_path / "backups" / "pivotwatch-20261014T040000Z.db"
    copy = sqlite3.connect(report.backup)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT url FROM articles").fetchall() == [("http://x/a",)]
    copy.close()
    assert not list((tmp_path / "backups").glob("*.partial"))


def test_only_the_newest_backups_are_kept(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    for day in range(1, 5):
        back_up(db, folder, NOW.replace(day=day))
    removed = remove_old_backups(folder, kept=2)
    assert [path.name for path in removed] == [
        "pivotwatch-20261001T040000Z.db",
        "pivotwatch-20261002T040000Z.db",
    ]
    assert sorted(path.name for path in folder.iterdir()) == [
        "pivotwatch-20261003T040000Z.db",
        "pivotwatch-20261004T040000Z.db",
    ]


def test_search_index_still_answers_after_optimising(db: Database) -> None:
    db["articles"].insert(
        {"id": 7, "url": "http://x/kurils", "source": "wpr", "fetched": iso(NOW), "title": "Kurils"}
    )
    db.execute("INSERT INTO articles_fts (rowid, title, text) VALUES (7, 'kurils', 'islands')")
    run_housekeeping(db, HousekeepingPolicy(), NOW)
    hits = db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'kurils'").fetchall()
    assert hits == [(7,)]
