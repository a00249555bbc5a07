"""Run every benchmark in turn and gather their tables into `bench-results/summary.md`.

Each benchmark is a script in this folder, run as its own process (so one's memory never
counts against another's peak RSS) with a timeout, inside one overall budget that keeps
`make bench` under 30 minutes on a 2-core machine. `bench_NAME.py` writes its table to
`bench-results/NAME.md` (`drills.py` to `drills.md`); the summary gathers those written
during this run.

    python tests/benchmarks/run_all.py [--only bench_e2e.py ...] [--budget SECONDS]

Exit status 1 if a benchmark crashed or ran out of time; a benchmark script that is not
in the repository is reported as missing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RESULTS = ROOT / "bench-results"
SUMMARY = RESULTS / "summary.md"
BUDGET_SECONDS = 29 * 60
COMMAND = "make bench  (python tests/benchmarks/run_all.py)"

# (script, arguments, its own time limit in seconds), in the order they run. Sizes are cut
# to fit the budget on 2 busy cores: bench_e2e runs 20 hosts x 100 articles against the
# baseline (the 20 x 250 run, about 17 minutes there, is run on its own:
# `python tests/benchmarks/bench_e2e.py`), and bench_crawl runs small, last, for its own
# figure: a pass over 100,000 stored articles.
BENCHMARKS = (
    ("bench_extract.py", (), 300),
    ("bench_tag.py", (), 120),
    ("bench_retag.py", ("--runs", "3"), 240),
    ("bench_dedupe.py", ("--articles", "20000"), 180),
    ("bench_e2e.py", ("--hosts", "20", "--articles", "100", "--scale", "1000"), 900),
    ("bench_datasette.py", (), 300),
    ("bench_digest.py", (), 240),
    ("drills.py", (), 420),
    ("bench_crawl.py", ("--hosts", "20", "--articles", "25"), 300),
)


@dataclass
class Outcome:
    script: str
    status: str  # ok, exit N (targets), crashed (exit N), timed out, missing, skipped
    seconds: float = 0.0
    tables: list[Path] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.status.startswith(("crashed", "timed out"))


def run_benchmark(script: str, arguments: tuple[str, ...], limit: float) -> Outcome:
    path = HERE / script
    if not path.exists():
        return Outcome(script, "missing")
    if limit < 30:
        return Outcome(script, "skipped (no time left in the budget)")
    started_wall, started = time.time(), time.monotonic()
    # A session of its own, so a timeout also ends the crawlers and servers it started.
    command = [sys.executable, str(path), *arguments]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, cwd=ROOT, stderr=errors, start_new_session=True)
        try:
            code: int | None = process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            stop_group(process)
            code = None
        except BaseException:  # Ctrl-C or SIGTERM: take the benchmark's processes down too
            stop_group(process)
            raise
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace")
    sys.stderr.write(stderr)
    tables = tables_written_since(table_name(script), started_wall)
    status = describe_exit(code, limit, stderr, tables)
    return Outcome(script, status, time.monotonic() - started, tables)


def describe_exit(code: int | None, limit: float, stderr: str, tables: list[Path]) -> str:
    """A crash is a signal, a traceback or no table; a benchmark may also exit 1 on purpose
    when its figures miss their targets (bench_tag does), which is a finding, not a crash."""
    if code is None:
        return f"timed out after {limit:.0f} s"
    if code == 0:
        return "ok"
    if code < 0 or "Traceback (most recent call last)" in stderr or not tables:
        return f"crashed (exit {code})"
    return f"exit {code}: the benchmark's own targets not met (table written)"


def stop_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def table_name(script: str) -> str:
    """bench_e2e.py writes e2e.md, drills.py drills.md."""
    return script.removeprefix("bench_").removesuffix(".py") + ".md"


def tables_written_since(name: str, moment: float) -> list[Path]:
    # By name as well as by time: other runs may write other tables meanwhile.
    path = RESULTS / name
    return [path] if path.exists() and path.stat().st_mtime >= moment else []


def machine_line() -> str:
    return (
        f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"SQLite {__import__('sqlite3').sqlite_version}, {platform.system()} {platform.release()}"
    )


def render_summary(outcomes: list[Outcome], total: float) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark summary",
        "",
        f"- date: {now}",
        f"- machine: {machine_line()}",
        f"- command: `{COMMAND}`",
        f"- total time: {total / 60:.1f} min",
        "",
        "| benchmark | status | seconds | tables |",
        "|---|---|---:|---|",
    ]
    for outcome in outcomes:
        names = ", ".join(p.name for p in outcome.tables) or "-"
        lines.append(f"| {outcome.script} | {outcome.status} | {outcome.seconds:.0f} | {names} |")
    for outcome in outcomes:
        for table in outcome.tables:
            lines += ["", f"<!-- {table.name} (from {outcome.script}) -->", ""]
            lines.append(table.read_text(encoding="utf-8").strip())
    return "\n".join(lines) + "\n"


def selected(only: list[str]) -> list[tuple[str, tuple[str, ...], int]]:
    if not only:
        return list(BENCHMARKS)
    known = {script for script, _, _ in BENCHMARKS}
    unknown = [name for name in only if name not in known]
    if unknown:
        raise SystemExit(f"unknown benchmark {unknown[0]}; known: {', '.join(sorted(known))}")
    return [benchmark for benchmark in BENCHMARKS if benchmark[0] in only]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], metavar="SCRIPT")
    parser.add_argument("--budget", type=float, default=BUDGET_SECONDS)
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    plan = selected(args.only)
    started = time.monotonic()
    outcomes = []
    print(f"benchmarks on {machine_line()}", flush=True)
    for number, (script, arguments, limit) in enumerate(plan, 1):
        left = args.budget - (time.monotonic() - started)
        shown = " ".join((script, *arguments))
        print(f"[{number}/{len(plan)}] {shown} (limit {min(limit, left):.0f} s)", flush=True)
        outcome = run_benchmark(script, arguments, min(limit, left))
        print(
            f"[{number}/{len(plan)}] {script}: {outcome.status}, {outcome.seconds:.0f} s",
            flush=True,
        )
        outcomes.append(outcome)
    total = time.monotonic() - started
    SUMMARY.write_text(render_summary(outcomes, total), encoding="utf-8")
    print(f"total {total / 60:.1f} min; summary in {SUMMARY.relative_to(ROOT)}", flush=True)
    return 1 if any(outcome.failed for outcome in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
