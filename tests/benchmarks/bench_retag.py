"""Benchmark `reprocess --tags-only`: re-tagging a stored archive, reads and writes included.

    .venv/bin/python tests/benchmarks/bench_retag.py [--articles N] [--runs R]

For each language a database of N stored articles (~800-word texts from `bench_tag`, in
the synthetic archive of `synthetic_db`) is tagged once with the shipped taxonomy, as the
crawler would have left it. A third database, "web", holds the article pages of the WCXB
development set (`--web`, skipped when absent): their titles and reference texts, real web
articles, mostly English and longer than the synthetic ones. Then, in CPU time of this
process (one core):

* unchanged: re-tagging with the same taxonomy, the case after a small taxonomy change,
  where most articles come out as they were;
* every score changed: alternating between the shipped taxonomy and one with another
  `theme_saturation`, so every theme row of every article is rewritten each run;
* a term added: alternating with a taxonomy whose energy theme also counts a word that
  every article uses many times ("prices", "цен"), so the evidence of a theme changes in
  most articles, and that theme's rows are rewritten;
* baseline: the plain way, in the same run: tag each article and replace its relevance
  and all its tag rows, changed or not;
* tagging alone, no database, for the share of the work that is tagging.

Each figure is the median of R runs over the whole database (2R for the changing cases).
Target: >= 2,000 articles/s in every case but the baseline, on every database. Then
`pivotwatch reprocess --tags-only` runs once as a command on each database, and its wall
time (start-up, re-tagging and related articles) is reported beside it.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlite_utils import Database

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench_tag import machine_footer, synthetic_articles, web_articles  # noqa: E402
from synthetic_db import build_synthetic_db  # noqa: E402

from crawler.app import sync_reference_tables  # noqa: E402
from crawler.settings import load_settings, load_sources  # noqa: E402
from pipelines.process import tag_rows  # noqa: E402
from pipelines.related import update_related  # noqa: E402
from pipelines.retag import retag_articles  # noqa: E402
from pipelines.store import open_database, replace_tags  # noqa: E402
from pipelines.tag import Tagger, load_taxonomy  # noqa: E402

TARGET_PER_SECOND = 2000
RESULTS = ROOT / "bench-results" / "retag.md"
THEMES = ROOT / "config" / "themes.toml"


def tagger_for(themes: Path) -> Tagger:
    tagging = load_settings(ROOT / "config" / "settings.toml").tagging
    return Tagger(load_taxonomy(themes), tagging.relevance_threshold, tagging.theme_threshold)


def changed_taxonomy(folder: Path) -> Path:
    """The shipped taxonomy with another theme saturation: every theme score moves."""
    text = THEMES.read_text(encoding="utf-8")
    changed = text.replace("theme_saturation = 9.0", "theme_saturation = 8.0", 1)
    if changed == text:
        raise SystemExit("config/themes.toml no longer sets theme_saturation = 9.0")
    path = folder / "themes-changed.toml"
    path.write_text(changed, encoding="utf-8")
    return path


def term_added_taxonomy(folder: Path) -> Path:
    """The shipped taxonomy with a common word of each language as an energy term."""
    text = THEMES.read_text(encoding="utf-8")
    group = 'weight = 1.5\nmatch = [\n  "oil", "gas", "energy",'
    if group not in text:
        raise SystemExit("config/themes.toml no longer has the energy group this edits")
    path = folder / "themes-term-added.toml"
    edited = text.replace(group, group.replace('"oil"', '"prices", "цен", "oil"'), 1)
    path.write_text(edited, encoding="utf-8")
    return path


def build_database(
    path: Path, lang: str, count: int, tagger: Tagger, articles: list[tuple[str, str]] | None = None
) -> None:
    """The synthetic archive with bench_tag's articles (or `articles`) as texts, tagged once."""
    articles = articles or synthetic_articles(count, lang, seed=11)
    count = len(articles)
    build_synthetic_db(path, count)
    db = open_database(path)
    sync_reference_tables(db, load_sources(ROOT / "config" / "sources.toml"), tagger.taxonomy)
    ids = [row[0] for row in db.execute("SELECT id FROM articles ORDER BY id")]
    with db.atomic():
        db.conn.executemany(
            "UPDATE articles SET title = ?, text = ?, language = ? WHERE id = ?",
            [(title, text, lang, id_) for (title, text), id_ in zip(articles, ids, strict=True)],
        )
    retag_articles(db, tagger)
    update_related(db, 5)
    db.conn.close()


def rewrite_everything(db: Database, tagger: Tagger, batch: int = 500) -> int:
    """The baseline: tag each article and replace its relevance and all its tag rows."""
    count, last_id = 0, 0
    while True:
        rows = db.execute(
            "SELECT id, title, text FROM articles WHERE id > ? ORDER BY id LIMIT ?",
            [last_id, batch],
        ).fetchall()
        if not rows:
            return count
        with db.atomic():
            for article_id, title, text in rows:
                tags = tagger.scored(text or "", title)
                db.execute(
                    "UPDATE articles SET relevance = ?, relevant = ? WHERE id = ?",
                    [round(tags.relevance, 4), int(tags.relevant), article_id],
                )
                replace_tags(db, article_id, *tag_rows(tagger, tags))
        count, last_id = count + len(rows), rows[-1][0]


def cpu_rate(work: Callable[[], int]) -> tuple[float, int]:
    started = time.process_time()
    count = work()
    return count / (time.process_time() - started), count


CASES = ("unchanged", "changed", "term", "baseline", "tag", "tag_term")


def measure(
    path: Path, lang: str, shipped: Tagger, changed: Tagger, term_added: Tagger, runs: int
) -> dict:
    db = open_database(path)
    articles = [tuple(row) for row in db.execute("SELECT title, text FROM articles")]
    figures: dict[str, list[float]] = {case: [] for case in CASES}
    counts: dict[str, list[int]] = {"changed": [], "term": []}
    for _ in range(runs):
        rate, _ = cpu_rate(lambda: retag_articles(db, shipped).articles)
        figures["unchanged"].append(rate)
        # There and back: each run changes what every article stores.
        for case, other in (("changed", changed), ("term", term_added)):
            for tagger in (other, shipped):
                started = time.process_time()
                report = retag_articles(db, tagger)
                figures[case].append(report.articles / (time.process_time() - started))
                counts[case].append(report.changed)
        rate, _ = cpu_rate(lambda: rewrite_everything(db, shipped))
        figures["baseline"].append(rate)
        # The baseline's writes dropped the digests; the crawler would have stored them.
        retag_articles(db, shipped)
        rate, _ = cpu_rate(lambda: _tag_all(shipped, articles))
        figures["tag"].append(rate)
        rate, _ = cpu_rate(lambda: _tag_all(term_added, articles))
        figures["tag_term"].append(rate)
    db.conn.close()
    return {
        "lang": lang,
        "articles": len(articles),
        "matched": [matched_per_article(tagger, articles) for tagger in (shipped, term_added)],
        **{f"{case}_articles": statistics.median(values) for case, values in counts.items()},
        **{name: (statistics.median(values), values) for name, values in figures.items()},
    }


def matched_per_article(tagger: Tagger, articles: list[tuple[str, str]]) -> float:
    """How many terms the taxonomy matches in an article's text, on average."""
    find = tagger.taxonomy.index.matcher.find
    return sum(len(find(text or "")) for _, text in articles) / len(articles)


def _tag_all(tagger: Tagger, articles: list[tuple[str, str]]) -> int:
    for title, text in articles:
        tagger.tag(text or "", title)
    return len(articles)


def run_command(path: Path) -> tuple[float, float]:
    """Wall and CPU seconds of `pivotwatch reprocess --tags-only` on the database."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [Path(sys.executable).with_name("pivotwatch"), "--db", path, "reprocess", "--tags-only"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def format_report(results: list[dict], commands: list[tuple], runs: int, command: str) -> str:
    lines = ["# Re-tagging benchmark (`reprocess --tags-only`)", ""]
    lines += [f"Articles/s in CPU time of one core, median of {runs} runs over each database.", ""]
    lines += [
        "| language | articles | unchanged | every score changed (articles rewritten) "
        "| a term added (articles rewritten) | baseline: rewrite every row "
        "| tagging alone (with the term added) | target | met |"
    ]
    lines += ["|---|---|---|---|---|---|---|---|---|"]
    for result in results:
        unchanged, changed, term = (result[case][0] for case in ("unchanged", "changed", "term"))
        baseline, tag, tag_term = (result[case][0] for case in ("baseline", "tag", "tag_term"))
        lines.append(
            f"| {result['lang']} | {result['articles']:,} | {unchanged:,.0f} "
            f"| {changed:,.0f} ({result['changed_articles']:,.0f}) "
            f"| {term:,.0f} ({result['term_articles']:,.0f}) | {baseline:,.0f} "
            f"| {tag:,.0f} ({tag_term:,.0f}) | {TARGET_PER_SECOND:,} | {met(result)} |"
        )
    lines += ["", "Ratios to the baseline in the same run: "]
    lines[-1] += "; ".join(
        f"{r['lang']} unchanged {r['unchanged'][0] / r['baseline'][0]:.2f}x, "
        f"changed {r['changed'][0] / r['baseline'][0]:.2f}x, "
        f"term added {r['term'][0] / r['baseline'][0]:.2f}x"
        for r in results
    )
    lines += ["", "Terms matched per article, shipped taxonomy and with the term added: "]
    lines[-1] += "; ".join(
        f"{r['lang']} {r['matched'][0]:.1f} and {r['matched'][1]:.1f}" for r in results
    )
    lines += ["", "Every run (articles/s):", ""]
    for result in results:
        for name in CASES:
            values = ", ".join(f"{value:,.0f}" for value in result[name][1])
            lines.append(f"- {result['lang']} {name}: {values}")
    lines += ["", "The command, once per database (start-up, re-tagging, related articles):", ""]
    for (lang, count), (wall, cpu) in commands:
        lines.append(
            f"- {lang}: `pivotwatch reprocess --tags-only` on {count:,} articles: "
            f"{wall:.1f} s wall, {cpu:.1f} s CPU ({count / wall:,.0f} articles/s wall)"
        )
    lines += machine_footer(command)
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--web",
        type=Path,
        default=Path("/work/shared/extraction/wcxb/dev"),
        help="WCXB split whose article pages make a third database of real texts",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pivotwatch-retag-") as folder:
        shipped = tagger_for(THEMES)
        changed = tagger_for(changed_taxonomy(Path(folder)))
        term_added = tagger_for(term_added_taxonomy(Path(folder)))
        results, commands = [], []
        databases: list[tuple[str, list[tuple[str, str]] | None]] = [("en", None), ("ru", None)]
        real = web_articles(args.web)
        if real:
            databases.append(("web", real))
        for lang, articles in databases:
            path = Path(folder) / f"retag-{lang}.db"
            build_database(path, "en" if lang == "web" else lang, args.articles, shipped, articles)
            results.append(measure(path, lang, shipped, changed, term_added, args.runs))
            commands.append(((lang, results[-1]["articles"]), run_command(path)))
    command = ".venv/bin/python tests/benchmarks/bench_retag.py " + " ".join(sys.argv[1:])
    report = format_report(results, commands, args.runs, command.strip())
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    return 0 if all(met(result) for result in results) else 1


def met(result: dict) -> bool:
    return all(result[case][0] >= TARGET_PER_SECOND for case in ("unchanged", "changed", "term"))


if __name__ == "__main__":
    sys.exit(main())
