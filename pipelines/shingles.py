"""Word shingles of an article's text, hashed, and the similarity of two shingle sets.

Texts are compared as sets of overlapping word pairs. Pairs rather than longer runs,
because a copy with one word in twenty edited must still come out near 0.8 Jaccard:
each edited word changes every shingle it belongs to, so longer shingles punish
scattered edits too hard, while two different articles rarely share more than a
tenth of their word pairs.

A fixed fraction of the shingles, chosen by hash value, is the article's sample. The
choice depends only on the shingle, so a passage quoted in two texts yields the same
samples in both; that is what lets a short teaser find the full text containing it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

SHINGLE_WORDS = 2
SAMPLE_ONE_IN = 8
HASH_BITS = 63
DROP_BITS = 64 - HASH_BITS
WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """Lower-case words with accents folded, so re-typeset copies compare equal."""
    lowered = text.lower()
    if lowered.isascii():
        return WORD.findall(lowered)
    folded = unicodedata.normalize("NFKD", lowered)
    return WORD.findall("".join(c for c in folded if not unicodedata.combining(c)))


def shingle_hashes(text: str) -> set[int]:
    """The set of hashed word shingles of `text` (its single words if it is very short)."""
    tokens = words(text)
    if len(tokens) < SHINGLE_WORDS:
        return {_hash(" ".join(tokens))} if tokens else set()
    runs = zip(*(tokens[i:] for i in range(SHINGLE_WORDS)), strict=False)
    # `_hash` written out: a call per shingle is a fifth of the time of a check.
    blake2b, from_bytes = hashlib.blake2b, int.from_bytes
    return {
        from_bytes(blake2b(" ".join(run).encode(), digest_size=8).digest(), "big") >> DROP_BITS
        for run in runs
    }


def _hash(shingle: str) -> int:
    digest = hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> DROP_BITS


def sample(hashes: set[int]) -> list[int]:
    """The shingles kept in the index: those whose hash falls in one bucket of eight."""
    return sorted(h for h in hashes if h % SAMPLE_ONE_IN == 0)


def jaccard(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def containment(part: set[int], whole: set[int]) -> float:
    """The share of `part`'s shingles that also occur in `whole`."""
    if not part:
        return 0.0
    return len(part & whole) / len(part)
