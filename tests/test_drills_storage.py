"""Drills on the database under stress: a long reader while the crawler writes, and a full disk.

The disk fills up without root: the crawler subprocess runs under RLIMIT_FSIZE with SIGXFSZ
ignored, so a write past the limit fails with EFBIG, as it would on a full file system.
"""

from __future__ import annotations

import datetime as dt
import resource
import signal
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hostile_web import CrawlRun, crawl_command, run_measured, write_settings

from crawler.sampleweb import SampleWeb
from pipelines.store import open_database

TODAY = dt.date(2026, 11, 22)
PASS_TIMEOUT = 120
ROOM_FOR_A_FEW_ARTICLES = 100_000  # bytes any database file may grow by before writes fail


@pytest.fixture(scope="module")
def web() -> Iterator[SampleWeb]:
    with SampleWeb(TODAY) as running:
        yield running


def expected_urls(web: SampleWeb) -> set[str]:
    return {entry["url"] for entry in web.manifest()} - set(web.disallowed_urls())


def stored_urls(db: sqlite3.Connection) -> set[str]:
    return {url for (url,) in db.execute("SELECT url FROM urls WHERE state = 'stored'")}


def assert_consistent(db: sqlite3.Connection) -> None:
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")


def prepared(tmp_path: Path, web: SampleWeb) -> tuple[Path, Path]:
    """A settings file and a migrated, empty database."""
    db_path = tmp_path / "pivotwatch.db"
    settings = write_settings(tmp_path, web.sources_toml(), db_path)
    open_database(db_path).conn.close()
    return settings, db_path


def test_long_and_busy_readers_lose_no_write_and_see_no_lock(
    tmp_path: Path, web: SampleWeb
) -> None:
    """One reader holds a read transaction for the whole pass; another polls every 10 ms."""
    settings, db_path = prepared(tmp_path, web)
    long_reader = sqlite3.connect(db_path, isolation_level=None)
    long_reader.execute("BEGIN")
    assert long_reader.execute("SELECT count(*) FROM articles").fetchone() == (0,)
    with polling_reader(db_path) as (errors, reads):
        run = run_measured(crawl_command(settings), PASS_TIMEOUT)
    # The long reader still sees its snapshot while the crawler has committed every article.
    assert long_reader.execute("SELECT count(*) FROM articles").fetchone() == (0,)
    long_reader.execute("COMMIT")
    assert (run.returncode, "locked" in run.stderr, errors) == (0, False, []), run.stderr
    assert reads[0] > 10
    assert stored_urls(long_reader) >= expected_urls(web)
    assert_consistent(long_reader)


@contextmanager
def polling_reader(db_path: Path) -> Iterator[tuple[list[str], list[int]]]:
    done, errors, reads = threading.Event(), [], [0]

    def poll() -> None:
        reader = sqlite3.connect(db_path, isolation_level=None, timeout=5)
        while not done.is_set():
            try:
                reader.execute("SELECT count(*), max(id) FROM articles").fetchone()
                reads[0] += 1
            except sqlite3.Error as error:
                errors.append(str(error))
            done.wait(0.01)
        reader.close()

    thread = threading.Thread(target=poll)
    thread.start()
    try:
        yield errors, reads
    finally:
        done.set()
        thread.join()


def limit_file_size(limit: int) -> Callable[[], None]:
    def apply() -> None:  # runs in the child between fork and exec
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.fixture(scope="module")
def full_disk_pass(
    tmp_path_factory: pytest.TempPathFactory, web: SampleWeb
) -> tuple[CrawlRun, Path, Path]:
    settings, db_path = prepared(tmp_path_factory.mktemp("full-disk"), web)
    limit = db_path.stat().st_size + ROOM_FOR_A_FEW_ARTICLES
    run = run_measured(crawl_command(settings), PASS_TIMEOUT, preexec_fn=limit_file_size(limit))
    return run, settings, db_path


def test_a_full_disk_fails_the_pass_and_the_next_pass_recovers(
    full_disk_pass: tuple[CrawlRun, Path, Path], web: SampleWeb
) -> None:
    run, settings, db_path = full_disk_pass
    assert run.returncode == 1
    db = sqlite3.connect(db_path, isolation_level=None)
    assert_consistent(db)
    assert stored_urls(db) < expected_urls(web)
    assert run_measured(crawl_command(settings), PASS_TIMEOUT).returncode == 0
    assert stored_urls(db) >= expected_urls(web)
    assert_consistent(db)


def test_a_full_disk_is_one_clear_error(full_disk_pass: tuple[CrawlRun, Path, Path]) -> None:
    run, _settings, db_path = full_disk_pass
    errors = [line for line in run.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "Traceback" not in run.stderr
    assert "unexpected" not in errors[0] and str(db_path) in errors[0]
