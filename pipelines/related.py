"""Related articles: each relevant article's nearest others by TF-IDF cosine of its words.

Candidates come from the full-text index (the article's most distinctive terms, ranked
by bm25), and document frequencies from the same index, so one article costs a few
queries however large the archive. Only relevant primary articles take part: a copy's
relations are its primary's, and copies are listed as "also appeared in", not here.

Rows are stored in both directions, so `related` for an article is the union of its
own nearest neighbours and the articles that chose it. A pass scores only the articles
not yet scored (new ones, or those whose relevance or primary changed), recorded in
`related_scored` so that one with no neighbour close enough is not scored again on every
pass, and adds each to its neighbours' lists; `rebuild=True` scores every article afresh.
"""

from __future__ import annotations

import math
from collections import Counter

from sqlite_utils import Database

from pipelines.search_text import searchable
from pipelines.shingles import words

# Terms of an article sent to the full-text index to find candidates.
QUERY_TERMS = 25
CANDIDATES = 60
MIN_SCORE = 0.05
BATCH = 200

_STOP_WORDS = """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers him his how i if in into is
    it its itself just may me might more most must my no nor not now of off on once only
    or other our ours out over own same she should so some such than that the their theirs
    them then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours one two new
    said says year years also its last first like well even much many"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

Vector = dict[str, float]


def update_related(db: Database, k: int, *, rebuild: bool = False) -> int:
    """Store the top-`k` related articles of every relevant primary article lacking them.

    Returns the number of articles scored.
    """
    with db.atomic():
        if rebuild or k == 0:
            db.execute("DELETE FROM related")
            db.execute("DELETE FROM related_scored")
        _drop_stale(db)
    if k == 0:
        return 0
    scorer = TfidfScorer(db)
    pending = _articles_without_related(db)
    for start in range(0, len(pending), BATCH):
        with db.atomic():
            for article_id in pending[start : start + BATCH]:
                _store(db, article_id, scorer.nearest(article_id, k))
    return len(pending)


def _drop_stale(db: Database) -> None:
    """Forget rows that name an article no longer relevant or now a copy."""
    stale = "SELECT id FROM articles WHERE relevant = 0 OR duplicate_of IS NOT NULL"
    db.execute(f"DELETE FROM related WHERE article_id IN ({stale}) OR other_id IN ({stale})")
    db.execute(f"DELETE FROM related_scored WHERE article_id IN ({stale})")


def _articles_without_related(db: Database) -> list[int]:
    rows = db.execute(
        "SELECT id FROM articles WHERE relevant = 1 AND duplicate_of IS NULL "
        "AND id NOT IN (SELECT article_id FROM related_scored) ORDER BY id"
    ).fetchall()
    return [int(row[0]) for row in rows]


def _store(db: Database, article_id: int, neighbours: list[tuple[int, float]]) -> None:
    rows = [(article_id, other, score) for other, score in neighbours]
    rows += [(other, article_id, score) for other, score in neighbours]
    db.conn.executemany(
        "INSERT OR REPLACE INTO related (article_id, other_id, score) VALUES (?, ?, ?)", rows
    )
    db.execute("INSERT OR IGNORE INTO related_scored (article_id) VALUES (?)", [article_id])


class TfidfScorer:
    """TF-IDF vectors of stored articles, with document frequencies from `articles_fts`."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.documents = int(db.execute("SELECT count(*) FROM articles").fetchone()[0])
        self._df: dict[str, int] = {}
        self._vectors: dict[int, Vector] = {}
        db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.related_vocab "
            "USING fts5vocab(main, 'articles_fts', 'row')"
        )

    def nearest(self, article_id: int, k: int) -> list[tuple[int, float]]:
        """The `k` most similar relevant primary articles, best first, with their cosine."""
        vector = self.vector(article_id)
        scored = [
            (other, cosine(vector, self.vector(other)))
            for other in self._candidates(vector, article_id)
        ]
        scored = [(other, round(score, 4)) for other, score in scored if score >= MIN_SCORE]
        return sorted(scored, key=lambda pair: (-pair[1], pair[0]))[:k]

    def vector(self, article_id: int) -> Vector:
        if article_id not in self._vectors:
            row = self.db.execute(
                "SELECT coalesce(title, ''), text FROM articles WHERE id = ?", [article_id]
            ).fetchone()
            self._vectors[article_id] = self.weigh(f"{row[0]}\n{row[1] or ''}")
        return self._vectors[article_id]

    def weigh(self, text: str) -> Vector:
        """Sublinear term frequency times inverse document frequency, length-normalised."""
        counts = Counter(term for term in words(searchable(text)) if _is_term(term))
        weights = {t: (1 + math.log(n)) * self.idf(t) for t, n in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {term: weight / norm for term, weight in weights.items()}

    def idf(self, term: str) -> float:
        if term not in self._df:
            row = self.db.execute(
                "SELECT doc FROM temp.related_vocab WHERE term = ?", [term]
            ).fetchone()
            self._df[term] = int(row[0]) if row else 0
        return math.log((self.documents + 1) / (self._df[term] + 1)) + 1

    def _candidates(self, vector: Vector, article_id: int) -> list[int]:
        terms = sorted(vector, key=lambda term: -vector[term])[:QUERY_TERMS]
        if not terms:
            return []
        rows = self.db.execute(
            "SELECT a.id FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
            "WHERE articles_fts MATCH ? AND a.id != ? AND a.relevant = 1 "
            "AND a.duplicate_of IS NULL ORDER BY articles_fts.rank LIMIT ?",
            [" OR ".join(f'"{term}"' for term in terms), article_id, CANDIDATES],
        ).fetchall()
        return [int(row[0]) for row in rows]


def cosine(a: Vector, b: Vector) -> float:
    if len(b) < len(a):
        a, b = b, a
    return sum(weight * b.get(term, 0.0) for term, weight in a.items())


def _is_term(token: str) -> bool:
    return len(token) > 2 and not token.isdigit() and token not in STOP_WORDS
