"""Benchmark the tagging stage: seed documents and re-tagging throughput.

    .venv/bin/python tests/benchmarks/bench_tag.py [--seeds DIR] [--articles N] [--out FILE]

1. Each seed document in /work/shared/seeds is tagged as plain text (first line as title,
   the whole file as text). It must come out relevant, with at least the themes its text
   plainly covers (decided by reading each seed, written below before running it).
2. Throughput: ~800-word synthetic articles, built from a fixed vocabulary with a seeded
   random generator, are tagged repeatedly on one core; target >= 2,000 articles/s. The
   median over rounds is reported: on a shared machine a single slow stretch would
   otherwise decide the figure.
3. For comparison, real web articles: the article pages of the WCXB development set
   (`--web`, skipped when absent), their reference text and title, tagged the same way.
   They are longer and mostly off-topic; the time per 1,000 words is printed beside them.

Prints a Markdown table and writes it to bench-results/tag.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from crawler.settings import load_settings  # noqa: E402
from pipelines.tag import Tagger, load_taxonomy  # noqa: E402

TARGET_PER_SECOND = 2000

# Themes each seed plainly argues, from reading the texts.
SEED_EXPECTATIONS = {
    # Putin's Asia tour: APEC and the East Asia Summit, arms and energy sales to Asia, China
    # as the senior partner, the Kuril dispute with Japan, the failed reset with the US; the
    # unprecedented ministerial meeting in Japan and the dispute "with Tokyo" make relations
    # with Japan a subject of their own.
    "000_2a6990da0b78f093.txt": {
        "pivot-to-asia",
        "russia-japan",
        "russia-china",
        "regional-institutions",
        "arms-trade",
        "energy",
        "territorial-disputes",
        "us-and-great-powers",
        "trade-investment",
    },
    # Xi, Abe and Park court Putin: Silk Road belt and the EAEU, the G20 and the EEF in
    # Vladivostok, the two-island compromise, North Korea and THAAD, national identity; the
    # "frozen" relationship with the US and multi-polarity, and Chinese financing for a
    # high-speed railway.
    "002_ebe09e332fae92bd.txt": {
        "pivot-to-asia",
        "russia-china",
        "russia-japan",
        "korean-peninsula",
        "far-east-development",
        "territorial-disputes",
        "regional-institutions",
        "identity-ideology",
        "us-and-great-powers",
        "trade-investment",
    },
    # Russia's Asia-Pacific outreach from the Far Eastern Federal District: arms and energy
    # exports, neutrality on disputes except with Japan, ASEAN, SCO and EEU integration;
    # each argued in a sentence of its own: arms and energy exports to Asian customers,
    # multipolarity against US influence, and Russia's "Asian identity".
    "003_754dadbe244e02ad.txt": {
        "pivot-to-asia",
        "far-east-development",
        "regional-institutions",
        "territorial-disputes",
        "arms-trade",
        "energy",
        "us-and-great-powers",
        "identity-ideology",
    },
}

VOCABULARY = {
    "en": (
        "the government said on Tuesday that officials would continue talks next month while "
        "analysts expect slower growth and higher prices, as companies report weaker demand "
        "and ministers promised (again) new measures for households and small firms in the "
        "coming year; critics of the plan were not convinced by the figures",
        "Russia Moscow Kremlin Putin China Beijing Xi Jinping Japan Tokyo Kuril Islands Vietnam "
        "India Modi LNG pipeline oil gas sanctions trade investment Vladivostok Far East ASEAN "
        "SCO EAEU APEC Arctic Northern Sea Route exercises Pacific Fleet North Korea Seoul "
        "Kazakhstan Mongolia Australia Quad AUKUS Eurasianism Ukraine war Russian Chinese Asian",
    ),
    "ru": (
        "правительство заявило во вторник что чиновники продолжат переговоры в следующем месяце "
        "а аналитики ожидают замедления роста и повышения цен, поскольку компании сообщают о "
        "снижении спроса и министры обещали новые меры для семей и малого бизнеса в будущем году",
        "Россия России Москва Кремль Путин Китай Китая Пекин Си Цзиньпин Япония Токио Курилы "
        "Курильских Вьетнам Индия СПГ газопровод нефть газ санкции торговля инвестиции "
        "Владивосток Дальний Восток АСЕАН ШОС ЕАЭС АТЭС Арктика Севморпуть учения КНДР Сеул "
        "Казахстан Монголия Австралия Украина",
    ),
}
TOPICAL_SHARE = 0.06


def synthetic_articles(
    count: int, lang: str = "en", words: int = 800, seed: int = 7
) -> list[tuple[str, str]]:
    """Filler prose with about 6% topical words (names, places, subjects), 80-word paragraphs."""
    rng = random.Random(seed)
    filler, topical = (part.split() for part in VOCABULARY[lang])
    return [_synthetic_article(rng, words, filler, topical) for _ in range(count)]


def _synthetic_article(
    rng: random.Random, words: int, filler: list[str], topical: list[str]
) -> tuple[str, str]:
    tokens = [rng.choice(topical if rng.random() < TOPICAL_SHARE else filler) for _ in range(words)]
    paragraphs = [" ".join(tokens[start : start + 80]) + "." for start in range(0, words, 80)]
    title = " ".join(rng.choice(topical) for _ in range(6))
    return title, "\n\n".join(paragraphs)


def measure_throughput(
    tagger: Tagger, articles: list[tuple[str, str]], rounds: int
) -> tuple[float, list[float]]:
    """Articles per second of CPU time of this process (the machine may be shared): the
    median over `rounds` rounds, each tagging every article once, and every round's rate."""
    for title, text in articles[:20]:
        tagger.tag(text, title=title)
    rates = []
    for _ in range(rounds):
        started = time.process_time()
        for title, text in articles:
            tagger.tag(text, title=title)
        rates.append(len(articles) / (time.process_time() - started))
    return statistics.median(rates), rates


def web_articles(folder: Path) -> list[tuple[str, str]]:
    """Title and reference text of each article page of a WCXB split (none if absent)."""
    articles = []
    for path in sorted((folder / "ground-truth").glob("*.json")):
        page = json.loads(path.read_text(encoding="utf-8"))
        truth = page.get("ground_truth", {})
        if page.get("_internal", {}).get("page_type", {}).get("primary") == "article":
            articles.append((truth.get("title") or "", truth.get("main_content") or ""))
    return articles


def check_seeds(tagger: Tagger, seeds: Path) -> list[tuple[str, bool, float, set, set, set]]:
    rows = []
    for name, expected in SEED_EXPECTATIONS.items():
        text = (seeds / name).read_text(encoding="utf-8")
        result = tagger.tag(text)
        found = {theme.id for theme in result.themes}
        rows.append((name, result.relevant, result.relevance, expected, found, expected - found))
    return rows


def format_report(
    seed_rows: list,
    speeds: dict[str, tuple[float, list[float]]],
    article_count: int,
    web: tuple[list[tuple[str, str]], float, list[float]] | None,
    command: str,
) -> str:
    lines = ["# Tagging benchmark", "", "## Seeds (tagged as plain text)", ""]
    lines += ["| seed | relevant | relevance | expected themes found | missing | extra |"]
    lines += ["|---|---|---|---|---|---|"]
    for name, relevant, relevance, expected, found, missing in seed_rows:
        extra = sorted(found - expected)
        lines.append(
            f"| {name} | {relevant} | {relevance:.2f} | {len(expected) - len(missing)}"
            f"/{len(expected)} | {', '.join(sorted(missing)) or '-'} | {', '.join(extra) or '-'} |"
        )
    lines += ["", "## Tagging throughput (one core, CPU time of the process)", ""]
    lines += ["Median of the rounds, each tagging every article once; then the slowest and"]
    lines += ["fastest round. `bench_retag.py` measures `reprocess --tags-only` with its reads"]
    lines += ["and writes.", ""]
    lines += ["| language | articles | words each | articles/s (median) | rounds: slowest-fastest "]
    lines[-1] += "| target | met |"
    lines += ["|---|---|---|---|---|---|---|"]
    for lang, (per_second, rates) in speeds.items():
        met = per_second >= TARGET_PER_SECOND
        lines.append(
            f"| {lang} | {article_count} | ~800 | {per_second:,.0f} "
            f"| {min(rates):,.0f}-{max(rates):,.0f} ({len(rates)}) "
            f"| {TARGET_PER_SECOND:,} | {met} |"
        )
    if web:
        articles, per_second, rates = web
        words = sum(len(text.split()) for _, text in articles) / len(articles)
        lines += ["", "## Real web articles (WCXB dev, article pages; for comparison)", ""]
        lines += ["| articles | words each (mean) | articles/s (median) | rounds: slowest-fastest "]
        lines[-1] += "| µs per 1,000 words |"
        lines += ["|---|---|---|---|---|"]
        lines.append(
            f"| {len(articles)} | {words:,.0f} | {per_second:,.0f} "
            f"| {min(rates):,.0f}-{max(rates):,.0f} ({len(rates)}) "
            f"| {1e6 / per_second / words * 1000:,.0f} |"
        )
    lines += machine_footer(command)
    return "\n".join(lines)


def machine_footer(command: str) -> list[str]:
    """The closing lines of a one-core benchmark's report: the machine, its load, the command."""
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return [
        "",
        f"Machine: {os.cpu_count()} cores reported, one used; Python "
        f"{platform.python_version()} on {platform.machine()}; load average {load}.",
        f"Command: `{command}`",
        "",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=Path("/work/shared/seeds"))
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument(
        "--web", type=Path, default=Path("/work/shared/extraction/wcxb/dev"), help="WCXB split"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results" / "tag.md")
    args = parser.parse_args()
    # Thresholds as the shipped settings set them: the seeds must pass as users will tag them.
    tagging = load_settings(ROOT / "config" / "settings.toml").tagging
    taxonomy = load_taxonomy(ROOT / "config" / "themes.toml")
    tagger = Tagger(taxonomy, tagging.relevance_threshold, tagging.theme_threshold)
    seed_rows = check_seeds(tagger, args.seeds)
    speeds = {
        lang: measure_throughput(tagger, synthetic_articles(args.articles, lang), args.rounds)
        for lang in VOCABULARY
    }
    web = None
    if pages := web_articles(args.web):
        web = (pages, *measure_throughput(tagger, pages, max(3, args.rounds // 3)))
    command = ".venv/bin/python tests/benchmarks/bench_tag.py " + " ".join(sys.argv[1:])
    report = format_report(seed_rows, speeds, args.articles, web, command.strip())
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    seeds_ok = all(relevant and not missing for _, relevant, _, _, _, missing in seed_rows)
    fast = all(per_second >= TARGET_PER_SECOND for per_second, _ in speeds.values())
    return 0 if seeds_ok and fast else 1


if __name__ == "__main__":
    sys.exit(main())
