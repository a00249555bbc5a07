"""Re-tagging stored articles writes only what changed, and ends where tagging afresh would."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database

from pipelines.entities import Evidence, evidence_json
from pipelines.process import tag_rows
from pipelines.retag import retag_articles
from pipelines.schema import BACKFILL_COUNTS
from pipelines.store import (
    open_database,
    replace_tags,
    sync_entities,
    sync_sources,
    sync_themes,
    upsert_article,
)
from pipelines.tag import Tagger, load_taxonomy
from pipelines.tag_digest import digest, digest_key

ROOT = Path(__file__).parent.parent
THEMES = ROOT / "config" / "themes.toml"

ARTICLES = [
    (
        "Moscow and Beijing sign another gas deal",
        "Gazprom and CNPC agreed on Tuesday to raise supplies through the Power of Siberia "
        "pipeline, Russian officials said, as Moscow leans harder on China for energy sales.\n\n"
        "Xi Jinping and Vladimir Putin welcomed the deal. Trade between Russia and China grew "
        "again last year, settled mostly in roubles and yuan.",
    ),
    (
        "Tokyo protests Russian drills on the Kurils",
        "Japan lodged a protest after Russian troops held exercises on the Kuril Islands, "
        "which Tokyo calls the Northern Territories.\n\nThe Pacific Fleet said the drills "
        "were planned. Relations with Japan have been frozen since 2022.",
    ),
    (
        "Россия и Китай расширяют торговлю",
        "Товарооборот России и Китая вырос, сообщили в Москве. Газпром увеличил поставки газа "
        "по газопроводу «Сила Сибири».\n\nСи Цзиньпин и Владимир Путин обсудили инвестиции на "
        "Дальнем Востоке и в Арктике.",
    ),
    (
        "Seoul weighs its ties with Moscow",
        "South Korea is reviewing its trade with Russia after North Korean troops were sent "
        "to fight in Ukraine.\n\nOfficials in Seoul said sanctions would stay.",
    ),
    (
        "Vietnam buys more rice from Thailand",
        "Vietnam and Thailand agreed on rice prices for the coming season.\n\nNeither "
        "government mentioned any other partner.",
    ),
    (
        "Football: Zenit wins the Russian cup",
        "Zenit beat Spartak in the final in Moscow.\n\nThe club's coach thanked the fans.",
    ),
]


def values(tagger: Tagger, title: str, text: str) -> tuple[dict, dict]:
    """The article_themes and article_entities rows, by id, that tagging would store."""
    tags = tagger.scored(text, title)
    return tagger.theme_rows(tags), tagger.entity_rows(tags)


def build(path: Path, tagger: Tagger) -> Database:
    """A database of ARTICLES, tagged with `tagger` as the crawler stores them, but without
    the digests of the rows (as an older version, or a hand, would leave them)."""
    db = open_database(path)
    taxonomy = tagger.taxonomy
    sync_sources(
        db,
        [{"name": "example", "title": "Example", "homepage": "https://example.org/",
          "source_type": "news", "language": "en"}],
    )  # fmt: skip
    sync_themes(db, [{"id": t.id, "label": t.label, "description": t.description}
                     for t in taxonomy.themes])  # fmt: skip
    sync_entities(db, [{"id": e.id, "name": e.name, "kind": e.kind} for e in taxonomy.entities])
    with db.atomic():
        for number, (title, text) in enumerate(ARTICLES):
            result = tagger.scored(text, title)
            row = {
                "url": f"https://example.org/{number}",
                "source": "example",
                "title": title,
                "published": f"2026-11-{number + 1:02d}T08:00:00Z",
                "fetched": "2026-11-20T08:00:00Z",
                "language": "ru" if "Россия" in title else "en",
                "text": text,
                "relevance": round(result.relevance, 4),
                "relevant": result.relevant,
            }
            replace_tags(db, upsert_article(db, row), *tag_rows(tagger, result))
    return db


def stored(db: Database) -> dict[str, list[tuple]]:
    return {
        "articles": db.execute(
            "SELECT id, relevance, relevant FROM articles ORDER BY id"
        ).fetchall(),
        "themes": db.execute("SELECT * FROM article_themes ORDER BY 1, 2").fetchall(),
        "entities": db.execute("SELECT * FROM article_entities ORDER BY 1, 2").fetchall(),
        "counts": db.execute(
            "SELECT * FROM article_list_counts WHERE count != 0 ORDER BY 1, 2"
        ).fetchall(),
    }


def recounted(db: Database) -> list[tuple]:
    """The facet counts computed from scratch, as the migration first filled them."""
    db.execute("CREATE TEMP TABLE expected (facet TEXT, value TEXT, count INTEGER)")
    db.execute(BACKFILL_COUNTS.replace("INSERT INTO article_list_counts", "INSERT INTO expected"))
    return db.execute("SELECT * FROM expected ORDER BY 1, 2").fetchall()


def changed_tagger(tmp_path: Path) -> Tagger:
    """Another taxonomy (every theme score moves, Zenit counts as Russian) and a stricter
    relevance threshold, so themes, entities and relevance all change for some articles."""
    text = THEMES.read_text(encoding="utf-8")
    edited = text.replace("theme_saturation = 9.0", "theme_saturation = 6.0", 1)
    assert edited != text
    edited = edited.replace(
        "\n[[relevance.russia]]\nweight = 1.0\nmatch = [",
        '\n[[relevance.russia]]\nweight = 1.0\nmatch = ["Zenit", ',
        1,
    )
    path = tmp_path / "themes.toml"
    path.write_text(edited, encoding="utf-8")
    return Tagger(load_taxonomy(path), relevance_threshold=0.8)


@pytest.fixture(scope="module")
def shipped() -> Tagger:
    return Tagger(load_taxonomy(THEMES))


def test_retagging_with_the_same_taxonomy_writes_nothing(tmp_path: Path, shipped: Tagger):
    db = build(tmp_path / "p.db", shipped)
    before = stored(db)
    report = retag_articles(db, shipped)
    assert (report.articles, report.changed) == (len(ARTICLES), 0)
    assert stored(db) == before


def test_retagging_after_a_change_ends_as_tagging_afresh(tmp_path: Path, shipped: Tagger):
    db = build(tmp_path / "p.db", shipped)
    before = stored(db)
    tagger = changed_tagger(tmp_path)
    report = retag_articles(db, tagger, batch=4)  # two batches
    afresh = stored(build(tmp_path / "afresh.db", tagger))
    after = stored(db)
    assert after == afresh
    assert after["counts"] == recounted(db)
    assert after["themes"] != before["themes"] and after["articles"] != before["articles"]
    changed = sum(
        values(shipped, title, text) != values(tagger, title, text)
        or shipped.tag(text, title).relevance != tagger.tag(text, title).relevance
        for title, text in ARTICLES
    )
    assert report.changed == changed > 0


def test_retagging_repairs_rows_written_by_hand(tmp_path: Path, shipped: Tagger):
    db = build(tmp_path / "p.db", shipped)
    expected = stored(db)
    with db.atomic():
        db.execute("DELETE FROM article_themes WHERE article_id = 1")
        db.execute("UPDATE article_entities SET mentions = 99 WHERE article_id = 2")
        db.execute(
            "INSERT INTO article_themes VALUES (5, 'arctic', 0.9, '[]')"  # an extra row
        )
    report = retag_articles(db, shipped)
    assert report.changed == 3
    assert stored(db) == expected


def saturation_tagger(tmp_path: Path) -> Tagger:
    """Only the weights change: every theme score moves, no evidence does."""
    text = THEMES.read_text(encoding="utf-8")
    edited = text.replace("theme_saturation = 9.0", "theme_saturation = 7.0", 1)
    assert edited != text
    path = tmp_path / "saturation.toml"
    path.write_text(edited, encoding="utf-8")
    return Tagger(load_taxonomy(path))


def term_tagger(tmp_path: Path) -> Tagger:
    """A term added to a theme: that theme's evidence changes where the term is found."""
    text = THEMES.read_text(encoding="utf-8")
    group = 'match = [\n  "oil", "gas", "energy",'
    edited = text.replace(group, group.replace('"oil"', '"roubles", "сообщили", "oil"'), 1)
    assert edited != text
    path = tmp_path / "term.toml"
    path.write_text(edited, encoding="utf-8")
    return Tagger(load_taxonomy(path))


def digests(db: Database) -> list[tuple]:
    return db.execute("SELECT * FROM article_tag_digests ORDER BY article_id").fetchall()


@pytest.mark.parametrize("change", [changed_tagger, saturation_tagger, term_tagger])
def test_retagging_with_digests_stored_ends_as_tagging_afresh(
    tmp_path: Path, shipped: Tagger, change
):
    db = build(tmp_path / "p.db", shipped)
    assert digests(db) == []
    assert retag_articles(db, shipped).changed == 0
    assert [row[0] for row in digests(db)] == list(range(1, len(ARTICLES) + 1))
    before = stored(db)
    tagger = change(tmp_path)
    retag_articles(db, tagger, batch=4)
    after = stored(db)
    assert after == stored(build(tmp_path / "afresh.db", tagger))
    assert after["themes"] != before["themes"]
    assert after["counts"] == recounted(db)
    assert retag_articles(db, tagger).changed == 0
    assert len(digests(db)) == len(ARTICLES)


def test_themes_crossing_their_threshold_are_added_and_dropped_by_digest(
    tmp_path: Path, shipped: Tagger
):
    db = build(tmp_path / "p.db", shipped)
    retag_articles(db, shipped)
    before = stored(db)
    tagger = saturation_tagger(tmp_path)
    retag_articles(db, tagger)
    after = stored(db)
    assert after == stored(build(tmp_path / "afresh.db", tagger))
    added = {row[:2] for row in after["themes"]} - {row[:2] for row in before["themes"]}
    assert added  # rows were added, not only rescored
    retag_articles(db, shipped)
    assert stored(db) == before  # and dropped again


def test_retagging_repairs_rows_written_by_hand_after_digests(tmp_path: Path, shipped: Tagger):
    db = build(tmp_path / "p.db", shipped)
    retag_articles(db, shipped)
    expected = stored(db)
    with db.atomic():
        db.execute("UPDATE article_themes SET score = 0.1 WHERE article_id = 1")
        db.execute("UPDATE article_entities SET evidence = '[]' WHERE article_id = 2")
        db.execute("DELETE FROM article_entities WHERE article_id = 3")
        db.execute("INSERT INTO article_themes VALUES (5, 'arctic', 0.9, '[]')")
    # Each write dropped its article's digest, but the score's: scores are always compared.
    assert [row[0] for row in digests(db)] == [1, 4, 6]
    assert retag_articles(db, shipped).changed == 4
    assert stored(db) == expected


def test_retagging_follows_a_text_edited_by_hand(tmp_path: Path, shipped: Tagger):
    db = build(tmp_path / "p.db", shipped)
    retag_articles(db, shipped)
    title, text = ARTICLES[1]
    # The same words at the same offsets: only the evidence's quoted terms differ.
    edited = text.replace("Japan", "JAPAN")
    db.execute("UPDATE articles SET text = ? WHERE id = 2", [edited])
    assert retag_articles(db, shipped).changed == 1
    themes, entities = values(shipped, title, edited)
    rows = db.execute(
        "SELECT entity_id, mentions, evidence FROM article_entities WHERE article_id = 2"
    ).fetchall()
    assert {key: (mentions, evidence) for key, mentions, evidence in rows} == entities
    assert '"term": "JAPAN"' in entities["japan"][1]


def test_digests_follow_every_part_of_the_evidence():
    key = digest_key(Tagger(load_taxonomy(THEMES)))
    rows = [(3, [Evidence("Kurils", 10, 16), Evidence("Japan", 0, 5, True)]), (1, [])]
    base = digest(key, rows)
    assert digest(key, list(reversed(rows))) == base
    assert digest(key, [(3, [Evidence("x", 10, 16), Evidence("y", 0, 5, True)]), (1, [])]) == base
    others = [
        [(3, [Evidence("Kurils", 10, 17), Evidence("Japan", 0, 5, True)]), (1, [])],
        [(3, [Evidence("Kurils", 10, 16), Evidence("Japan", 0, 5, False)]), (1, [])],
        [(3, [Evidence("Japan", 0, 5, True), Evidence("Kurils", 10, 16)]), (1, [])],
        [(3, [Evidence("Kurils", 10, 16), Evidence("Japan", 0, 5, True)]), (2, [])],
        [(3, [Evidence("Kurils", 10, 16), Evidence("Japan", 0, 5, True)])],
        [(3, [Evidence("Kurils", 10, 16)]), (1, [Evidence("Japan", 0, 5, True)])],
    ]
    assert len({digest(key, other) for other in others} | {base}) == len(others) + 1
    assert digest(key + 1, rows) != base


TRICKY_TERMS = ['plain', 'quote "inside"', "back\\slash", "tab\tand\nnewline", "Курилы",
                "北方領土", "emoji 😀", "\u2028line", "control \x01"]  # fmt: skip


def test_evidence_json_is_the_json_of_the_evidence():
    rng = random.Random(3)
    for _ in range(300):
        evidence = [
            Evidence(rng.choice(TRICKY_TERMS), rng.randint(0, 9999), rng.randint(0, 9999),
                     rng.random() < 0.3)
            for _ in range(rng.randint(0, 6))
        ]  # fmt: skip
        expected = json.dumps([item.to_json() for item in evidence], ensure_ascii=False)
        assert evidence_json(evidence) == expected


def test_stored_evidence_marks_title_offsets(shipped: Tagger):
    title, text = ARTICLES[1]
    themes, entities = values(shipped, title, text)
    items = [item for _, evidence in [*themes.values(), *entities.values()]
             for item in json.loads(evidence)]  # fmt: skip
    in_title = [item for item in items if item.get("in") == "title"]
    assert {item["term"] for item in in_title} >= {"Tokyo", "Kurils"}
    for item in items:
        source = title if item in in_title else text
        assert source[item["start"] : item["end"]] == item["term"]


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.9])
def test_stored_rows_hold_what_the_tag_result_says(threshold: float):
    tagger = Tagger(load_taxonomy(THEMES), theme_threshold=threshold)

    def as_json(evidence: list[Evidence]) -> str:
        return json.dumps([item.to_json() for item in evidence], ensure_ascii=False)

    for title, text in [*ARTICLES, ("", ARTICLES[0][1]), (ARTICLES[2][0], "")]:
        result = tagger.tag(text, title)
        tags = tagger.scored(text, title)
        assert (tags.relevance, tags.relevant) == (result.relevance, result.relevant)
        assert tagger.theme_rows(tags) == {
            theme.id: (round(theme.score, 4), as_json(theme.evidence)) for theme in result.themes
        }
        assert tagger.entity_rows(tags) == {
            entity.id: (entity.mentions, as_json(entity.evidence)) for entity in result.entities
        }


def test_digests_are_the_same_in_every_process():
    # Stored digests are compared by later runs: string hashing, which Python seeds anew
    # in each process, must play no part in them.
    code = (
        "from pipelines.entities import Evidence; from pipelines.tag_digest import digest; "
        "print(digest(12345, [(3, [Evidence('Kurils', 10, 16), Evidence('Japan', 0, 5, True)])]))"
    )
    results = {
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "random")
    }
    rows = [(3, [Evidence("Kurils", 10, 16), Evidence("Japan", 0, 5, True)])]
    assert results == {f"{digest(12345, rows)}\n"}


def test_a_term_added_rewrites_only_the_evidence_of_its_theme(tmp_path: Path, shipped: Tagger):
    db = build(tmp_path / "p.db", shipped)
    retag_articles(db, shipped)
    db.execute("CREATE TABLE rewritten (theme_id TEXT)")
    db.execute(
        "CREATE TEMP TRIGGER log_rewrites AFTER UPDATE OF evidence ON article_themes "
        "BEGIN INSERT INTO rewritten VALUES (NEW.theme_id); END"
    )
    tagger = term_tagger(tmp_path)
    retag_articles(db, tagger)
    assert stored(db) == stored(build(tmp_path / "afresh.db", tagger))
    # The term belongs to the energy theme: no other theme's evidence JSON was written.
    assert {row[0] for row in db.execute("SELECT theme_id FROM rewritten")} == {"energy"}
