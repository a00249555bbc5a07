"""How fast Datasette answers over 200,000 synthetic articles.

Run: .venv/bin/python tests/benchmarks/bench_datasette.py [n_articles]
Each page is requested in process through `datasette.client` (full page rendering
included), once to warm up and then RUNS times; the median and the slowest are reported,
with the facets that came back. Results go to bench-results/datasette.md.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_db import CACHE, build_synthetic_db, vocabulary  # noqa: E402

from crawler.serve import make_datasette  # noqa: E402

RUNS = 9
BUDGET_MS = 200
DEFAULT_FACETS = {"source", "source_type", "theme", "entity", "language", "month", "paywalled"}


def rare_word(seed: int) -> str:
    """The least frequent pseudo-word of the generator's Zipf vocabulary."""
    return vocabulary(random.Random(seed))[-1]


def cases(rare: str) -> list[tuple[str, str]]:
    return [
        ("articles page, default facets (HTML)", "/pivotwatch/article_list"),
        ("articles page, default facets (JSON)", "/pivotwatch/article_list.json"),
        ("articles page, theme filter", "/pivotwatch/article_list.json?_theme=arctic"),
        ("search 'russia' (common), snippets", "/pivotwatch/search?q=russia"),
        (f"search '{rare}' (rare), snippets", f"/pivotwatch/search?q={rare}"),
        (f"articles page + search '{rare}'", f"/pivotwatch/article_list.json?_search={rare}"),
        ("articles page + search 'russia'", "/pivotwatch/article_list.json?_search=russia"),
    ]


async def time_page(datasette: Any, path: str) -> tuple[list[float], set[str]]:
    response = await datasette.client.get(path)
    assert response.status_code == 200, (path, response.text[:300])
    found = set(response.json().get("facet_results", {})) if ".json" in path else set()
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = await datasette.client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
    return timings, found


async def measure(datasette: Any, rare: str) -> list[tuple[str, float, float, str]]:
    results = []
    for label, path in cases(rare):
        timings, found = await time_page(datasette, path)
        facets = "all 7" if found >= DEFAULT_FACETS else ", ".join(sorted(found)) or "-"
        if ".json" not in path:
            facets = "(HTML)"
        results.append((label, statistics.median(timings), max(timings), facets))
    return results


def report(results: list[tuple[str, float, float, str]], n_articles: int) -> str:
    lines = [
        f"# Datasette over {n_articles:,} synthetic articles",
        "",
        f"Command: `.venv/bin/python tests/benchmarks/bench_datasette.py {n_articles}`  ",
        f"Machine: {os.cpu_count()} cores; {RUNS} timed requests per page after one warm-up, "
        "in process via datasette.client.",
        "",
        "| page | median ms | slowest ms | facets returned | under 200 ms |",
        "|---|---:|---:|---|---|",
    ]
    for label, median, slowest, facets in results:
        verdict = "yes" if median < BUDGET_MS else "NO"
        lines.append(f"| {label} | {median:.1f} | {slowest:.1f} | {facets} | {verdict} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    n_articles = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    path = CACHE / f"datasette-bench-n{n_articles}-s1.db"
    if not path.exists():
        build_synthetic_db(path, n_articles, seed=1)
    datasette = make_datasette(path)
    results = asyncio.run(measure(datasette, rare_word(1)))
    text = report(results, n_articles)
    print(text)
    out = ROOT / "bench-results" / "datasette.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
