"""Benchmark: the digest CSV over the synthetic database (200,000 articles by default).

    .venv/bin/python tests/benchmarks/bench_digest.py [--articles N] [--repeat R]

Measures the default digest (the 7 days before the newest article) and a whole-year
digest, each from opening the database to the last byte written to a file, prints a
table and writes it to `bench-results/digest.md`. The target is under 2 s for both.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_db import CACHE, build_synthetic_db  # noqa: E402

from pipelines.digest import DigestFilters, check_filters, write_digest_file  # noqa: E402
from pipelines.periods import Period, resolve_period  # noqa: E402
from pipelines.store import open_database, open_reader  # noqa: E402

TARGET_SECONDS = 2.0
RESULTS = ROOT / "bench-results" / "digest.md"


def migrated_copy(n_articles: int, seed: int) -> Path:
    """A private copy of the shared synthetic database with every migration applied."""
    shared = build_synthetic_db(CACHE / f"synthetic-v1-n{n_articles}-s{seed}.db", n_articles, seed)
    copy = CACHE / f"digest-bench-n{n_articles}-s{seed}.db"
    if not copy.exists() or copy.stat().st_mtime < shared.stat().st_mtime:
        shutil.copyfile(shared, copy)
    open_database(copy).close()  # applies migrations added since the copy was made
    return copy


def newest_article(path: Path) -> datetime:
    db = open_reader(path)
    (newest,) = db.execute("SELECT max(coalesce(published, fetched)) FROM articles").fetchone()
    return datetime.fromisoformat(newest)


def run_digest(path: Path, period: Period, filters: DigestFilters, out: Path) -> int:
    db = open_reader(path)
    result = write_digest_file(db, out, period, check_filters(db, filters))
    db.conn.close()
    return result.rows


def timed(action: Callable[[], int], repeat: int) -> tuple[int, list[float], list[float]]:
    """Rows, wall-clock seconds and CPU seconds of each run (CPU time shows less of the
    noise other processes on the machine add)."""
    wall, cpu = [], []
    rows = 0
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        rows = action()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return rows, wall, cpu


def cases(now: datetime) -> list[tuple[str, Period, DigestFilters]]:
    year = Period(now - timedelta(days=365), now)
    return [
        ("default: 7 days, relevant", resolve_period(now), DigestFilters()),
        ("whole year, relevant", year, DigestFilters()),
        ("whole year, --all", year, DigestFilters(include_irrelevant=True)),
    ]


Result = tuple[str, int, int, float, float, float]


def measure(path: Path, repeat: int) -> list[Result]:
    now = newest_article(path) + timedelta(seconds=1)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "digest.csv"
        for label, period, filters in cases(now):
            count, wall, cpu = timed(
                lambda p=period, f=filters: run_digest(path, p, f, out), repeat
            )
            median = statistics.median
            rows.append((label, count, out.stat().st_size, median(wall), min(wall), median(cpu)))
    return rows


def table(results: list[Result]) -> str:
    lines = [
        "| digest | rows | CSV bytes | median s | best s | median CPU s | median under 2 s |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for label, count, size, median, best, cpu in results:
        verdict = "yes" if median < TARGET_SECONDS else "NO"
        lines.append(
            f"| {label} | {count:,} | {size:,} | {median:.3f} | {best:.3f} | {cpu:.3f} "
            f"| {verdict} |"
        )
    return "\n".join(lines)


def report(results: list[Result], n_articles: int, repeat: int, command: str) -> str:
    load = " / ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"# Digest benchmark\n\n{n_articles:,} synthetic articles "
        f"(`tests/benchmarks/synthetic_db.py`), {repeat} runs each, timed from opening the "
        "database to the last byte of the CSV file.\n\n"
        f"{table(results)}\n\n"
        f"- command: `{command}`\n"
        f"- cores: {os.cpu_count()}; load average (1/5/15 min) when it finished: {load}\n"
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{platform.machine()}\n"
        f"- measured: {datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    path = migrated_copy(args.articles, args.seed)
    results = measure(path, args.repeat)
    command = ".venv/bin/python tests/benchmarks/bench_digest.py " + " ".join(sys.argv[1:])
    text = report(results, args.articles, args.repeat, command.strip())
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
