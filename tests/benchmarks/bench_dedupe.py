"""Near-duplicate index at archive scale: build cost, memory, check latency, restart.

Stores N synthetic articles (Zipf-distributed pseudo-words, 300-600 words each) in
batches, indexes each batch with `Deduplicator.index_many`, then checks new articles
against the index: half fresh, half 5%-edited copies of stored ones (which must all be
found), then teasers (the first words of stored ones, found by containment). The index
lives in SQLite, so a restart only reopens the file; the first check after reopening is
timed. The build figure leaves out generating the synthetic texts. Wall times depend on
what else the machine runs: CPU times and the load average are reported beside them.

    .venv/bin/python tests/benchmarks/bench_dedupe.py [--articles 100000]
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipelines.dedupe import Deduplicator  # noqa: E402
from pipelines.shingles import shingle_hashes  # noqa: E402
from pipelines.store import content_hash, open_database, sync_sources  # noqa: E402

RESULTS = ROOT / "bench-results" / "dedupe.md"
VOCABULARY = 30_000
CHECKS = 200
BATCH = 10_000
TEASER_WORDS = 90
COMMAND = ".venv/bin/python tests/benchmarks/bench_dedupe.py"


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choices(letters, k=rng.randint(3, 10))) for _ in range(VOCABULARY)]
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(VOCABULARY)))
    return words, weights


def texts(seed: int) -> Iterator[str]:
    rng = random.Random(seed)
    words, weights = vocabulary(random.Random(0))
    while True:
        yield " ".join(rng.choices(words, cum_weights=weights, k=rng.randint(300, 600)))


def edited(text: str) -> str:
    tokens = text.split()
    for i in range(10, len(tokens), 20):
        tokens[i] = f"edit{i}"
    return " ".join(tokens)


def rss_mb() -> float:
    """Current resident set size (not the peak), from /proc."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


@dataclass
class Build:
    """Seconds spent storing and indexing (wall and CPU, text generation excluded)."""

    wall: float = 0.0
    cpu: float = 0.0
    kept: list[str] = field(default_factory=list)


def build(path: Path, count: int) -> Build:
    """Store and index `count` articles, keeping a sample of their texts.

    Articles go in as a bulk load would: a batch per transaction, indexed together.
    """
    db = open_database(path)
    sync_sources(
        db, [{"name": "s", "title": "S", "homepage": "https://s.org/", "source_type": "news"}]
    )
    dedupe, result, generated = Deduplicator(db), Build(), texts(seed=1)
    for start in range(0, count, BATCH):
        batch = [(n + 1, next(generated)) for n in range(start, min(count, start + BATCH))]
        wall_started, cpu_started = time.perf_counter(), time.process_time()
        with db.atomic():
            db.conn.executemany(
                "INSERT INTO articles (id, url, source, fetched, text, content_hash) "
                "VALUES (?, ?, 's', '2024-01-01', ?, ?)",
                [(n, f"https://s.org/{n}", text, content_hash(text)) for n, text in batch],
            )
            dedupe.index_many((n, shingle_hashes(text)) for n, text in batch)
        result.wall += time.perf_counter() - wall_started
        result.cpu += time.process_time() - cpu_started
        result.kept.extend(text for n, text in batch if (n - 1) % (count // CHECKS) == 0)
    db.conn.close()
    return result


def build_elsewhere(path: Path, count: int) -> Build:
    """Build in a child process, so the batches' garbage does not count as index memory."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        return pool.submit(build, path, count).result()


def check_times(
    dedupe: Deduplicator, queries: list[str]
) -> tuple[list[float], list[float], list[int]]:
    """Wall and CPU milliseconds per check (shingling included) and the matches found."""
    wall, cpu, found = [], [], []
    for text in queries:
        wall_started, cpu_started = time.perf_counter(), time.process_time()
        matches = dedupe.find_matches(shingle_hashes(text), content_hash(text))
        cpu.append((time.process_time() - cpu_started) * 1000)
        wall.append((time.perf_counter() - wall_started) * 1000)
        found.append(len(matches))
    return wall, cpu, found


def teaser(text: str) -> str:
    return " ".join(text.split()[:TEASER_WORDS]) + " ..."


def index_size_mb(path: Path) -> float:
    db = open_database(path)
    pages = db.execute(
        "SELECT sum(pgsize) FROM dbstat WHERE name IN "
        "('dedupe_samples', 'dedupe_sketches', 'dedupe_common')"
    ).fetchone()[0]
    db.conn.close()
    return (pages or 0) / 2**20


def run(count: int) -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory(prefix="bench-dedupe-") as folder:
        return measure(Path(folder) / "dedupe.db", count)


def measure(path: Path, count: int) -> list[tuple[str, str]]:
    load_before = os.getloadavg()[0]
    built = build_elsewhere(path, count)
    stored = built.kept
    before = rss_mb()
    reopen_started = time.perf_counter()
    db = open_database(path)
    dedupe = Deduplicator(db)
    reopen_ms = (time.perf_counter() - reopen_started) * 1000
    fresh = list(itertools.islice(texts(seed=2), CHECKS // 2))
    copies = [edited(text) for text in stored[: CHECKS // 2]]
    first_ms, _, _ = check_times(dedupe, copies[:1])
    fresh_ms, fresh_cpu, fresh_found = check_times(dedupe, fresh)
    copy_ms, copy_cpu, copy_found = check_times(dedupe, copies)
    teaser_ms, _, teaser_found = check_times(dedupe, [teaser(text) for text in stored[:100]])
    after, size = rss_mb(), index_size_mb(path)
    db.conn.close()
    all_ms = sorted(fresh_ms + copy_ms)
    return [
        ("articles indexed", f"{count:,}"),
        (
            "build: store + index in batches of 10,000, wall / CPU (s)",
            f"{built.wall:.1f} / {built.cpu:.1f}",
        ),
        ("index on disk (MB)", f"{size:.1f}"),
        ("checking process RSS before reopen / after checks (MB)", f"{before:.1f} / {after:.1f}"),
        ("RSS added by the index in use: reopen + checks (MB)", f"{after - before:.1f}"),
        ("restart: reopen, no rebuild (ms)", f"{reopen_ms:.1f}"),
        ("first check after reopen (ms)", f"{first_ms[0]:.2f}"),
        ("check median, all (ms)", f"{statistics.median(all_ms):.2f}"),
        ("check p95, all (ms)", f"{all_ms[int(len(all_ms) * 0.95)]:.2f}"),
        (
            "check median, fresh / copy (ms)",
            f"{statistics.median(fresh_ms):.2f} / {statistics.median(copy_ms):.2f}",
        ),
        ("check median CPU time, all (ms)", f"{statistics.median(fresh_cpu + copy_cpu):.2f}"),
        ("5%-edited copies found", f"{sum(1 for n in copy_found if n >= 1)} / {len(copies)}"),
        ("fresh articles wrongly matched", f"{sum(1 for n in fresh_found if n)} / {len(fresh)}"),
        (
            f"{TEASER_WORDS}-word teasers found (median ms)",
            f"{sum(1 for n in teaser_found if n >= 1)} / {len(teaser_found)}"
            f" ({statistics.median(teaser_ms):.2f})",
        ),
        ("load average, 1 min, at start / end", f"{load_before:.1f} / {os.getloadavg()[0]:.1f}"),
    ]


def report(rows: list[tuple[str, str]]) -> str:
    lines = ["| measure | value |", "|---|---|", *(f"| {name} | {value} |" for name, value in rows)]
    command = " ".join([COMMAND, *sys.argv[1:]])
    header = f"# Near-duplicate index\n\nCommand: `{command}`  \nCPU cores: {os.cpu_count()}\n\n"
    return header + "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    args = parser.parse_args()
    text = report(run(args.articles))
    print(text)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
