"""Digests of an article's stored tag rows, so that re-tagging reads only rows that changed.

A theme row's digest covers which themes an article has and the offsets of their evidence,
not their scores; an entity row's covers which entities and the offsets of every mention.
With the stored title and text, that decides every stored column but a theme's score:
the quoted terms of the evidence are the text at those offsets. Triggers drop an article's
digest whenever its tag rows, title or text are written (migration 0010), so a digest
present is a digest of what is stored.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from hashlib import blake2b

from sqlite_utils import Database

from pipelines.entities import Evidence
from pipelines.tag import Tagger, Tags

# Part of every digest: a new value makes every stored digest differ. Raise it when the
# evidence JSON or the digests themselves are made differently.
DIGEST_FORMAT = 1


def digest_key(tagger: Tagger) -> bytes:
    """Keys the digests to the taxonomy's theme and entity ids, in order: the digests hold
    numbers, and the same numbers under other ids must not compare equal."""
    ids = [str(DIGEST_FORMAT)]
    ids += [theme.id for theme in tagger.taxonomy.themes] + [""]
    ids += [entity.id for entity in tagger.taxonomy.entities]
    return blake2b("\n".join(ids).encode("utf-8"), digest_size=32).digest()


def digest(key: bytes, rows: Iterable[tuple[int, list[Evidence]]]) -> int:
    """A signed 64-bit digest of tag rows by number, each with its evidence's offsets and
    whether each is in the title."""
    numbers: list[int] = []
    for number, places in sorted(rows):
        numbers += (number, len(places))
        for place in places:
            numbers += place[1:]
    data = array("q", numbers).tobytes()
    return int.from_bytes(blake2b(data, digest_size=8, key=key).digest(), "big", signed=True)


def tag_digests(key: bytes, tags: Tags) -> tuple[int, int]:
    """The digests of an article's theme rows and entity rows."""
    themes = [(number, evidence) for number, (_, evidence) in tags.themes.items()]
    return digest(key, themes), digest(key, tags.entities.items())


def store_digests(db: Database, rows: list[tuple[int, int, int]]) -> None:
    """Write (article id, theme digest, entity digest) rows, after the tag rows."""
    db.conn.executemany(
        "INSERT OR REPLACE INTO article_tag_digests (article_id, themes, entities) "
        "VALUES (?, ?, ?)",
        rows,
    )
