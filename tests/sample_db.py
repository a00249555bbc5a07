"""A small, realistic pivotwatch database built through `pipelines.store`, for Datasette tests.

Articles in English, Russian and Japanese with themes, entities, a duplicate, related rows,
crawl runs and fetches; one hostile article carries script and image-tag payloads in its
title and text, another has a `javascript:` URL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pipelines.store import (
    open_database,
    replace_tags,
    sync_entities,
    sync_sources,
    sync_themes,
    upsert_article,
)

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
HOSTILE_TITLE = f"Hostile {SCRIPT} title {IMAGE}"
JAVASCRIPT_URL = "javascript:alert(1)"

SOURCES = [
    {"name": "thediplomat", "title": "The Diplomat", "homepage": "https://thediplomat.com/",
     "source_type": "journal", "language": "en"},
    {"name": "tass", "title": "TASS", "homepage": "https://tass.ru/",
     "source_type": "state_media", "language": "ru"},
    {"name": "asahi", "title": "Asahi Shimbun", "homepage": "https://www.asahi.com/",
     "source_type": "news", "language": "ja"},
]  # fmt: skip
THEMES = [
    {"id": "russia-china", "label": "Russia and China", "description": "Ties with Beijing."},
    {"id": "energy", "label": "Energy", "description": "Oil, gas, pipelines, nuclear."},
    {"id": "russia-japan", "label": "Russia and Japan", "description": "Ties with Tokyo."},
]
ENTITIES = [
    {"id": "china", "name": "China", "kind": "country"},
    {"id": "japan", "name": "Japan", "kind": "country"},
    {"id": "gazprom", "name": "Gazprom", "kind": "organisation"},
    {"id": "xi-jinping", "name": "Xi Jinping", "kind": "person"},
]
ARTICLES: list[dict[str, Any]] = [
    {"url": "https://thediplomat.com/2025/03/power-of-siberia-2/", "source": "thediplomat",
     "title": "Power of Siberia 2 and the limits of the Russia-China energy partnership",
     "published": "2025-03-10T08:00:00Z", "language": "en", "relevance": 0.92,
     "text": "Gazprom wants the pipeline.\n\nBeijing is in no hurry to sign the price.",
     "themes": [("energy", 0.9, "pipeline"), ("russia-china", 0.8, "Beijing")],
     "entities": [("gazprom", 3), ("china", 2)]},
    {"url": "https://tass.ru/ekonomika/123", "source": "tass",
     "title": "Россия и Китай обсудили поставки газа", "published": "2025-03-11T09:30:00Z",
     "language": "ru", "relevance": 0.81,
     "text": "Россия и Китай обсудили энергетическое сотрудничество.\n\nГазпром доволен.",
     "themes": [("energy", 0.7, "газ")], "entities": [("china", 2), ("gazprom", 1)]},
    {"url": "https://www.asahi.com/articles/ASR1.html", "source": "asahi",
     "title": "北方領土問題と日露関係", "published": "2025-02-20T01:00:00Z", "language": "ja",
     "relevance": 0.77, "text": "北方領土をめぐる交渉は停滞している。\n\n会員限定の記事です。",
     "paywalled": 1, "themes": [("russia-japan", 0.85, "北方領土")], "entities": [("japan", 2)]},
    {"url": "https://thediplomat.com/2025/01/xi-moscow/", "source": "thediplomat",
     "title": "Xi in Moscow: what the visit delivered", "published": "2025-01-05T12:00:00Z",
     "language": "en", "relevance": 0.88, "text": "Xi Jinping came to Moscow.\n\nDeals followed.",
     "themes": [("russia-china", 0.95, "Xi")], "entities": [("xi-jinping", 4), ("china", 3)]},
    {"url": "https://tass.ru/politika/456", "source": "tass",
     "title": "Xi in Moscow: what the visit delivered (copy)", "published": "2025-01-05T13:00:00Z",
     "language": "en", "relevance": 0.88, "text": "Xi Jinping came to Moscow.\n\nDeals followed.",
     "duplicate_of_url": "https://thediplomat.com/2025/01/xi-moscow/",
     "themes": [("russia-china", 0.95, "Xi")], "entities": [("xi-jinping", 4)]},
    {"url": "https://thediplomat.com/2025/03/football/", "source": "thediplomat",
     "title": "A football final in Bangkok", "published": "2025-03-12T10:00:00Z",
     "language": "en", "relevance": 0.05, "text": "Nothing about Russia here.",
     "themes": [], "entities": []},
    {"url": "https://thediplomat.com/2025/03/hostile/", "source": "thediplomat",
     "title": HOSTILE_TITLE, "published": "2025-03-13T10:00:00Z", "language": "en",
     "relevance": 0.7, "text": f"First paragraph {SCRIPT} about China.\n\nSecond {IMAGE} part.",
     "themes": [("russia-china", 0.6, "China")], "entities": [("china", 1)]},
    {"url": JAVASCRIPT_URL, "source": "thediplomat", "title": "An article with a script URL",
     "published": "2025-03-09T10:00:00Z", "language": "en", "relevance": 0.66,
     "text": "Feeds sometimes carry odd links about China.",
     "themes": [("russia-china", 0.5, "China")], "entities": [("china", 1)]},
]  # fmt: skip


def article_row(spec: dict[str, Any], threshold: float = 0.5) -> dict[str, Any]:
    text = spec["text"]
    return {
        "url": spec["url"],
        "source": spec["source"],
        "title": spec["title"],
        "authors": ["Staff"],
        "published": spec["published"],
        "fetched": spec["published"],
        "language": spec["language"],
        "text": text,
        "summary": text.split("\n\n")[0],
        "word_count": len(text.split()),
        "paywalled": spec.get("paywalled", 0),
        "relevance": spec["relevance"],
        "relevant": spec["relevance"] >= threshold,
    }


def build_sample_db(path: Path, now: datetime | None = None) -> Path:
    """Write the sample database at `path` and return it."""
    now = now or datetime.now(UTC)
    db = open_database(path)
    with db.atomic():
        sync_sources(db, SOURCES)
        sync_themes(db, THEMES)
        sync_entities(db, ENTITIES)
        ids = {spec["url"]: _store(db, spec) for spec in ARTICLES}
        for spec in ARTICLES:
            if "duplicate_of_url" in spec:
                db.execute(
                    "UPDATE articles SET duplicate_of = ? WHERE id = ?",
                    [ids[spec["duplicate_of_url"]], ids[spec["url"]]],
                )
        first, second, *_ = ids.values()
        db["related"].insert_all([{"article_id": first, "other_id": second, "score": 0.61}])
        _record_crawl(db, now)
    db.conn.close()
    return path


def _store(db: Any, spec: dict[str, Any]) -> int:
    article_id = upsert_article(db, article_row(spec))
    themes = [
        {"theme_id": theme, "score": score, "evidence": [{"term": term, "start": 0, "end": 1}]}
        for theme, score, term in spec["themes"]
    ]
    entities = [
        {"entity_id": entity, "mentions": mentions, "evidence": []}
        for entity, mentions in spec["entities"]
    ]
    replace_tags(db, article_id, themes, entities)
    return article_id


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


RUN_COLUMNS = ("source", "started", "fetched", "new_articles", "errors", "outcome", "last_error")
FETCH_COLUMNS = ("url", "source", "status", "error", "hours_ago")


def _record_crawl(db: Any, now: datetime) -> None:
    runs = [
        ("thediplomat", 3, 5, 3, 0, "ok", None),
        ("tass", 2, 0, 0, 2, "failed", "HTTP 503 from https://tass.ru/feed"),
    ]
    rows = [dict(zip(RUN_COLUMNS, run, strict=True)) for run in runs]
    for row in rows:
        row["started"] = row["finished"] = _stamp(now - timedelta(hours=row["started"]))
    db["crawl_runs"].insert_all(rows)
    fetches = [
        ("https://tass.ru/feed", "tass", 503, "HTTP 503", 2),
        ("https://tass.ru/old", "tass", 404, "HTTP 404", 72),
        ("https://thediplomat.com/feed/", "thediplomat", 200, None, 3),
    ]
    rows = [dict(zip(FETCH_COLUMNS, fetch, strict=True)) for fetch in fetches]
    for row in rows:
        row["fetched"] = _stamp(now - timedelta(hours=row.pop("hours_ago")))
    db["fetches"].insert_all(rows)
