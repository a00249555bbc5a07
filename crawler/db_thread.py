"""The pass's one database thread, which commits the calls waiting for it together.

Every database call of a pass runs here, one after another. Calls that arrive while the
thread is busy are run in the next transaction together (group commit), each inside its
own savepoint: a call that raises is undone alone, and every caller hears back only once
its transaction has committed. A kill at any moment therefore leaves each call's writes
either all in the database or all absent, as one transaction per call did, while a busy
pass pays for one commit (and one full-text index segment) per batch, not per article.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlite_utils import Database

from pipelines.store import StoreError

T = TypeVar("T")
log = logging.getLogger("pivotwatch.db")

# Most calls in one transaction: bounds how long a reader can wait for fresh rows.
MAX_BATCH = 64


@dataclass
class Call:
    function: Callable[..., Any]
    args: tuple[Any, ...]
    # None for a posted call, whose caller does not wait (see `DbThread.post`).
    loop: asyncio.AbstractEventLoop | None = None
    future: asyncio.Future[Any] | None = None
    outcome: tuple[bool, Any] = field(default=(True, None))


class DbThread:
    """Runs every database call of a pass, in order, on one thread, batched into commits."""

    def __init__(self, db: Database, max_batch: int = MAX_BATCH) -> None:
        self.db = db
        self.max_batch = max_batch
        self._calls: queue.SimpleQueue[Call | None] = queue.SimpleQueue()
        # A posted call that failed to write: every later call raises it as StoreError.
        self._broken: BaseException | None = None
        self._thread = threading.Thread(target=self._serve, name="crawl-db", daemon=True)
        self._thread.start()

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Run `function` on the DB thread; return once its writes are committed.

        A database that cannot be written is StoreError.
        """
        if self._broken is not None:
            raise StoreError(str(self._broken)) from self._broken
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._calls.put(Call(function, args, loop, future))
        try:
            return await future
        except sqlite3.OperationalError as error:
            raise StoreError(str(error)) from error

    def post(self, function: Callable[..., Any], *args: Any) -> None:
        """Queue a write without waiting for it (a fetch log row).

        It commits with or before whatever is queued after it, so an article's fetch row
        is never missing once the article is stored. If it cannot be written, the next
        `run` raises StoreError.
        """
        if self._broken is not None:
            raise StoreError(str(self._broken)) from self._broken
        self._calls.put(Call(function, args))

    def close(self) -> None:
        self._calls.put(None)
        self._thread.join()

    def _serve(self) -> None:
        while True:
            first = self._calls.get()
            if first is None:
                return
            batch, last = [first], False
            while len(batch) < self.max_batch:
                try:
                    call = self._calls.get_nowait()
                except queue.Empty:
                    break
                if call is None:
                    last = True
                    break
                batch.append(call)
            self._run_batch(batch)
            if last:
                return

    def _run_batch(self, batch: list[Call]) -> None:
        conn = self.db.conn
        try:
            conn.execute("BEGIN")
            for call in batch:
                self._run_one(conn, call)
            conn.execute("COMMIT")
        except sqlite3.Error as error:
            # The transaction is lost: nothing of the batch was stored, whatever ran.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            for call in batch:
                call.outcome = (False, error)
        for call in batch:
            self._deliver(call)

    def _run_one(self, conn: sqlite3.Connection, call: Call) -> None:
        conn.execute("SAVEPOINT call")
        try:
            result = call.function(*call.args)
        except Exception as error:
            if not conn.in_transaction:
                raise sqlite3.OperationalError(f"transaction lost: {error}") from error
            conn.execute("ROLLBACK TO call")
            conn.execute("RELEASE call")
            if isinstance(error, sqlite3.OperationalError):
                raise  # the disk or the file, not this call's data: the batch fails
            call.outcome = (False, error)
        else:
            conn.execute("RELEASE call")
            call.outcome = (True, result)

    def _deliver(self, call: Call) -> None:
        succeeded, value = call.outcome
        if call.loop is None or call.future is None:
            if not succeeded:
                log.error("a queued write failed: %s", value)
                self._broken = value
            return
        future = call.future
        if succeeded:
            call.loop.call_soon_threadsafe(_set_result, future, value)
        else:
            call.loop.call_soon_threadsafe(_set_exception, future, value)


def _set_result(future: asyncio.Future[Any], value: Any) -> None:
    if not future.done():
        future.set_result(value)


def _set_exception(future: asyncio.Future[Any], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)
