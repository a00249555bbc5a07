"""Failure drills too slow for the test suite: kill -KILL at random moments, and the hostile web
at full size (its 100,000-item feed included) with the default limits.

Kill drill: each run starts `pivotwatch crawl` on a fresh database against the sample web
(`allow_networks = ["127.0.0.0/8"]`, `min_delay = 0`), kills it with SIGKILL after a random
delay, checks the database, runs the next pass to the end and checks again: integrity_check
ok, no duplicated article, none of the sample web's articles missing. The seed is printed
and can be given back with --seed. Failed runs are reported in the table (exit status 0).

    python tests/benchmarks/drills.py [--kills 20] [--seed N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from hostile_web import HostileWeb, crawl_command, run_measured, write_settings  # noqa: E402

from crawler.sampleweb import SampleWeb  # noqa: E402

RESULTS = ROOT / "bench-results" / "drills.md"
TODAY = dt.date(2026, 11, 22)
PASS_TIMEOUT = 300
NO_DATABASE = "no database yet"
EARLIEST_KILL = 0.3  # seconds; before this the process is still importing


@dataclass
class DatabaseCheck:
    integrity: str
    articles: int
    duplicated: int  # rows beyond one per URL, or same text stored twice without a link
    missing: int  # sample-web articles not stored

    @property
    def sound(self) -> bool:
        return self.integrity in ("ok", NO_DATABASE) and self.duplicated == 0


@dataclass
class KillRun:
    number: int
    delay: float
    after_kill: DatabaseCheck
    after_resume: DatabaseCheck
    resume_exit: int

    @property
    def passed(self) -> bool:
        resumed = self.after_resume
        return (
            self.after_kill.sound
            and resumed.sound
            and resumed.missing == 0
            and not (self.resume_exit)
        )


def expected_urls(web: SampleWeb) -> set[str]:
    return {entry["url"] for entry in web.manifest()} - set(web.disallowed_urls())


def check_database(db_path: Path, expected: set[str]) -> DatabaseCheck:
    if not db_path.exists():
        return DatabaseCheck(NO_DATABASE, 0, 0, len(expected))
    db = sqlite3.connect(db_path, isolation_level=None)
    try:
        integrity = "; ".join(row[0] for row in db.execute("PRAGMA integrity_check"))
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        if "articles" not in tables:
            return DatabaseCheck(integrity, 0, 0, len(expected))
        stored = {url for (url,) in db.execute("SELECT url FROM articles")}
        articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        twice = db.execute(
            "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM articles "
            "WHERE duplicate_of IS NULL AND content_hash IS NOT NULL GROUP BY content_hash)"
        ).fetchone()[0]
    finally:
        db.close()
    duplicated = articles - len(stored) + twice
    return DatabaseCheck(integrity, articles, duplicated, len(expected - stored))


def kill_after(command: list[str], delay: float) -> None:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()


def kill_drill(
    web: SampleWeb, folder: Path, kills: int, seed: int, latest: float | None = None
) -> list[KillRun]:
    """`kills` runs, each on a fresh database: kill at a random moment, check, resume, check.

    Kill moments are uniform up to `latest`, by default the time a whole pass takes.
    """
    rng = random.Random(seed)
    expected = expected_urls(web)
    reference = latest or pass_seconds(web, folder / "reference")
    runs = []
    for number in range(1, kills + 1):
        db_path = folder / f"kill-{number}" / "pivotwatch.db"
        settings = write_settings(db_path.parent, web.sources_toml(), db_path)
        delay = rng.uniform(EARLIEST_KILL, reference)
        kill_after(crawl_command(settings), delay)
        after_kill = check_database(db_path, expected)
        resumed = run_measured(crawl_command(settings), PASS_TIMEOUT)
        run = KillRun(
            number, delay, after_kill, check_database(db_path, expected), resumed.returncode
        )
        runs.append(run)
        print(f"kill {number}: after {delay:.2f} s, {'ok' if run.passed else 'FAILED'}", flush=True)
    return runs


def pass_seconds(web: SampleWeb, folder: Path) -> float:
    db_path = folder / "pivotwatch.db"
    run = run_measured(crawl_command(write_settings(folder, web.sources_toml(), db_path)), 300)
    if run.returncode != 0:
        raise SystemExit(f"the reference pass failed: {run.stderr[-2000:]}")
    return run.seconds


def kill_table(runs: list[KillRun], seed: int) -> list[str]:
    lines = [
        f"Seed {seed}; {sum(run.passed for run in runs)} of {len(runs)} runs passed.",
        "",
        "| run | killed after (s) | articles at kill | integrity at kill | duplicated "
        "| articles after next pass | missing | integrity | next pass exit |",
        "|---:|---:|---:|---|---:|---:|---:|---|---:|",
    ]
    for run in runs:
        killed, resumed = run.after_kill, run.after_resume
        lines.append(
            f"| {run.number} | {run.delay:.2f} | {killed.articles} | {killed.integrity} | "
            f"{killed.duplicated + resumed.duplicated} | {resumed.articles} | {resumed.missing} "
            f"| {resumed.integrity} | {run.resume_exit} |"
        )
    return lines


def hostile_drill(folder: Path) -> list[str]:
    with HostileWeb(TODAY) as web:
        db_path = folder / "pivotwatch.db"
        # Default limits (timeout 20 s, max_bytes 5 MB), as a user would run it.
        settings = write_settings(folder, web.sources_toml(), db_path, timeout=20.0)
        run = run_measured(crawl_command(settings), PASS_TIMEOUT)
        big_bytes_sent = web.big_bytes_sent
    db = sqlite3.connect(db_path)
    states = db.execute("SELECT state, count(*) FROM urls GROUP BY state ORDER BY state")
    refused = db.execute("SELECT count(*) FROM fetches WHERE error LIKE 'RefusedAddress:%'")
    rows = [
        ("exit status", str(run.returncode)),
        ("seconds", f"{run.seconds:.1f}"),
        (
            "peak RSS, largest process / all processes (MB)",
            f"{run.peak_rss_mb:.0f} / {run.peak_tree_rss_mb:.0f}",
        ),
        (
            "urls by state (the feed is cut at max_bytes)",
            ", ".join(f"{state} {n:,}" for state, n in states),
        ),
        ("fetches rows refusing a private address", str(refused.fetchone()[0])),
        ("bytes of the 50 MB page the server got to send", f"{big_bytes_sent:,}"),
    ]
    return ["| measure | value |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)]


def report(command: str, kills: list[str], hostile: list[str]) -> str:
    return "\n".join(
        [
            "# Failure drills",
            "",
            f"{os.cpu_count()} cores; `{command}`",
            "",
            "## kill -KILL at a random moment, then the next pass",
            "",
            *kills,
            "",
            "## The hostile web: 100,000-item feed, endless redirects, self-listing sitemap "
            "index, private addresses, a 50 MB page, slowloris",
            "",
            *hostile,
            "",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else int(time.time()) % 1_000_000
    print(f"kill drill seed: {seed}", flush=True)
    with tempfile.TemporaryDirectory() as tmp, SampleWeb(TODAY) as web:
        runs = kill_drill(web, Path(tmp) / "kills", args.kills, seed)
        hostile = hostile_drill(Path(tmp) / "hostile")
    command = f"python tests/benchmarks/drills.py --kills {args.kills} --seed {seed}"
    text = report(command, kill_table(runs, seed), hostile)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
    # A failed run is a finding for the table, not a crash of the drill itself.
    return 0


if __name__ == "__main__":
    sys.exit(main())
