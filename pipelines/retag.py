"""Re-tag stored articles from their stored text, writing only what changed.

After a taxonomy change most rows come out as they were: an entity's mentions do not move
when a theme gains a term, and most themes keep their scores. Each batch of articles reads
its stored tags in two range queries, tags the texts again, and writes only the rows that
differ: a changed row is updated in place, a row that vanished is deleted, a new one is
inserted. The triggers that keep the facet counts then fire only for rows that come or go.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlite_utils import Database

from pipelines.process import relevance_column
from pipelines.reprocess import Progress
from pipelines.tag import Tagger, TagValues


@dataclass
class RetagReport:
    articles: int = 0
    changed: int = 0  # articles with any row written


@dataclass(frozen=True)
class _TagTable:
    name: str
    key: str
    value: str

    def stored(self, db: Database, first: int, last: int) -> dict[int, TagValues]:
        rows: dict[int, TagValues] = defaultdict(dict)
        for article_id, key, value, evidence in db.execute(
            f"SELECT article_id, {self.key}, {self.value}, evidence FROM {self.name} "
            "WHERE article_id BETWEEN ? AND ?",
            [first, last],
        ):
            rows[article_id][key] = (value, evidence)
        return rows


THEMES = _TagTable("article_themes", "theme_id", "score")
ENTITIES = _TagTable("article_entities", "entity_id", "mentions")


class _Changes:
    """The writes one batch needs, run together at the end of the batch."""

    def __init__(self) -> None:
        self.relevance: list[tuple[float, int]] = []
        self.relevant: list[tuple[float, int, int]] = []
        self.rows: dict[_TagTable, tuple[list, list, list]] = {
            table: ([], [], []) for table in (THEMES, ENTITIES)
        }

    def diff(self, table: _TagTable, article_id: int, old: TagValues, new: TagValues) -> bool:
        """Queue the writes that turn `old` into `new`; whether there were any."""
        if old == new:
            return False
        deleted, updated, inserted = self.rows[table]
        for key in old.keys() - new.keys():
            deleted.append((article_id, key))
        for key, (value, evidence) in new.items():
            if key not in old:
                inserted.append((article_id, key, value, evidence))
            elif old[key] != (value, evidence):
                updated.append((value, evidence, article_id, key))
        return True

    def write(self, db: Database) -> None:
        execute = db.conn.executemany
        # Only a change of `relevant` fires the trigger that recounts an article's facets.
        execute("UPDATE articles SET relevance = ? WHERE id = ?", self.relevance)
        execute("UPDATE articles SET relevance = ?, relevant = ? WHERE id = ?", self.relevant)
        for table, (deleted, updated, inserted) in self.rows.items():
            key, value = table.key, table.value
            execute(f"DELETE FROM {table.name} WHERE article_id = ? AND {key} = ?", deleted)
            execute(
                f"UPDATE {table.name} SET {value} = ?, evidence = ? "
                f"WHERE article_id = ? AND {key} = ?",
                updated,
            )
            execute(
                f"INSERT INTO {table.name} (article_id, {key}, {value}, evidence) "
                "VALUES (?, ?, ?, ?)",
                inserted,
            )


def retag_articles(
    db: Database, tagger: Tagger, on_progress: Progress | None = None, batch: int = 500
) -> RetagReport:
    """Re-tag every stored article from its stored text, one transaction per batch."""
    report, last_id = RetagReport(), 0
    while True:
        with db.atomic():
            articles = db.execute(
                "SELECT id, title, text, relevance, relevant FROM articles "
                "WHERE id > ? ORDER BY id LIMIT ?",
                [last_id, batch],
            ).fetchall()
            if not articles:
                return report
            report.changed += _retag_batch(db, tagger, articles)
        report.articles += len(articles)
        last_id = articles[-1][0]
        if on_progress:
            on_progress(len(articles))


def _retag_batch(db: Database, tagger: Tagger, articles: list[tuple]) -> int:
    """Re-tag one batch of articles; returns how many of them changed."""
    first, last = articles[0][0], articles[-1][0]
    stored_themes = THEMES.stored(db, first, last)
    stored_entities = ENTITIES.stored(db, first, last)
    changes, changed_articles = _Changes(), 0
    for article_id, title, text, relevance, relevant in articles:
        new_relevance, new_relevant, themes, entities = tagger.stored_values(text or "", title)
        new_relevance, new_relevant = relevance_column(new_relevance), int(new_relevant)
        changed = new_relevance != relevance
        if new_relevant != relevant:
            changes.relevant.append((new_relevance, new_relevant, article_id))
        elif changed:
            changes.relevance.append((new_relevance, article_id))
        changed |= changes.diff(THEMES, article_id, stored_themes.get(article_id, {}), themes)
        changed |= changes.diff(ENTITIES, article_id, stored_entities.get(article_id, {}), entities)
        changed_articles += changed
    changes.write(db)
    return changed_articles
