"""Housekeeping: keep a database that grows every day fast and bounded for months.

One `run_housekeeping` call, made by the daemon on its schedule (and by tests):

- prune what grows without bound: `fetches` rows (one per HTTP request) older than
  `fetches_max_age_days`, and the raw pages of irrelevant articles older than
  `raw_pages_max_age_days` (relevant articles keep theirs so `reprocess` can rebuild them);
- optimise the full-text index and let SQLite refresh its planner statistics;
- give freed pages back to the file system (incremental vacuum, see below);
- checkpoint the WAL so the `-wal` file does not grow between quiet spells;
- write a consistent backup with SQLite's online backup API, when a folder is configured.

Incremental vacuum needs `auto_vacuum = INCREMENTAL`, which SQLite only accepts before the
first table is created or through a full `VACUUM`. The schema is created by migrations on
first open, so the first housekeeping run converts the file once with one `VACUUM` (a
database that is a few days old is small, and it runs while readers keep reading in WAL
mode); after that each run only frees pages with `PRAGMA incremental_vacuum`.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from crawler.health import iso

log = logging.getLogger("pivotwatch.housekeeping")

AUTO_VACUUM_INCREMENTAL = 2


@dataclass(frozen=True)
class HousekeepingPolicy:
    fetches_max_age_days: int = 90
    raw_pages_max_age_days: int = 180
    backup_folder: Path | None = None
    backups_kept: int = 7

    @classmethod
    def from_settings(cls, settings: Any) -> HousekeepingPolicy:
        """The `[daemon]` keys that exist; defaults for the rest."""
        section = settings.daemon
        return cls(
            fetches_max_age_days=getattr(section, "fetches_max_age_days", cls.fetches_max_age_days),
            raw_pages_max_age_days=getattr(
                section, "raw_pages_max_age_days", cls.raw_pages_max_age_days
            ),
            backup_folder=getattr(section, "backup_folder", None),
            backups_kept=getattr(section, "backups_kept", cls.backups_kept),
        )


@dataclass(frozen=True)
class HousekeepingReport:
    fetches_pruned: int
    raw_pages_pruned: int
    converted_to_incremental: bool
    pages_freed: int
    backup: Path | None

    def summary(self) -> str:
        backup = f", backup {self.backup}" if self.backup else ""
        return (
            f"pruned {self.fetches_pruned} fetches and {self.raw_pages_pruned} raw pages, "
            f"freed {self.pages_freed} pages{backup}"
        )


def run_housekeeping(db: Database, policy: HousekeepingPolicy, now: datetime) -> HousekeepingReport:
    fetches = prune_fetches(db, now - timedelta(days=policy.fetches_max_age_days))
    raw_pages = prune_irrelevant_raw_pages(db, now - timedelta(days=policy.raw_pages_max_age_days))
    optimise_search_index(db)
    converted = ensure_incremental_vacuum(db)
    freed = vacuum_incrementally(db)
    checkpoint(db)
    backup = None
    if policy.backup_folder is not None:
        backup = back_up(db, policy.backup_folder, now)
        remove_old_backups(policy.backup_folder, policy.backups_kept)
    return HousekeepingReport(fetches, raw_pages, converted, freed, backup)


def prune_fetches(db: Database, older_than: datetime) -> int:
    with db.atomic():
        cursor = db.execute("DELETE FROM fetches WHERE fetched < ?", [iso(older_than)])
    return cursor.rowcount


def prune_irrelevant_raw_pages(db: Database, older_than: datetime) -> int:
    with db.atomic():
        cursor = db.execute(
            "DELETE FROM raw_pages WHERE fetched < ? AND url IN "
            "(SELECT url FROM articles WHERE relevant = 0)",
            [iso(older_than)],
        )
    return cursor.rowcount


def optimise_search_index(db: Database) -> None:
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
    db.execute("PRAGMA optimize")


def ensure_incremental_vacuum(db: Database) -> bool:
    """Switch the file to incremental auto-vacuum once; True if it was converted now."""
    if db.execute("PRAGMA auto_vacuum").fetchone()[0] == AUTO_VACUUM_INCREMENTAL:
        return False
    log.info("converting the database to incremental auto-vacuum (one full VACUUM)")
    db.execute("PRAGMA auto_vacuum = INCREMENTAL")
    db.execute("VACUUM")
    return True


def vacuum_incrementally(db: Database) -> int:
    free = db.execute("PRAGMA freelist_count").fetchone()[0]
    # sqlite3's execute() steps a statement once, and this pragma frees one page per step;
    # executescript() steps it to the end.
    db.conn.executescript("PRAGMA incremental_vacuum;")
    return free - db.execute("PRAGMA freelist_count").fetchone()[0]


def checkpoint(db: Database) -> tuple[int, int, int]:
    """Copy the WAL into the database and truncate it; (busy, wal pages, copied pages)."""
    busy, pages, copied = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        log.info("WAL checkpoint partly done: a reader is still using %d pages", pages - copied)
    return busy, pages, copied


def back_up(db: Database, folder: Path, now: datetime) -> Path:
    """A consistent copy made with SQLite's backup API, renamed into place when complete."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"pivotwatch-{now.strftime('%Y%m%dT%H%M%SZ')}.db"
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    copy = sqlite3.connect(partial)
    try:
        # One step: copying in slices restarts whenever another connection writes (the
        # heartbeat does, every few seconds), and WAL readers do not block the writer anyway.
        db.conn.backup(copy)
    finally:
        copy.close()
    partial.replace(target)
    return target


def remove_old_backups(folder: Path, kept: int) -> list[Path]:
    backups = sorted(folder.glob("pivotwatch-*.db"))
    old = backups[: max(0, len(backups) - kept)]
    for path in old:
        path.unlink()
    return old
