"""Duplicates: copies of one piece form a group, and every copy points at its primary.

A copy is the same normalised text (equal `content_hash`) or a near-duplicate: word
shingle sets with Jaccard similarity at or above the threshold, or, when one text is
much shorter (a teaser), the shorter one contained in the longer one at that level.

Candidates come from an inverted index of sampled shingle hashes kept in SQLite
(`dedupe_samples`), so a restart needs no rebuild and memory stays flat; every
candidate is then verified on its exact shingle set before anything is linked. A
sample found in more than `COMMON_SAMPLE` articles is boilerplate: it moves to
`dedupe_common` and its posting list is dropped, so a check reads one short list per
sample in a single query whatever the size of the archive.

The primary of a group is the full text rather than a teaser, the original rather
than a copy declaring a canonical URL on another site, then the earliest published,
then the lowest id. Groups are flat: `duplicate_of` always names the primary itself.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlite_utils import Database

from pipelines.shingles import containment, jaccard, sample, shingle_hashes

# A text with at most this share of the other's shingles is judged by containment.
SHORT_SIDE = 0.6
# Share of the smaller sample two texts must have in common to be verified at all.
CANDIDATE_SHARE = 0.3
# A sampled shingle found in more articles than this is boilerplate, not evidence.
COMMON_SAMPLE = 100
# Only the articles sharing the most samples are considered, which bounds the cost.
MOST_CANDIDATES = 50


@dataclass(frozen=True)
class Member:
    """What the choice of a primary needs to know about one article of a group."""

    article_id: int
    teaser: bool
    shingles: int
    published: str | None
    url: str
    canonical_url: str | None

    def rank(self, largest: int) -> tuple[bool, bool, bool, str, int]:
        short = self.teaser or self.shingles <= SHORT_SIDE * largest
        return (short, self.syndicated, self.published is None, self.published or "", self.id)

    @property
    def id(self) -> int:
        return self.article_id

    @property
    def syndicated(self) -> bool:
        """The page names a page on another site as the canonical one."""
        if not self.canonical_url:
            return False
        return urlsplit(self.canonical_url).hostname != urlsplit(self.url).hostname


class Deduplicator:
    """Finds and records the copies of an article among those already stored."""

    def __init__(self, db: Database, near_duplicate_threshold: float = 0.8) -> None:
        self.db = db
        self.threshold = near_duplicate_threshold

    def find_primary(self, article_id: int, text: str, content_hash: str | None) -> int | None:
        """The primary of the group the stored article would join, unless it is itself."""
        if not text.strip():
            return None
        group = self._group(article_id, shingle_hashes(text), content_hash)
        primary = self._choose_primary(group)
        return None if primary == article_id else primary

    def link(
        self,
        article_id: int,
        text: str,
        content_hash: str | None,
        hashes: set[int] | None = None,
    ) -> int | None:
        """Index the stored article, join it to its group, point the group at its primary.

        `hashes` are the text's shingle hashes when the caller has them already. Returns
        the article's own `duplicate_of`.
        """
        if hashes is None:
            hashes = shingle_hashes(text) if text.strip() else set()
        self.index(article_id, hashes)
        if not hashes:
            self._unlink(article_id)
            return None
        group = self._group(article_id, hashes, content_hash)
        primary = self._choose_primary(group)
        self._point_at(primary, group)
        return None if primary == article_id else primary

    def find_matches(
        self, hashes: set[int], content_hash: str | None, exclude: int = 0
    ) -> set[int]:
        """Ids of stored articles that are copies of a text with these shingles."""
        same = self._same_hash(content_hash, exclude)
        return same | self._near_matches(hashes, exclude)

    def index(self, article_id: int, hashes: set[int]) -> None:
        """Replace the article's sampled shingles in the persisted index."""
        self.index_many([(article_id, hashes)])

    def index_many(self, articles: Iterable[tuple[int, set[int]]]) -> None:
        """Replace the sampled shingles of many articles: one article, or a bulk load.

        Rows go in sorted by hash, so a bulk load writes each index page once per call
        rather than once per article.
        """
        sketches: list[tuple[int, int, bytes]] = []
        postings: list[tuple[int, int, int]] = []
        for article_id, hashes in dict(articles).items():
            self.forget(article_id)
            samples = sample(hashes)
            sketches.append((article_id, len(hashes), pack(samples)))
            postings.extend((h, article_id, len(samples)) for h in samples)
        touched = {posting[0] for posting in postings}
        common = self._known_common(touched)
        self.db.conn.executemany(
            "INSERT INTO dedupe_sketches (article_id, shingles, samples) VALUES (?, ?, ?)",
            sketches,
        )
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO dedupe_samples (hash, article_id, sample_count) "
            "VALUES (?, ?, ?)",
            sorted(p for p in postings if p[0] not in common),
        )
        self._retire_common(touched - common)

    def _known_common(self, hashes: Collection[int]) -> set[int]:
        rows = self.db.execute(
            "SELECT hash FROM dedupe_common WHERE hash IN (SELECT value FROM json_each(?))",
            [json.dumps(list(hashes))],
        )
        return {row[0] for row in rows}

    def _retire_common(self, hashes: set[int]) -> None:
        """Move samples now found in too many articles out of the posting lists.

        A check then never reads a long list only to discard it, and a sample once
        judged boilerplate stays so even if some of its articles are later removed.
        """
        common = self.db.execute(
            "SELECT hash FROM dedupe_samples WHERE hash IN (SELECT value FROM json_each(?)) "
            "GROUP BY hash HAVING count(*) > ?",
            [json.dumps(sorted(hashes)), COMMON_SAMPLE],
        ).fetchall()
        self.db.conn.executemany("INSERT INTO dedupe_common (hash) VALUES (?)", common)
        self.db.conn.executemany("DELETE FROM dedupe_samples WHERE hash = ?", common)

    def forget(self, article_id: int) -> None:
        found = self.db.execute(
            "SELECT samples FROM dedupe_sketches WHERE article_id = ?", [article_id]
        ).fetchone()
        if found is None:
            return
        self.db.conn.executemany(
            "DELETE FROM dedupe_samples WHERE hash = ? AND article_id = ?",
            [(h, article_id) for h in unpack(found[0])],
        )
        self.db.execute("DELETE FROM dedupe_sketches WHERE article_id = ?", [article_id])

    def _same_hash(self, content_hash: str | None, exclude: int) -> set[int]:
        if content_hash is None:
            return set()
        rows = self.db.execute(
            "SELECT id FROM articles WHERE content_hash = ? AND id != ?", [content_hash, exclude]
        ).fetchall()
        return {int(row[0]) for row in rows}

    def _near_matches(self, hashes: set[int], exclude: int) -> set[int]:
        candidates = self._candidates(sample(hashes), exclude)
        return {other for other in candidates if self._verified(hashes, other)}

    def _candidates(self, samples: list[int], exclude: int) -> list[int]:
        """Articles sharing enough of these samples, most shared first, at most a few.

        SQLite counts and filters while reading the postings, which carry each article's
        sample count, so a check returns a handful of rows and reads no other table.
        Boilerplate samples can never be shared, so the share is of the others: a teaser
        made mostly of common phrases must still find its full text.
        """
        rows = self.db.execute(
            "WITH query (hash) AS (SELECT value FROM json_each(:samples)), "
            "informative (n) AS (SELECT :total - count(*) FROM dedupe_common "
            "WHERE hash IN query) "
            "SELECT article_id FROM dedupe_samples WHERE hash IN query "
            "AND article_id != :exclude GROUP BY article_id "
            "HAVING count(*) >= :share * min((SELECT n FROM informative), max(sample_count)) "
            "ORDER BY count(*) DESC, article_id LIMIT :most",
            {
                "samples": json.dumps(samples),
                "total": len(samples),
                "exclude": exclude,
                "share": CANDIDATE_SHARE,
                "most": MOST_CANDIDATES,
            },
        )
        return [row[0] for row in rows]

    def _verified(self, hashes: set[int], other: int) -> bool:
        row = self.db.execute("SELECT text FROM articles WHERE id = ?", [other]).fetchone()
        return row is not None and self.similar(hashes, shingle_hashes(row[0] or ""))

    def similar(self, a: set[int], b: set[int]) -> bool:
        """Whether two shingle sets are one piece: by Jaccard, or containment if lopsided."""
        if jaccard(a, b) >= self.threshold:
            return True
        shorter, longer = sorted((a, b), key=len)
        lopsided = len(shorter) <= SHORT_SIDE * len(longer)
        return lopsided and containment(shorter, longer) >= self.threshold

    def _group(self, article_id: int, hashes: set[int], content_hash: str | None) -> set[int]:
        """The article, its copies, and every article already grouped with those copies."""
        group = {article_id} | self.find_matches(hashes, content_hash, article_id)
        primaries = set(group) | self._primaries_of(group)
        return group | primaries | self._members_of(primaries)

    def _primaries_of(self, ids: set[int]) -> set[int]:
        rows = self.db.execute(
            f"SELECT duplicate_of FROM articles WHERE duplicate_of IS NOT NULL "
            f"AND id IN ({_marks(ids)})",
            list(ids),
        ).fetchall()
        return {int(row[0]) for row in rows}

    def _members_of(self, primaries: set[int]) -> set[int]:
        rows = self.db.execute(
            f"SELECT id FROM articles WHERE duplicate_of IN ({_marks(primaries)})",
            list(primaries),
        ).fetchall()
        return {int(row[0]) for row in rows}

    def _choose_primary(self, group: set[int]) -> int:
        members = self._members(group)
        largest = max((m.shingles for m in members), default=0)
        return min(members, key=lambda m: m.rank(largest)).id

    def _members(self, group: set[int]) -> list[Member]:
        rows = self.db.execute(
            "SELECT a.id, a.teaser, coalesce(s.shingles, 0), a.published, a.url, "
            "a.canonical_url FROM articles a "
            "LEFT JOIN dedupe_sketches s ON s.article_id = a.id "
            f"WHERE a.id IN ({_marks(group)})",
            list(group),
        ).fetchall()
        return [Member(int(r[0]), bool(r[1]), int(r[2]), r[3], r[4], r[5]) for r in rows]

    def _point_at(self, primary: int, group: set[int]) -> None:
        self.db.execute(
            "UPDATE articles SET duplicate_of = CASE WHEN id = ? THEN NULL ELSE ? END "
            f"WHERE id IN ({_marks(group)})",
            [primary, primary, *group],
        )

    def _unlink(self, article_id: int) -> None:
        self.db.execute("UPDATE articles SET duplicate_of = NULL WHERE id = ?", [article_id])


def pack(samples: list[int]) -> bytes:
    return struct.pack(f">{len(samples)}q", *samples)


def unpack(blob: bytes) -> list[int]:
    return list(struct.unpack(f">{len(blob) // 8}q", blob))


def _marks(ids: Collection[int]) -> str:
    return ", ".join("?" * len(ids))
