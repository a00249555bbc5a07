"""The writer lock: one holder per database, named in the error, gone when its process dies."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.lock import LockError, WriterLock, running_command

HOLD_THE_LOCK = """
import sys, time
from pathlib import Path
from crawler.lock import WriterLock
lock = WriterLock.for_database(Path(sys.argv[1]), "pivotwatch daemon")
lock.acquire()
print("locked", flush=True)
time.sleep(60)
"""


def test_a_second_holder_is_refused_with_the_first_ones_name(tmp_path: Path) -> None:
    db = tmp_path / "data.db"
    with WriterLock.for_database(db, "pivotwatch daemon"), pytest.raises(LockError) as refused:
        WriterLock.for_database(db, "pivotwatch crawl").acquire()
    assert str(refused.value).startswith("pivotwatch daemon (pid ")
    assert str(refused.value).endswith(
        f"holds the writer lock on {db}; wait for it to finish or stop it"
    )


def test_the_lock_is_free_again_after_release(tmp_path: Path) -> None:
    db = tmp_path / "data.db"
    first = WriterLock.for_database(db, "first")
    first.acquire()
    first.release()
    with WriterLock.for_database(db, "second"):
        assert (tmp_path / "data.db.lock").read_text().startswith("second (pid ")


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    db = tmp_path / "data.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(LockError):
            WriterLock.for_database(db).acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(5)
    with WriterLock.for_database(db, "after the crash"):
        pass


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["/srv/.venv/bin/pivotwatch", "daemon"], "pivotwatch daemon"),
        (
            ["pivotwatch", "--config", "x.toml", "--db=y.db", "crawl", "--source", "a"],
            "pivotwatch crawl",
        ),
        (["pivotwatch", "--log-format", "json", "reprocess"], "pivotwatch reprocess"),
        (["pivotwatch"], "pivotwatch"),
    ],
    ids=["plain", "global-options", "log-format", "no-command"],
)
def test_the_holder_is_named_by_its_command(argv: list[str], expected: str) -> None:
    assert running_command(argv) == expected
