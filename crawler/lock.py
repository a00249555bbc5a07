"""One writer per database: an OS file lock that dies with its process.

`flock` is released by the kernel when the holder exits, however it exits, so a crash
never leaves a stale lock behind (unlike a PID file).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


class LockError(Exception):
    """Another process holds the writer lock."""


class WriterLock:
    def __init__(self, path: Path, holder: str = "crawl") -> None:
        self.path = path
        self.holder = holder
        self._file: IO[str] | None = None

    @classmethod
    def for_database(cls, db_path: Path, holder: str = "crawl") -> WriterLock:
        return cls(db_path.with_name(db_path.name + ".lock"), holder)

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "another process"
            handle.close()
            raise LockError(
                f"{owner} holds the writer lock on {self.path.with_suffix('')}; "
                "wait for it to finish or stop it"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{self.holder} (pid {os.getpid()})")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
