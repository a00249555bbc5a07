"""A large synthetic pivotwatch database for benchmarks, cached under `.bench-cache/`.

Articles are drawn from a Zipf-distributed vocabulary of pseudo-words plus the field's
own terms, so full-text search sees realistic common and rare words; themes, entities,
sources, duplicates, related rows, crawl runs and fetches follow plausible shares.
Generation writes with executemany in one transaction and builds the full-text index
in bulk, then the result is cached by its parameters and copied to the requested path.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipelines.store import open_database  # noqa: E402

CACHE = ROOT / ".bench-cache"
GENERATOR_VERSION = 1
POOL_SIZE = 3_000_000
START_DAY = 19_000  # days since 1970-01-01: 2022-01-08

SOURCES = [
    ("thediplomat", "The Diplomat", "journal", "en"),
    ("wpr", "World Politics Review", "journal", "en"),
    ("policyforum", "Policy Forum", "academic", "en"),
    ("eastasiaforum", "East Asia Forum", "academic", "en"),
    ("carnegie", "Carnegie Politika", "think_tank", "en"),
    ("valdai", "Valdai Club", "think_tank", "en"),
    ("riac", "Russian International Affairs Council", "think_tank", "ru"),
    ("csis", "CSIS", "think_tank", "en"),
    ("lowy", "The Interpreter", "think_tank", "en"),
    ("nikkei", "Nikkei Asia", "news", "en"),
    ("asahi", "Asahi Shimbun", "news", "ja"),
    ("scmp", "South China Morning Post", "news", "en"),
    ("tass", "TASS", "state_media", "ru"),
    ("rg", "Rossiyskaya Gazeta", "state_media", "ru"),
    ("globaltimes", "Global Times", "state_affiliated", "en"),
    ("kommersant", "Kommersant", "news", "ru"),
    ("jamestown", "Jamestown Foundation", "think_tank", "en"),
    ("rferl", "RFE/RL", "news", "en"),
    ("isdp", "Institute for Security and Development Policy", "think_tank", "en"),
    ("orf", "Observer Research Foundation", "think_tank", "en"),
    ("koreaherald", "The Korea Herald", "news", "en"),
    ("asiatimes", "Asia Times", "news", "en"),
    ("foreignaffairs", "Foreign Affairs", "journal", "en"),
    ("google-news", "Google News", "aggregator", "en"),
]
THEMES = [
    "pivot-to-asia", "russia-china", "russia-japan", "korean-peninsula",
    "far-east-development", "energy", "arms-trade", "military-cooperation",
    "regional-institutions", "southeast-asia", "india", "trade-investment",
    "territorial-disputes", "us-and-great-powers", "identity-ideology",
    "central-asia-mongolia", "arctic", "ukraine-war-asia", "australia-pacific",
]  # fmt: skip
NAMED_ENTITIES = [
    ("china", "China", "country"), ("japan", "Japan", "country"),
    ("india", "India", "country"), ("north-korea", "North Korea", "country"),
    ("south-korea", "South Korea", "country"), ("vietnam", "Vietnam", "country"),
    ("mongolia", "Mongolia", "country"), ("kazakhstan", "Kazakhstan", "country"),
    ("united-states", "United States", "country"), ("ukraine", "Ukraine", "country"),
    ("indonesia", "Indonesia", "country"), ("australia", "Australia", "country"),
    ("vladivostok", "Vladivostok", "place"), ("kuril-islands", "Kuril Islands", "place"),
    ("sakhalin", "Sakhalin", "place"), ("arctic-ocean", "Arctic Ocean", "place"),
    ("sco", "Shanghai Cooperation Organisation", "organisation"),
    ("asean", "ASEAN", "organisation"), ("brics", "BRICS", "organisation"),
    ("gazprom", "Gazprom", "organisation"), ("rosneft", "Rosneft", "organisation"),
    ("rosatom", "Rosatom", "organisation"), ("quad", "Quad", "organisation"),
    ("putin", "Vladimir Putin", "person"), ("xi-jinping", "Xi Jinping", "person"),
    ("modi", "Narendra Modi", "person"), ("kim-jong-un", "Kim Jong Un", "person"),
    ("lavrov", "Sergey Lavrov", "person"), ("kishida", "Fumio Kishida", "person"),
]  # fmt: skip
FIELD_WORDS = (  # noqa: SIM905
    "russia russian moscow kremlin china beijing asia pacific pivot sanctions energy "
    "pipeline gas oil arctic sea route military exercise arms sale treaty summit "
    "cooperation partnership trade investment yuan rouble ruble border security alliance "
    "diplomacy strategy policy economy war ukraine korea japan india vietnam mongolia"
).split()
CYRILLIC_WORDS = "россия китай азия энергетика сотрудничество санкции газ нефть".split()  # noqa: SIM905
SYLLABLES = [c + v for c in "bcdfghklmnprstvz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]


def build_synthetic_db(path: Path | str, n_articles: int = 200_000, seed: int = 1) -> Path:
    """The synthetic database at `path`, generated once per parameter set and cached."""
    cached = cached_path(n_articles, seed)
    if not cached.exists():
        CACHE.mkdir(exist_ok=True)
        partial = cached.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        _generate(partial, n_articles, seed)
        partial.rename(cached)
    path = Path(path)
    if path.resolve() != cached.resolve():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, path)
    return path


def cached_path(n_articles: int, seed: int) -> Path:
    return CACHE / f"synthetic-v{GENERATOR_VERSION}-n{n_articles}-s{seed}.db"


def vocabulary(rng: random.Random, size: int = 24_000) -> list[str]:
    """Pseudo-words of two to four syllables, unique, in a fixed random order."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))))
    ordered = sorted(words)
    rng.shuffle(ordered)
    return ordered


def word_pool(rng: random.Random) -> list[str]:
    """A long Zipf-distributed word stream that article texts are cut from."""
    words = FIELD_WORDS + vocabulary(rng) + CYRILLIC_WORDS
    weights = [1.0 / (rank + 1) for rank in range(len(words))]
    return rng.choices(words, cum_weights=list(itertools.accumulate(weights)), k=POOL_SIZE)


def _generate(path: Path, n_articles: int, seed: int) -> None:
    rng = random.Random(seed)
    db = open_database(path)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    pool = word_pool(rng)
    entities = _entity_rows(rng)
    conn = db.conn
    conn.execute("BEGIN")
    _insert(conn, "sources", [_source_row(s) for s in SOURCES])
    _insert(conn, "themes", [_theme_row(t) for t in THEMES])
    _insert(conn, "entities", entities)
    generator = ArticleGenerator(rng, pool, [e["id"] for e in entities])
    for batch in _batched(generator.articles(n_articles), 5_000):
        _insert(conn, "articles", [a for a, _, _ in batch])
        _insert(conn, "article_themes", [t for _, themes, _ in batch for t in themes])
        _insert(conn, "article_entities", [e for _, _, ents in batch for e in ents])
    _insert(conn, "related", generator.related_rows(n_articles))
    _insert(conn, "crawl_runs", _crawl_runs(rng))
    _insert(conn, "fetches", _fetches(rng, n_articles))
    conn.execute("COMMIT")
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("ANALYZE")
    conn.close()


def _insert(conn: Any, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    conn.executemany(sql, [tuple(row[c] for c in columns) for row in rows])


def _batched(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while batch := list(itertools.islice(items, size)):
        yield batch


def _source_row(source: tuple[str, str, str, str]) -> dict[str, Any]:
    name, title, source_type, language = source
    return {
        "name": name,
        "title": title,
        "homepage": f"https://{name}.example/",
        "source_type": source_type,
        "language": language,
    }


def _theme_row(theme_id: str) -> dict[str, Any]:
    label = theme_id.replace("-", " ").capitalize()
    return {"id": theme_id, "label": label, "description": f"Articles about {label.lower()}."}


def _entity_rows(rng: random.Random) -> list[dict[str, Any]]:
    rows = [{"id": i, "name": n, "kind": k} for i, n, k in NAMED_ENTITIES]
    kinds = ("place", "organisation", "person")
    for number in range(270):
        name = "".join(rng.choices(SYLLABLES, k=3)).capitalize() + f" {number}"
        rows.append({"id": f"entity-{number}", "name": name, "kind": kinds[number % 3]})
    return rows


def _day(offset: int) -> str:
    from datetime import date, timedelta

    return (date(1970, 1, 1) + timedelta(days=START_DAY + offset)).isoformat()


class ArticleGenerator:
    """Article, theme and entity rows for article ids 1..n, deterministic for a seed."""

    def __init__(self, rng: random.Random, pool: list[str], entity_ids: list[str]) -> None:
        self.rng = rng
        self.pool = pool
        self.entity_ids = entity_ids
        weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(entity_ids))]
        self.entity_weights = list(itertools.accumulate(weights))
        theme_weights = [1.0 / (rank + 1) ** 0.5 for rank in range(len(THEMES))]
        self.theme_weights = list(itertools.accumulate(theme_weights))
        source_weights = [1.0 / (rank + 1) ** 0.6 for rank in range(len(SOURCES))]
        self.source_weights = list(itertools.accumulate(source_weights))

    def articles(self, n: int) -> Iterator[tuple[dict[str, Any], list[dict], list[dict]]]:
        days = 1_400
        for article_id in range(1, n + 1):
            day = _day(int(days * article_id / n))
            yield self.article(article_id, day)

    def words(self, count: int) -> list[str]:
        start = self.rng.randrange(len(self.pool) - count)
        return self.pool[start : start + count]

    def text(self, count: int) -> str:
        paragraphs = []
        words = self.words(count)
        position = 0
        while position < count:
            length = self.rng.randint(40, 140)
            paragraphs.append(" ".join(words[position : position + length]).capitalize() + ".")
            position += length
        return "\n\n".join(paragraphs)

    def article(self, article_id: int, day: str) -> tuple[dict[str, Any], list[dict], list[dict]]:
        rng = self.rng
        name, _, _, language = rng.choices(SOURCES, cum_weights=self.source_weights)[0]
        word_count = rng.randint(300, 1_200)
        text = self.text(word_count)
        relevance = round(rng.betavariate(2.2, 1.8), 4)
        relevant = relevance >= 0.5
        title = " ".join(self.words(rng.randint(6, 12))).capitalize()
        copied = article_id > 10 and rng.random() < 0.04
        duplicate_of = rng.randint(1, article_id - 1) if copied else None
        paywalled = rng.random() < 0.12
        hour = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00"
        row = {
            "id": article_id,
            "url": f"https://{name}.example/{day[:7].replace('-', '/')}/story-{article_id}",
            "source": name,
            "title": title,
            "authors": json.dumps([f"Author {rng.randint(1, 900)}"]),
            "published": f"{day}T{hour}Z",
            "fetched": f"{day}T{hour}Z",
            "language": language,
            "description": " ".join(self.words(25)),
            "text": text,
            "summary": " ".join(text.split()[:40]),
            "word_count": word_count,
            "paywalled": int(paywalled),
            "teaser": int(paywalled and rng.random() < 0.3),
            "relevance": relevance,
            "relevant": int(relevant),
            "content_hash": hashlib.sha1(text.encode()).hexdigest(),
            "duplicate_of": duplicate_of,
        }
        return row, self.themes(article_id, relevant), self.entities(article_id)

    def themes(self, article_id: int, relevant: bool) -> list[dict[str, Any]]:
        count = self.rng.randint(1, 4) if relevant else self.rng.randint(0, 1)
        chosen = set(self.rng.choices(THEMES, cum_weights=self.theme_weights, k=count))
        return [
            {
                "article_id": article_id,
                "theme_id": theme,
                "score": round(self.rng.uniform(0.35, 1), 4),
                "evidence": json.dumps([{"term": theme.split("-")[0], "start": 0, "end": 6}]),
            }
            for theme in sorted(chosen)
        ]

    def entities(self, article_id: int) -> list[dict[str, Any]]:
        k = self.rng.randint(2, 8)
        chosen = set(self.rng.choices(self.entity_ids, cum_weights=self.entity_weights, k=k))
        return [
            {
                "article_id": article_id,
                "entity_id": entity,
                "mentions": self.rng.randint(1, 12),
                "evidence": "[]",
            }
            for entity in sorted(chosen)
        ]

    def related_rows(self, n: int) -> list[dict[str, Any]]:
        rows = []
        for article_id in range(1, n + 1, 3):
            for other in {self.rng.randint(1, n) for _ in range(3)} - {article_id}:
                score = round(self.rng.uniform(0.2, 0.9), 3)
                rows.append({"article_id": article_id, "other_id": other, "score": score})
        return rows


def _crawl_runs(rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for name, *_ in SOURCES:
        for run in range(120):
            day = _day(1_400 - run // 4)
            failed = rng.random() < 0.08
            rows.append(
                {
                    "source": name,
                    "started": f"{day}T{(run % 4) * 6:02d}:00:00Z",
                    "finished": f"{day}T{(run % 4) * 6:02d}:01:30Z",
                    "discovered": rng.randint(0, 40),
                    "fetched": rng.randint(0, 30),
                    "new_articles": 0 if failed else rng.randint(0, 20),
                    "errors": rng.randint(1, 5) if failed else 0,
                    "outcome": "failed" if failed else "ok",
                    "last_error": "HTTP 503" if failed else None,
                }
            )
    return rows


def _fetches(rng: random.Random, n: int) -> list[dict[str, Any]]:
    rows = []
    for number in range(n // 4):
        name = SOURCES[number % len(SOURCES)][0]
        status = 200 if rng.random() > 0.05 else rng.choice([404, 429, 503])
        rows.append(
            {
                "url": f"https://{name}.example/page-{number}",
                "source": name,
                "status": status,
                "error": None if status == 200 else f"HTTP {status}",
                "bytes": rng.randint(10_000, 300_000),
                "elapsed_ms": rng.randint(80, 4_000),
                "fetched": f"{_day(int(1_400 * number / (n // 4)))}T12:00:00Z",
            }
        )
    return rows


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    print(build_synthetic_db(cached_path(count, 1), count))
