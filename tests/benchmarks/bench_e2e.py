"""End to end: `pivotwatch crawl` against the trafilatura baseline, then how cost grows with size.

The web is bench_crawl's: HOSTS loopback sites, each listing its articles in an RSS feed or
a sitemap, the pages real WCXB pages (50-150 KB). Both crawlers run as subprocesses, one
after the other in the same run, on the same sites, with the same concurrency (8) and no
delay; each is measured alone (wall time, its own peak RSS from wait4, requests counted by
the servers). Then a second pass with nothing new, for both. Then pivotwatch alone at
other sizes (same host count, more articles per host) for articles/s, peak RSS and database
size per 1,000 articles.

    python tests/benchmarks/bench_e2e.py [--hosts 20] [--articles 250] [--scale 1000,20000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE), str(ROOT / "tests")]

from bench_crawl import PIVOTWATCH, Site, count, realistic_pages, total_requests  # noqa: E402
from bench_crawl import write_config as write_bench_config  # noqa: E402
from hostile_web import CrawlRun, run_measured  # noqa: E402

RESULTS = ROOT / "bench-results" / "e2e.md"
BASELINE = HERE / "baseline_trafilatura.py"
PASS_TIMEOUT = 1800
DISTINCT_PAGES = 120


@dataclass
class PassResult:
    crawler: str
    articles: int
    requests: int
    article_requests: int
    run: CrawlRun
    db_bytes: int

    # Rates are per article page fetched and processed: the bench pages repeat, and pages
    # naming the same canonical URL become one pivotwatch article, so rows undercount work.
    @property
    def pages_per_second(self) -> float:
        return self.article_requests / self.run.seconds

    @property
    def requests_per_page(self) -> float:
        return self.requests / max(self.article_requests, 1)

    @property
    def kb_per_1000(self) -> float:
        return self.db_bytes / 1024 / max(self.article_requests, 1) * 1000


class Bench:
    def __init__(self, hosts: int, per_host: int, pages: list[bytes], folder: Path) -> None:
        today = dt.datetime.now(dt.UTC).replace(microsecond=0)
        self.sites = [Site(n, per_host, pages, today) for n in range(hosts)]
        self.folder = folder
        folder.mkdir(parents=True)
        self.settings = write_bench_config(folder, self.sites, per_host)

    def close(self) -> None:
        for site in self.sites:
            site.server.shutdown()
            site.server.server_close()

    def pivotwatch_pass(self) -> PassResult:
        command = [str(PIVOTWATCH), "--config", str(self.settings), "crawl"]
        return self._measure("pivotwatch", command, self.folder / "pivotwatch.db")

    def baseline_pass(self) -> PassResult:
        db = self.folder / "baseline.db"
        command = [sys.executable, str(BASELINE), str(self.folder / "sources.toml"), str(db)]
        return self._measure("trafilatura baseline", command, db)

    def _measure(self, crawler: str, command: list[str], db: Path) -> PassResult:
        before_articles = count(db, "SELECT count(*) FROM articles") if db.exists() else 0
        before = total_requests(self.sites)
        run = run_measured(command, PASS_TIMEOUT)
        if run.returncode != 0:
            raise SystemExit(f"{crawler} failed ({run.returncode}): {run.stderr[-2000:]}")
        articles = count(db, "SELECT count(*) FROM articles") - before_articles
        after = total_requests(self.sites)
        requests, pages = after[0] - before[0], after[1] - before[1]
        return PassResult(crawler, articles, requests, pages, run, database_bytes(db))


def url_states(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT state, count(*) FROM urls GROUP BY state ORDER BY state")
        return ", ".join(f"{state} {number:,}" for state, number in rows)


def database_bytes(db: Path) -> int:
    return sum(path.stat().st_size for path in db.parent.glob(db.name + "*"))


def compare(hosts: int, per_host: int, pages: list[bytes], folder: Path) -> list[PassResult]:
    bench = Bench(hosts, per_host, pages, folder)
    try:
        first = [bench.pivotwatch_pass(), bench.baseline_pass()]
        second = [bench.pivotwatch_pass(), bench.baseline_pass()]
    finally:
        bench.close()
    return first + second


def scale(
    hosts: int,
    sizes: list[int],
    pages: list[bytes],
    folder: Path,
    on_result: Callable[[list[PassResult]], None],
) -> list[PassResult]:
    results: list[PassResult] = []
    for size in sizes:
        bench = Bench(hosts, size // hosts, pages, folder / f"scale-{size}")
        try:
            results.append(bench.pivotwatch_pass())
        finally:
            bench.close()
        print(f"scale {size}: {results[-1].pages_per_second:.1f} pages/s", flush=True)
        on_result(results)
    return results


def comparison_table(results: list[PassResult]) -> list[str]:
    pw, base, pw_again, base_again = results
    lines = [
        "| measure | pivotwatch | trafilatura baseline | pivotwatch / baseline |",
        "|---|---:|---:|---:|",
    ]
    rows = [
        ("first pass: article pages fetched", pw.article_requests,
         base.article_requests, "{:,}"),
        ("first pass: articles stored", pw.articles, base.articles, "{:,}"),
        ("first pass: seconds", pw.run.seconds, base.run.seconds, "{:.1f}"),
        ("first pass: article pages/s", pw.pages_per_second, base.pages_per_second, "{:.1f}"),
        ("first pass: requests per article page", pw.requests_per_page,
         base.requests_per_page, "{:.3f}"),
        ("first pass: peak RSS, largest process (MB)", pw.run.peak_rss_mb,
         base.run.peak_rss_mb, "{:.0f}"),
        ("first pass: peak RSS, all processes (MB)", pw.run.peak_tree_rss_mb,
         base.run.peak_tree_rss_mb, "{:.0f}"),
        ("database MB per 1,000 article pages", pw.kb_per_1000 / 1024,
         base.kb_per_1000 / 1024, "{:.1f}"),
        ("second pass (nothing new): requests", pw_again.requests, base_again.requests, "{:,}"),
        ("second pass: seconds", pw_again.run.seconds, base_again.run.seconds, "{:.1f}"),
        ("second pass: peak RSS, all processes (MB)", pw_again.run.peak_tree_rss_mb,
         base_again.run.peak_tree_rss_mb, "{:.0f}"),
    ]  # fmt: skip
    for name, ours, theirs, form in rows:
        ratio = f"{ours / theirs:.2f}" if theirs else "-"
        lines.append(f"| {name} | {form.format(ours)} | {form.format(theirs)} | {ratio} |")
    return lines


def scale_table(results: list[PassResult]) -> list[str]:
    lines = [
        "| article pages | articles stored | seconds | pages/s | peak RSS, largest process "
        "(MB) | peak RSS, all processes (MB) | database MB per 1,000 pages |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in sorted(results, key=lambda r: r.article_requests):
        lines.append(
            f"| {result.article_requests:,} | {result.articles:,} | {result.run.seconds:.1f} | "
            f"{result.pages_per_second:.1f} | {result.run.peak_rss_mb:.0f} | "
            f"{result.run.peak_tree_rss_mb:.0f} | "
            f"{result.kb_per_1000 / 1024:.1f} |"
        )
    return lines


def report(args: argparse.Namespace, compared: list[PassResult], scaled: list[PassResult]) -> str:
    command = (
        f"python tests/benchmarks/bench_e2e.py --hosts {args.hosts} "
        f"--articles {args.articles} --scale {','.join(map(str, args.scale)) or '-'}"
    )
    total = args.hosts * args.articles
    return "\n".join(
        [
            "# End to end: pivotwatch and a trafilatura baseline",
            "",
            f"{args.hosts} loopback hosts x {args.articles} articles ({total:,} pages, "
            f"{DISTINCT_PAGES} distinct WCXB pages of 50-150 KB reused), min_delay 0, "
            f"concurrency 8, one run each; {os.cpu_count()} cores shared with other work, so "
            f"compare within this table. `{command}`",
            "",
            *comparison_table(compared),
            "",
            "Pages that name the same canonical URL (the bench reuses its pages) become one "
            f"pivotwatch article. pivotwatch's `urls` after the first pass: {args.states}. "
            "Its database "
            "also keeps every fetched page compressed (`raw_pages`, for `reprocess`), the "
            "full-text index, tags and the fetch log; the baseline's holds url, title, text.",
            "",
            "## Scale: pivotwatch alone",
            "",
            *scale_table([compared[0], *scaled]),
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--articles", type=int, default=250, help="articles per host")
    parser.add_argument("--scale", type=_sizes, default=[1000], help="more sizes, e.g. 1000,20000")
    args = parser.parse_args()
    pages = realistic_pages(DISTINCT_PAGES)
    RESULTS.parent.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        compared = compare(args.hosts, args.articles, pages, Path(tmp) / "e2e")
        args.states = url_states(Path(tmp) / "e2e" / "pivotwatch.db")

        def write(scaled: list[PassResult]) -> None:
            # Written after every run, so a long scale series still leaves its figures so far.
            RESULTS.write_text(report(args, compared, scaled), encoding="utf-8")

        write([])
        scaled = scale(args.hosts, args.scale, pages, Path(tmp), write)
    print(report(args, compared, scaled))


def _sizes(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


if __name__ == "__main__":
    main()
