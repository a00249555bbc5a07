"""The pass's database thread: calls batched into one commit, each atomic on its own."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from crawler.db_thread import DbThread
from pipelines.store import StoreError


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    conn = sqlite3.connect(tmp_path / "t.db", isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (n INTEGER PRIMARY KEY)")
    yield Database(conn)
    conn.close()


def insert(db: Database, *numbers: int) -> None:
    for n in numbers:
        db.conn.execute("INSERT INTO t (n) VALUES (?)", [n])


def stored(db: Database) -> list[int]:
    return [row[0] for row in db.conn.execute("SELECT n FROM t ORDER BY n")]


def test_a_failing_call_is_undone_alone_and_the_others_commit(db: Database) -> None:
    thread = DbThread(db)

    async def calls() -> list[object]:
        return await asyncio.gather(
            thread.run(insert, db, 1),
            thread.run(insert, db, 2, 1),  # 2 goes in, then 1 again fails: 2 must go too
            thread.run(insert, db, 3),
            return_exceptions=True,
        )

    results = asyncio.run(calls())
    thread.close()
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], sqlite3.IntegrityError)
    assert stored(db) == [1, 3]
    assert not db.conn.in_transaction


def test_a_caller_hears_back_only_after_its_commit(db: Database, tmp_path: Path) -> None:
    thread = DbThread(db)
    reader = sqlite3.connect(tmp_path / "t.db")

    async def call() -> list[int]:
        await thread.run(insert, db, 7)
        return [row[0] for row in reader.execute("SELECT n FROM t")]

    assert asyncio.run(call()) == [7]
    thread.close()
    reader.close()


def test_calls_waiting_together_share_one_transaction(db: Database, tmp_path: Path) -> None:
    thread = DbThread(db)
    reader = sqlite3.connect(tmp_path / "t.db", check_same_thread=False)
    seen: dict[str, int] = {}

    def look(db: Database) -> None:
        seen["writer"] = db.conn.execute("SELECT count(*) FROM t").fetchone()[0]
        seen["reader"] = reader.execute("SELECT count(*) FROM t").fetchone()[0]

    async def calls() -> None:
        gate = threading.Event()
        blocked = asyncio.ensure_future(thread.run(gate.wait))
        await asyncio.sleep(0.05)  # the thread now waits in the gate, alone in its batch
        waiting = [asyncio.ensure_future(thread.run(insert, db, n)) for n in range(1, 21)]
        waiting.append(asyncio.ensure_future(thread.run(look, db)))
        gate.set()
        await asyncio.gather(blocked, *waiting)

    asyncio.run(calls())
    thread.close()
    reader.close()
    assert seen == {"writer": 20, "reader": 0}
    assert len(stored(db)) == 20


def test_a_posted_write_that_fails_stops_the_next_call(db: Database) -> None:
    thread = DbThread(db)

    def broken(db: Database) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    async def calls() -> None:
        thread.post(broken, db)
        await thread.run(insert, db, 1)  # in the posted write's batch or after it
        await thread.run(insert, db, 2)

    with pytest.raises(StoreError, match="disk is full"):
        asyncio.run(calls())
    thread.close()
    assert 2 not in stored(db)


def test_a_disk_error_fails_every_call_of_its_batch(db: Database) -> None:
    thread = DbThread(db)

    def full(db: Database) -> None:
        insert(db, 5)
        raise sqlite3.OperationalError("database or disk is full")

    async def calls() -> list[object]:
        gate = threading.Event()
        blocked = asyncio.ensure_future(thread.run(gate.wait))
        await asyncio.sleep(0.05)
        batch = [asyncio.ensure_future(thread.run(insert, db, 4)), thread.run(full, db)]
        waiting = asyncio.gather(*batch, return_exceptions=True)
        gate.set()
        await blocked
        return await waiting

    results = asyncio.run(calls())
    thread.close()
    assert all(isinstance(result, StoreError) for result in results)
    assert stored(db) == []
    assert not db.conn.in_transaction
