"""The `urls` table as seen set and work queue, `polls` as change memory, and the run log.

A URL is inserted once, when first discovered; its state then moves
discovered -> stored | skipped | refused | failed, and `failed` URLs come back after a
backoff that grows with `attempts`. Every function here is synchronous and runs on the
pass's single database thread (`crawler.db_thread`), so the processor's article writes
never interleave with queue writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from crawler.clock import iso, parse_iso
from crawler.discover import Listed
from crawler.robots import CachedRobots
from pipelines.store import insert_row, upsert_row

RETRY_BASE_SECONDS = 3600.0
RETRY_CAP_SECONDS = 7 * 86400.0
SOURCE_BACKOFF_BASE = 3600.0
SOURCE_BACKOFF_CAP = 86400.0


@dataclass(frozen=True)
class DueUrl:
    url: str
    listed_date: str | None
    attempts: int


@dataclass(frozen=True)
class PollState:
    etag: str | None
    last_modified: str | None
    body_hash: str | None


def retry_delay(attempts: int) -> float:
    return min(RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1), RETRY_CAP_SECONDS)


class UrlQueue:
    def __init__(
        self, db: Database, max_attempts: int = 5, failures_before_backoff: int = 3
    ) -> None:
        self.db = db
        self.max_attempts = max_attempts
        self.failures_before_backoff = failures_before_backoff

    # discovery

    def add(self, source: str, items: list[Listed], now: float) -> list[Listed]:
        """Insert the items not seen before (by URL or feed GUID); return those."""
        new = []
        with self.db.atomic():
            for item in items:
                if self._insert(source, item, iso(now)):
                    new.append(item)
        return new

    def _insert(self, source: str, item: Listed, first_seen: str) -> bool:
        if item.guid and self._guid_known(item.guid, item.url):
            return False
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO urls (url, source, first_seen, guid, listed_date) "
            "VALUES (?, ?, ?, ?, ?)",
            [item.url, source, first_seen, item.guid, item.listed_date],
        )
        if cursor.rowcount == 0 and item.listed_date:
            self.db.execute(
                "UPDATE urls SET listed_date = ? WHERE url = ? AND listed_date IS NULL",
                [item.listed_date, item.url],
            )
        return cursor.rowcount > 0

    def _guid_known(self, guid: str, url: str) -> bool:
        found = self.db.execute(
            "SELECT 1 FROM urls WHERE guid = ? AND url != ? LIMIT 1", [guid, url]
        ).fetchone()
        return found is not None

    def state_of(self, url: str) -> str | None:
        row = self.db.execute("SELECT state FROM urls WHERE url = ?", [url]).fetchone()
        return row[0] if row else None

    # the work queue

    def due(self, source: str, now: float, limit: int, oldest: float | None) -> list[DueUrl]:
        """Discovered and failed URLs whose time has come, newest listed first."""
        cutoff = iso(oldest) if oldest is not None else None
        rows = self.db.execute(
            "SELECT url, listed_date, attempts FROM urls WHERE source = ? "
            "AND (state = 'discovered' OR (state = 'failed' AND attempts < ?)) "
            "AND (next_try IS NULL OR next_try <= ?) "
            "AND (? IS NULL OR listed_date IS NULL OR listed_date >= ?) "
            "ORDER BY listed_date DESC NULLS LAST, first_seen DESC, url LIMIT ?",
            [source, self.max_attempts, iso(now), cutoff, cutoff, limit],
        ).fetchall()
        return [DueUrl(*row) for row in rows]

    def mark_stored(self, url: str, article_id: int) -> None:
        self.db.execute(
            "UPDATE urls SET state = 'stored', article_id = ?, last_error = NULL, "
            "next_try = NULL WHERE url = ?",
            [article_id, url],
        )

    def mark_final(self, url: str, state: str, reason: str) -> None:
        """skipped or refused: not tried again unless the configuration changes."""
        self.db.execute(
            "UPDATE urls SET state = ?, last_error = ?, next_try = NULL WHERE url = ?",
            [state, reason, url],
        )

    def mark_failed(self, url: str, reason: str, now: float, retry_at: float | None) -> None:
        row = self.db.execute("SELECT attempts FROM urls WHERE url = ?", [url]).fetchone()
        attempts = (row[0] if row else 0) + 1
        next_try = retry_at if retry_at is not None else now + retry_delay(attempts)
        self.db.execute(
            "UPDATE urls SET state = 'failed', attempts = ?, last_error = ?, next_try = ? "
            "WHERE url = ?",
            [attempts, reason, iso(next_try), url],
        )

    def defer(self, url: str, until: float, reason: str) -> None:
        """Try again after `until` without counting an attempt (the host was unreachable)."""
        self.db.execute(
            "UPDATE urls SET next_try = ?, last_error = ? WHERE url = ?", [iso(until), reason, url]
        )

    # polls

    def poll_state(self, url: str) -> PollState | None:
        row = self.db.execute(
            "SELECT etag, last_modified, body_hash FROM polls WHERE url = ?", [url]
        ).fetchone()
        return PollState(*row) if row else None

    def save_poll(self, row: dict[str, Any]) -> None:
        upsert_row(self.db, "polls", row, "url")

    def save_polls(self, rows: list[dict[str, Any]]) -> None:
        with self.db.atomic():
            for row in rows:
                self.save_poll(row)

    def add_with_poll(
        self, source: str, items: list[Listed], now: float, poll: dict[str, Any]
    ) -> list[Listed]:
        """Insert new items and the poll's validators together, so a crash loses neither."""
        with self.db.atomic():
            new = self.add(source, items, now)
            self.save_poll(poll)
        return new

    # robots.txt kept between passes

    def cached_robots(self, origin: str) -> CachedRobots | None:
        row = self.db.execute(
            "SELECT status, body, etag, last_modified, expires FROM robots_cache WHERE origin = ?",
            [origin],
        ).fetchone()
        if row is None:
            return None
        return CachedRobots(row[0], row[1], row[2], row[3], parse_iso(row[4]))

    def save_robots(self, origin: str, robots: CachedRobots, now: float) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO robots_cache "
            "(origin, status, body, etag, last_modified, fetched, expires) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                origin,
                robots.status,
                robots.body,
                robots.etag,
                robots.last_modified,
                iso(now),
                iso(robots.expires),
            ],
        )

    # fetch log and runs

    def record_fetch(self, row: dict[str, Any]) -> None:
        insert_row(self.db, "fetches", row)

    def start_run(self, source: str, now: float) -> int:
        return int(self.db["crawl_runs"].insert({"source": source, "started": iso(now)}).last_pk)

    def finish_run(self, run_id: int, values: dict[str, Any]) -> None:
        self.db["crawl_runs"].update(run_id, values)

    def source_backoff(self, source: str) -> tuple[float, int, str | None] | None:
        """(until, failed runs, last error) when a failing source should rest, else None."""
        rows = self.db.execute(
            "SELECT started, outcome, errors, last_error FROM crawl_runs "
            "WHERE source = ? AND finished IS NOT NULL ORDER BY started DESC, id DESC LIMIT 50",
            [source],
        ).fetchall()
        # Rows written while resting have errors = 0; only attempts count towards backoff.
        attempts = [row for row in rows if row[1] != "failed" or row[2] > 0]
        failed = 0
        for row in attempts:
            if row[1] != "failed":
                break
            failed += 1
        if failed < self.failures_before_backoff:
            return None
        rest = SOURCE_BACKOFF_BASE * 2 ** (failed - self.failures_before_backoff)
        until = parse_iso(attempts[0][0]) + min(rest, SOURCE_BACKOFF_CAP)
        return until, failed, attempts[0][3]
