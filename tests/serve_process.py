"""A real `pivotwatch serve` process on a free loopback port, for serve and browser tests."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PIVOTWATCH = Path(sys.executable).parent / "pivotwatch"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_settings(folder: Path, port: int) -> Path:
    settings = folder / "settings.toml"
    settings.write_text(f'[serve]\nhost = "127.0.0.1"\nport = {port}\n', encoding="utf-8")
    return settings


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@contextmanager
def running_server(settings: Path, db: Path, *options: str) -> Iterator[subprocess.Popen[bytes]]:
    command = [str(PIVOTWATCH), "--config", str(settings), "--db", str(db), "serve", *options]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)
