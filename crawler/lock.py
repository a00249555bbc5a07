"""One writer per database: an OS file lock that dies with its process.

`flock` is released by the kernel when the holder exits, however it exits, so a crash
never leaves a stale lock behind (unlike a PID file).
"""

from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path
from typing import IO


class LockError(Exception):
    """Another process holds the writer lock."""


# Global options of the CLI that take a value: the word after them is not the command.
VALUED_OPTIONS = {"--config", "--db", "--log-format"}


def running_command(argv: list[str] | None = None) -> str:
    """`pivotwatch daemon`: the program and its command, to name the holder in errors."""
    words = [Path(word).name if n == 0 else word for n, word in enumerate(argv or sys.argv)]
    program, rest = words[0], words[1:]
    command = next((word for word in _positional(rest)), None)
    return f"{program} {command}" if command else program


def _positional(words: list[str]) -> list[str]:
    """Arguments that are not options or option values (global options take one value)."""
    found, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word.startswith("-"):
            skip = "=" not in word and word in VALUED_OPTIONS
        else:
            found.append(word)
    return found


class WriterLock:
    def __init__(self, path: Path, holder: str | None = None) -> None:
        self.path = path
        self.holder = holder or running_command()
        self._file: IO[str] | None = None

    @classmethod
    def for_database(cls, db_path: Path, holder: str | None = None) -> WriterLock:
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
