"""Re-tag stored articles from their stored text, writing only what changed.

After a taxonomy change most rows come out as they were: an entity's mentions do not move
when a theme gains a term, and a change of weights moves theme scores but not their
evidence. Each article's stored tags carry digests (`article_tag_digests`): one of the
evidence of each theme it has evidence for, and one of its entity rows (see
`pipelines.tag_digest`). Re-tagging works out the digests of the new tags and

* builds the evidence JSON only of the themes whose digest changed, and writes their rows;
  for the other themes it compares the stored scores alone, updates those that moved, and
  adds or drops the themes that crossed their threshold;
* skips the entity rows when their digest is unchanged, without building their evidence
  JSON or reading them;
* compares the rows in full where digests are missing, and writes only the rows that
  differ: a changed row is updated in place, a row that vanished is deleted, a new one is
  inserted. The triggers that keep the facet counts then fire only for rows that come or
  go.

The crawler stores the digests with the rows it writes (see `pipelines.tag_digest`), and
triggers drop an article's digests whenever anything else writes its tag rows, title or
text, so rows written by other means (a hand edit, an older version) are compared in full.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlite_utils import Database

from pipelines.entities import evidence_json
from pipelines.process import relevance_column
from pipelines.reprocess import Progress
from pipelines.tag import Tagger, Tags, TagValues
from pipelines.tag_digest import digest_key, store_digests, tag_digests, theme_digests

_IN_LIST_MAX = 500  # ids per IN (...) list, well under SQLite's limit on parameters


@dataclass
class RetagReport:
    articles: int = 0
    changed: int = 0  # articles with any row written


@dataclass(frozen=True)
class _TagTable:
    name: str
    key: str
    value: str

    def stored(self, db: Database, article_ids: list[int]) -> dict[int, TagValues]:
        """The stored rows of these articles, by article and id."""
        rows: dict[int, TagValues] = defaultdict(dict)
        for start in range(0, len(article_ids), _IN_LIST_MAX):
            chunk = article_ids[start : start + _IN_LIST_MAX]
            for article_id, key, value, evidence in db.execute(
                f"SELECT article_id, {self.key}, {self.value}, evidence FROM {self.name} "
                f"WHERE article_id IN ({', '.join('?' * len(chunk))})",
                chunk,
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
        self.scores: list[tuple[float, int, str]] = []
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
        execute(
            "UPDATE article_themes SET score = ? WHERE article_id = ? AND theme_id = ?",
            self.scores,
        )
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
    report, last_id, key = RetagReport(), 0, digest_key(tagger)
    while True:
        with db.atomic():
            articles = db.execute(
                "SELECT id, title, text, relevance, relevant FROM articles "
                "WHERE id > ? ORDER BY id LIMIT ?",
                [last_id, batch],
            ).fetchall()
            if not articles:
                return report
            report.changed += _Batch(db, tagger, key, articles).retag()
        report.articles += len(articles)
        last_id = articles[-1][0]
        if on_progress:
            on_progress(len(articles))


class _Batch:
    """One batch of articles re-tagged: compared with what is stored, then written."""

    def __init__(self, db: Database, tagger: Tagger, key: int, articles: list[tuple]) -> None:
        self.db, self.tagger, self.key, self.articles = db, tagger, key, articles
        self.changes = _Changes()
        self.changed: set[int] = set()  # articles with anything written
        self.rewritten: set[int] = set()  # articles with rows written beyond theme scores
        # articles whose rows of a table are compared in full, with their new rows
        self.full: dict[_TagTable, dict[int, TagValues]] = {THEMES: {}, ENTITIES: {}}

    def retag(self) -> int:
        """Re-tag the batch; returns how many of its articles changed."""
        span = [self.articles[0][0], self.articles[-1][0]]
        stored_digests = {
            article_id: (themes, entities)
            for article_id, themes, entities in self.db.execute(
                "SELECT article_id, themes, entities FROM article_tag_digests "
                "WHERE article_id BETWEEN ? AND ?",
                span,
            )
        }
        scores: dict[int, dict[str, float]] = defaultdict(dict)
        for article_id, theme_id, score in self.db.execute(
            "SELECT article_id, theme_id, score FROM article_themes "
            "WHERE article_id BETWEEN ? AND ?",
            span,
        ):
            scores[article_id][theme_id] = score
        digests = []
        for article_id, title, text, relevance, relevant in self.articles:
            tags = self.tagger.scored(text or "", title)
            self._relevance(article_id, tags, relevance, relevant)
            new = tag_digests(self.key, tags)
            old = stored_digests.get(article_id)
            if old:
                stored_scores = scores.get(article_id, {})
                changed: set[int] = set()
                if old[0] != new[0]:
                    before, after = theme_digests(old[0]), theme_digests(new[0])
                    changed = {number for number in after if before.get(number) != after[number]}
                self._themes(article_id, tags, stored_scores, changed)
            else:
                self.full[THEMES][article_id] = self.tagger.theme_rows(tags)
            if not old or old[1] != new[1]:
                self.full[ENTITIES][article_id] = self.tagger.entity_rows(tags)
            digests.append((article_id, *new, old))
        for table, rows in self.full.items():
            stored = table.stored(self.db, list(rows))
            for article_id, new_rows in rows.items():
                if self.changes.diff(table, article_id, stored.get(article_id, {}), new_rows):
                    self.rewritten.add(article_id)
        self.changed |= self.rewritten
        self.changes.write(self.db)
        # The triggers dropped the digests of articles whose rows were just rewritten.
        store_digests(
            self.db,
            [
                (article_id, themes, entities)
                for article_id, themes, entities, old in digests
                if article_id in self.rewritten or old != (themes, entities)
            ],
        )
        return len(self.changed)

    def _relevance(self, article_id: int, tags: Tags, relevance: float, relevant: int) -> None:
        new_relevance, new_relevant = relevance_column(tags.relevance), int(tags.relevant)
        if new_relevant != relevant:
            self.changes.relevant.append((new_relevance, new_relevant, article_id))
        elif new_relevance != relevance:
            self.changes.relevance.append((new_relevance, article_id))
        else:
            return
        self.changed.add(article_id)

    def _themes(
        self, article_id: int, tags: Tags, stored: dict[str, float], changed: set[int]
    ) -> None:
        """Bring the stored theme rows up to date from their scores and digests: the
        evidence of every theme but those in `changed` is as stored. Update the scores that
        moved and the rows whose evidence changed, and add or drop the themes that crossed
        their threshold."""
        themes = self.tagger.taxonomy.themes
        deleted, updated, inserted = self.changes.rows[THEMES]
        passing = {themes[number].id: number for number in tags.themes}
        for theme_id in stored.keys() - passing.keys():
            deleted.append((article_id, theme_id))
            self.rewritten.add(article_id)
        for theme_id, number in passing.items():
            score, evidence = tags.themes[number]
            score = round(score, 4)
            if theme_id not in stored:
                inserted.append((article_id, theme_id, score, evidence_json(evidence)))
                self.rewritten.add(article_id)
            elif number in changed:
                updated.append((score, evidence_json(evidence), article_id, theme_id))
                self.rewritten.add(article_id)
            elif stored[theme_id] != score:
                self.changes.scores.append((score, article_id, theme_id))
                self.changed.add(article_id)
