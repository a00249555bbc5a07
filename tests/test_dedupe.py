"""Copies of one piece point at their primary; different pieces on one event stay apart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from pipelines.dedupe import COMMON_SAMPLE, Deduplicator, pack
from pipelines.schema import migrations
from pipelines.shingles import jaccard, sample, shingle_hashes
from pipelines.store import content_hash, open_database, sync_sources, upsert_article

TEXTS = Path(__file__).parent / "data" / "dedupe"
SOURCES = ("institute", "thediplomat", "eastasiaforum", "aggregator")


def read(name: str) -> tuple[str, str]:
    """The title and body of a saved article."""
    title, body = (TEXTS / f"{name}.txt").read_text(encoding="utf-8").split("\n", 1)
    return title, body.strip()


def with_boilerplate(text: str) -> str:
    return (
        "This article first appeared on the author's institute site and is republished "
        "with permission. Sign up for our weekly newsletter on Asian security.\n\n"
        f"{text}\n\nShare this article on social media. The views expressed are the "
        "author's own and do not represent those of the publication. Related reading: "
        "five things to watch at the next regional summit."
    )


def edited(text: str, every: int = 20) -> str:
    """One word in `every` replaced, spread through the text."""
    tokens = text.split(" ")
    for i in range(every // 2, len(tokens), every):
        tokens[i] = f"changed{i}"
    return " ".join(tokens)


def teaser(text: str, words: int = 90) -> str:
    return " ".join(text.split()[:words]) + " ..."


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = open_database(tmp_path / "dedupe.db")
    sync_sources(
        database,
        [
            {"name": n, "title": n, "homepage": f"https://{n}.org/", "source_type": "journal"}
            for n in SOURCES
        ],
    )
    return database


Store = Callable[..., int]


@pytest.fixture
def store(db: Database) -> Store:
    deduplicator = Deduplicator(db, near_duplicate_threshold=0.8)

    def store_article(url: str, text: str, **fields: Any) -> int:
        row = {
            "url": url,
            "source": fields.pop("source", "institute"),
            "title": fields.pop("title", "A title"),
            "text": text,
            "fetched": "2024-07-01T00:00:00Z",
            "content_hash": content_hash(text),
            "relevant": True,
            **fields,
        }
        with db.atomic():
            article_id = upsert_article(db, row)
            deduplicator.link(article_id, text, row["content_hash"])
        return article_id

    return store_article


def duplicate_of(db: Database, article_id: int) -> int | None:
    return db.execute("SELECT duplicate_of FROM articles WHERE id = ?", [article_id]).fetchone()[0]


COPIES = [
    pytest.param(with_boilerplate, {}, id="other-boilerplate"),
    pytest.param(edited, {}, id="five-percent-edited"),
    pytest.param(lambda t: t, {"title": "The Diplomat: Moscow Brings Oil"}, id="re-titled"),
    pytest.param(lambda t: t.upper().replace(". ", ".\n\n"), {}, id="re-cased-and-spaced"),
]


@pytest.mark.parametrize(("make_copy", "fields"), COPIES)
def test_a_later_copy_points_at_the_original(
    db: Database, store: Store, make_copy: Callable[[str], str], fields: dict[str, Any]
) -> None:
    _, text = read("hanoi_energy")
    original = store("https://institute.org/a", text, published="2024-06-20")
    copy = store("https://thediplomat.org/b", make_copy(text), published="2024-06-22", **fields)
    assert (duplicate_of(db, original), duplicate_of(db, copy)) == (None, original)


@pytest.mark.parametrize(("make_copy", "fields"), COPIES)
def test_an_earlier_copy_stored_later_becomes_the_primary(
    db: Database, store: Store, make_copy: Callable[[str], str], fields: dict[str, Any]
) -> None:
    _, text = read("hanoi_energy")
    later = store("https://aggregator.org/x", make_copy(text), published="2024-06-25", **fields)
    third = store("https://eastasiaforum.org/y", with_boilerplate(text), published="2024-06-26")
    earliest = store("https://institute.org/a", text, published="2024-06-20")
    assert [duplicate_of(db, i) for i in (earliest, later, third)] == [None, earliest, earliest]


def test_five_percent_edits_keep_jaccard_above_the_threshold() -> None:
    _, text = read("hanoi_energy")
    assert jaccard(shingle_hashes(text), shingle_hashes(edited(text))) >= 0.8


@pytest.mark.parametrize(
    "order", [("teaser", "full"), ("full", "teaser")], ids=["teaser-first", "full-first"]
)
def test_a_teaser_points_at_its_full_text(
    db: Database, store: Store, order: tuple[str, str]
) -> None:
    _, text = read("hanoi_energy")
    pages = {
        "teaser": ("https://aggregator.org/t", teaser(text), "2024-06-19"),
        "full": ("https://institute.org/a", text, "2024-06-20"),
    }
    ids = {
        name: store(url, body, published=day) for name in order for url, body, day in [pages[name]]
    }
    assert (duplicate_of(db, ids["teaser"]), duplicate_of(db, ids["full"])) == (ids["full"], None)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("hanoi_energy", "hanoi_security"),
        ("far_east_column_2014", "far_east_column_2021"),
        ("india_arms", "central_asia_rail"),
    ],
    ids=["same-event-different-articles", "paraphrased-column", "unrelated"],
)
def test_different_articles_are_not_merged(
    db: Database, store: Store, first: str, second: str
) -> None:
    a = store("https://institute.org/a", read(first)[1], published="2024-06-20")
    b = store("https://thediplomat.org/b", read(second)[1], published="2024-06-21")
    assert (duplicate_of(db, a), duplicate_of(db, b)) == (None, None)


def test_a_teaser_of_another_article_on_the_event_is_not_linked(db: Database, store: Store) -> None:
    full = store("https://institute.org/a", read("hanoi_energy")[1], published="2024-06-20")
    other = store("https://aggregator.org/t", teaser(read("hanoi_security")[1]))
    assert (duplicate_of(db, full), duplicate_of(db, other)) == (None, None)


def test_a_copy_declaring_a_canonical_elsewhere_is_not_the_primary(
    db: Database, store: Store
) -> None:
    _, text = read("hanoi_energy")
    syndicated = store(
        "https://thediplomat.org/b",
        with_boilerplate(text),
        published="2024-06-18",
        canonical_url="https://institute.org/original",
    )
    original = store("https://institute.org/a", text, published="2024-06-20")
    assert duplicate_of(db, syndicated) == original


def test_the_index_survives_a_restart(db: Database, store: Store) -> None:
    _, text = read("far_east_column_2014")
    original = store("https://institute.org/a", text, published="2014-03-01")
    reopened = Deduplicator(db, near_duplicate_threshold=0.8)
    copy = with_boilerplate(text)
    assert reopened.find_matches(shingle_hashes(copy), content_hash(copy)) == {original}


def test_an_article_whose_text_changed_leaves_the_index(db: Database, store: Store) -> None:
    _, text = read("india_arms")
    article = store("https://institute.org/a", text)
    store("https://institute.org/a", read("central_asia_rail")[1])
    copy = with_boilerplate(text)
    assert Deduplicator(db).find_matches(shingle_hashes(copy), content_hash(copy)) == set()
    assert article == store("https://institute.org/a", text)


def test_find_primary_reads_without_writing(db: Database, store: Store) -> None:
    _, text = read("hanoi_energy")
    original = store("https://institute.org/a", text, published="2024-06-20")
    with db.atomic():
        copy = upsert_article(
            db,
            {
                "url": "https://aggregator.org/c",
                "source": "aggregator",
                "text": edited(text),
                "fetched": "2024-07-01T00:00:00Z",
            },
        )
    assert Deduplicator(db).find_primary(copy, edited(text), None) == original
    assert duplicate_of(db, copy) is None


def add_articles(db: Database, count: int) -> list[int]:
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO articles (id, url, source, fetched) VALUES (?, ?, 'institute', 'x')",
            [(n, f"https://institute.org/{n}") for n in range(1, count + 1)],
        )
    return list(range(1, count + 1))


def postings(db: Database, value: int) -> int:
    return db.execute("SELECT count(*) FROM dedupe_samples WHERE hash = ?", [value]).fetchone()[0]


def test_a_sample_in_too_many_articles_leaves_the_posting_lists(db: Database) -> None:
    boilerplate, ids = 8 * 1000, add_articles(db, COMMON_SAMPLE + 1)
    deduplicator = Deduplicator(db)
    for article_id in ids[:-1]:
        deduplicator.index(article_id, {boilerplate, 8 * (2000 + article_id)})
    assert postings(db, boilerplate) == COMMON_SAMPLE
    deduplicator.index(ids[-1], {boilerplate, 8 * 5000})
    assert postings(db, boilerplate) == 0
    assert postings(db, 8 * 5000) == 1
    common = db.execute("SELECT hash FROM dedupe_common").fetchall()
    assert [row[0] for row in common] == [boilerplate]


def index_tables(db: Database) -> list[list[Any]]:
    return [
        sorted(db.execute(f"SELECT * FROM {table}").fetchall())
        for table in ("dedupe_samples", "dedupe_sketches", "dedupe_common")
    ]


def test_indexing_in_bulk_matches_indexing_one_by_one(tmp_path: Path, db: Database) -> None:
    names = ("hanoi_energy", "india_arms", "central_asia_rail")
    articles = [(n, shingle_hashes(read(name)[1])) for n, name in enumerate(names, 1)]
    add_articles(db, len(articles))
    for article_id, hashes in articles:
        Deduplicator(db).index(article_id, hashes)
    bulk = open_database(tmp_path / "bulk.db")
    sync_sources(bulk, [{"name": "institute", "title": "i", "homepage": "h", "source_type": "j"}])
    add_articles(bulk, len(articles))
    # An article listed twice is indexed once, with its last shingles.
    Deduplicator(bulk).index_many([(1, {8}), *articles])
    assert index_tables(bulk) == index_tables(db)


def test_a_teaser_of_mostly_boilerplate_samples_finds_its_full_text(
    db: Database, store: Store
) -> None:
    _, text = read("hanoi_energy")
    samples = sample(shingle_hashes(teaser(text)))
    fillers = add_articles(db, COMMON_SAMPLE + 1)
    Deduplicator(db).index_many((n, set(samples[2:])) for n in fillers)
    full = store("https://institute.org/a", text, published="2024-06-20")
    short = store("https://aggregator.org/t", teaser(text), published="2024-06-21")
    assert (duplicate_of(db, full), duplicate_of(db, short)) == (None, full)


def test_upgrading_retires_boilerplate_and_counts_each_article_samples(tmp_path: Path) -> None:
    db = open_database(tmp_path / "old.db", migrate=False)
    migrations.apply(db, stop_before="0006_dedupe_common_samples")
    sync_sources(db, [{"name": "institute", "title": "i", "homepage": "h", "source_type": "j"}])
    ids, boilerplate = add_articles(db, COMMON_SAMPLE + 1), 8
    own = {n: [boilerplate, 8 * (1000 + n)] for n in ids}
    db.conn.executemany(
        "INSERT INTO dedupe_sketches VALUES (?, 2, ?)", [(n, pack(own[n])) for n in ids]
    )
    db.conn.executemany(
        "INSERT INTO dedupe_samples VALUES (?, ?)", [(h, n) for n in ids for h in own[n]]
    )
    migrations.apply(db)
    assert db.execute("SELECT hash FROM dedupe_common").fetchall() == [(boilerplate,)]
    assert sorted(db.execute("SELECT * FROM dedupe_samples").fetchall()) == [
        (8 * (1000 + n), n, 2) for n in ids
    ]
