"""Digests of an article's stored tag rows, so that re-tagging reads only rows that changed.

The theme digest covers the evidence of every theme the article has evidence for, above its
threshold or not, but no score; the entity digest covers which entities the article names
and the offsets of every mention. With the stored title and text, an unchanged theme
digest means every stored theme row keeps its evidence (only scores, and which themes pass
their threshold, may move), and an unchanged entity digest means every stored entity row is
current: the quoted terms of the evidence are the text at those offsets. Triggers drop an
article's digest whenever what it covers is written (migration 0010), so a digest present
is a digest of what is stored; scores are compared with the stored ones on every pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from hashlib import blake2b

from sqlite_utils import Database

from pipelines.entities import Evidence
from pipelines.tag import Tagger, Tags

# Part of every digest: a new value makes every stored digest differ. Raise it when the
# evidence JSON or the digests themselves are made differently.
DIGEST_FORMAT = 1


def digest_key(tagger: Tagger) -> int:
    """Keys the digests to the taxonomy's theme and entity ids, in order: the digests hold
    numbers, and the same numbers under other ids must not compare equal."""
    ids = [str(DIGEST_FORMAT)]
    ids += [theme.id for theme in tagger.taxonomy.themes] + [""]
    ids += [entity.id for entity in tagger.taxonomy.entities]
    return int.from_bytes(blake2b("\n".join(ids).encode("utf-8"), digest_size=8).digest())


def digest(key: int, rows: Iterable[tuple[int, list[Evidence]]]) -> int:
    """A 64-bit digest of tag rows by number, each with its evidence's offsets and whether
    each is in the title.

    Python's hash of a tuple of integers: unlike a string's, it is the same in every
    process, and it costs a tenth of a cryptographic digest of the same numbers (a build
    that hashes otherwise only makes every stored digest differ once, which is safe).
    """
    numbers = [key]
    for number, places in sorted(rows):
        numbers += (number, len(places))
        for place in places:
            numbers += place[1:]
    return hash(tuple(numbers))


def tag_digests(key: int, tags: Tags) -> tuple[int, int]:
    """The digests of an article's theme evidence and entity rows."""
    return digest(key, tags.evidence.items()), digest(key, tags.entities.items())


def store_digests(db: Database, rows: list[tuple[int, int, int]]) -> None:
    """Write (article id, theme digest, entity digest) rows, after the tag rows."""
    db.conn.executemany(
        "INSERT OR REPLACE INTO article_tag_digests (article_id, themes, entities) "
        "VALUES (?, ?, ?)",
        rows,
    )
