"""Related articles: paraphrases come out related, copies and irrelevant pieces do not."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

from pipelines.dedupe import Deduplicator
from pipelines.related import update_related
from pipelines.store import content_hash, open_database, sync_sources, upsert_article

TEXTS = Path(__file__).parent / "data" / "dedupe"
NAMES = (
    "far_east_column_2014",
    "far_east_column_2021",
    "hanoi_energy",
    "hanoi_security",
    "india_arms",
    "central_asia_rail",
)


def read(name: str) -> tuple[str, str]:
    title, body = (TEXTS / f"{name}.txt").read_text(encoding="utf-8").split("\n", 1)
    return title, body.strip()


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = open_database(tmp_path / "related.db")
    sync_sources(
        database,
        [
            {
                "name": "site",
                "title": "Site",
                "homepage": "https://site.org/",
                "source_type": "journal",
            }
        ],
    )
    return database


def store(db: Database, name: str, *, text: str | None = None, relevant: bool = True) -> int:
    title, body = read(name)
    body = text or body
    row = {
        "url": f"https://site.org/{name}/{len(body)}",
        "source": "site",
        "title": title,
        "text": body,
        "fetched": "2024-07-01T00:00:00Z",
        "relevant": relevant,
        "content_hash": content_hash(body),
    }
    with db.atomic():
        article_id = upsert_article(db, row)
        Deduplicator(db).link(article_id, body, row["content_hash"])
    return article_id


@pytest.fixture
def archive(db: Database) -> dict[str, int]:
    return {name: store(db, name) for name in NAMES}


def related_to(db: Database, article_id: int) -> list[int]:
    rows = db.execute(
        "SELECT other_id FROM related WHERE article_id = ? ORDER BY score DESC", [article_id]
    ).fetchall()
    return [row[0] for row in rows]


def test_the_paraphrased_column_is_most_related_and_not_a_duplicate(
    db: Database, archive: dict[str, int]
) -> None:
    update_related(db, k=2)
    old, new = archive["far_east_column_2014"], archive["far_east_column_2021"]
    copies = db.execute("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL").fetchone()
    assert (related_to(db, old)[0], related_to(db, new)[0], copies[0]) == (new, old, 0)


def test_rows_are_stored_in_both_directions(db: Database, archive: dict[str, int]) -> None:
    update_related(db, k=2)
    rows = set(db.execute("SELECT article_id, other_id, score FROM related").fetchall())
    assert rows and rows == {(b, a, score) for a, b, score in rows}


def test_each_article_keeps_at_most_k_of_its_own_choices(
    db: Database, archive: dict[str, int]
) -> None:
    scored = update_related(db, k=1)
    counts = db.execute("SELECT count(*) FROM related GROUP BY article_id").fetchall()
    # Union of each article's top-1: an article chosen by others may hold more rows.
    assert scored == len(NAMES) and sum(c for (c,) in counts) <= 2 * len(NAMES)


def test_copies_and_irrelevant_articles_are_left_out(db: Database, archive: dict[str, int]) -> None:
    _, text = read("hanoi_energy")
    copy = store(db, "hanoi_energy", text=text + " Republished with permission.")
    irrelevant = store(db, "hanoi_security", text=read("india_arms")[1] + " Sport.", relevant=False)
    update_related(db, k=3)
    named = {
        row[0]
        for row in db.execute("SELECT article_id FROM related UNION SELECT other_id FROM related")
    }
    assert copy not in named and irrelevant not in named


def test_a_second_pass_scores_only_new_articles(db: Database) -> None:
    first = {name: store(db, name) for name in NAMES[1:]}
    assert update_related(db, k=2) == len(first)
    assert update_related(db, k=2) == 0
    added = store(db, "far_east_column_2014")
    assert update_related(db, k=2) == 1
    assert added in related_to(db, first["far_east_column_2021"])


def test_an_article_that_became_a_copy_loses_its_rows(
    db: Database, archive: dict[str, int]
) -> None:
    update_related(db, k=2)
    db.execute(
        "UPDATE articles SET duplicate_of = ? WHERE id = ?",
        [archive["hanoi_security"], archive["hanoi_energy"]],
    )
    update_related(db, k=2)
    assert related_to(db, archive["hanoi_energy"]) == []


def test_a_rebuild_scores_every_article_again(db: Database, archive: dict[str, int]) -> None:
    update_related(db, k=2)
    before = set(db.execute("SELECT * FROM related").fetchall())
    scored = update_related(db, k=2, rebuild=True)
    assert (scored, set(db.execute("SELECT * FROM related").fetchall())) == (len(NAMES), before)


def test_k_zero_keeps_no_related_articles(db: Database, archive: dict[str, int]) -> None:
    update_related(db, k=2)
    assert update_related(db, k=0) == 0
    assert db.execute("SELECT count(*) FROM related").fetchone()[0] == 0


def test_an_article_with_no_close_neighbour_is_scored_once(
    db: Database, archive: dict[str, int]
) -> None:
    nonsense = "Quorvex flimbrel snodwick wuzzlepan plonkery zarbith."
    row = {"url": "https://site.org/lonely", "source": "site", "title": "Zarbith",
           "text": nonsense, "fetched": "2024-07-01T00:00:00Z", "relevant": True}  # fmt: skip
    with db.atomic():
        lonely = upsert_article(db, row)
    assert update_related(db, k=2) == len(NAMES) + 1
    assert related_to(db, lonely) == []
    assert update_related(db, k=2) == 0
    # Once out of the list and back, it is looked at again.
    db.execute("UPDATE articles SET relevant = 0 WHERE id = ?", [lonely])
    assert update_related(db, k=2) == 0
    db.execute("UPDATE articles SET relevant = 1 WHERE id = ?", [lonely])
    assert update_related(db, k=2) == 1
