"""Digests of an article's stored tag rows, so that re-tagging reads only rows that changed.

The theme digests are one per theme the article has evidence for, above its threshold or
not: of that evidence, without the score. The entity digest covers which entities the
article names and the offsets of every mention. With the stored title and text, an
unchanged theme digest means that theme's stored row keeps its evidence (only its score,
and whether it passes its threshold, may move), and an unchanged entity digest means every
stored entity row is current: the quoted terms of the evidence are the text at those
offsets. Triggers drop an article's digests whenever what they cover is written (migration
0010), so digests present are digests of what is stored; scores are compared with the
stored ones on every pass.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from hashlib import blake2b
from operator import itemgetter

from sqlite_utils import Database

from pipelines.entities import Place
from pipelines.tag import Tagger, Tags

# Part of every digest: a new value makes every stored digest differ. Raise it when the
# evidence JSON or the digests themselves are made differently.
DIGEST_FORMAT = 2
# The stored theme digests: (theme number, digest) pairs, packed.
_THEME_DIGEST = struct.Struct("<Hq")
_OFFSETS = itemgetter(1, 2, 3)  # of a Place: start, end, in_title


def digest_key(tagger: Tagger) -> int:
    """Keys the digests to the taxonomy's theme and entity ids, in order: the digests hold
    numbers, and the same numbers under other ids must not compare equal."""
    ids = [str(DIGEST_FORMAT)]
    ids += [theme.id for theme in tagger.taxonomy.themes] + [""]
    ids += [entity.id for entity in tagger.taxonomy.entities]
    return int.from_bytes(blake2b("\n".join(ids).encode("utf-8"), digest_size=8).digest())


def digest(key: int, rows: Iterable[tuple[int, list[Place]]]) -> int:
    """A 64-bit digest of tag rows by number, each with its evidence's offsets and whether
    each is in the title."""
    return hash(tuple(row_digest(key, number, places) for number, places in sorted(rows)))


def row_digest(key: int, number: int, places: list[Place]) -> int:
    """A 64-bit digest of one tag row: its number, and each place's offsets and whether it
    is in the title.

    Python's hash of a tuple of integers: unlike a string's, it is the same in every
    process, and it costs a tenth of a cryptographic digest of the same numbers (a build
    that hashes otherwise only makes every stored digest differ once, which is safe).
    """
    return hash((key, number, tuple(map(_OFFSETS, places))))


def tag_digests(key: int, tags: Tags) -> tuple[bytes, int]:
    """The digests of an article's theme evidence, one per theme, packed; and the digest of
    its entity rows."""
    pack = _THEME_DIGEST.pack
    themes = b"".join(
        pack(number, row_digest(key, number, places))
        for number, places in sorted(tags.evidence.items())
    )
    return themes, digest(key, tags.entities.items())


def theme_digests(packed: bytes) -> dict[int, int]:
    """The packed theme digests of `tag_digests`, by theme number."""
    return dict(_THEME_DIGEST.iter_unpack(packed))


def store_digests(db: Database, rows: list[tuple[int, bytes, int]]) -> None:
    """Write (article id, theme digests, entity digest) rows, after the tag rows."""
    db.conn.executemany(
        "INSERT OR REPLACE INTO article_tag_digests (article_id, themes, entities) "
        "VALUES (?, ?, ?)",
        rows,
    )
