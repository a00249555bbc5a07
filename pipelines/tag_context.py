"""Where a hit sits relative to Russia: same sentence, same paragraph, or neither.

Commentary about Russia in Asia says so in the sentences that carry a theme ("half of
Russia's arms exports go to Asia"); a paragraph that never names Russia, Moscow, the Kremlin
or a Russian actor is usually context (what China and the Philippines do at sea, what Japan
buys from the US). Theme evidence is weighed by that distance, and a bilateral theme needs
its partner named in a paragraph that also names Russia.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# A sentence ends at . ! ? or an ellipsis followed by a space, or at a line break; a line
# break also ends a paragraph (blank lines separate paragraphs, single breaks often do too).
# `sentence_ends` finds what this finds, faster.
SENTENCE_END = re.compile(r"[.!?…][\"'»”’)]?\s|\n")
_SENTENCE_MARKS = ".!?…\n"
_CLOSERS = "\"'»”’)"


class Units(NamedTuple):
    """Where hits sit: the sentence number of each hit, and the paragraph number of each
    sentence. Two empty lists stand for "all in one sentence"."""

    sentence_of: list[int]
    paragraph_of: list[int]


def sentence_numbers(text: str, starts: list[int]) -> Units:
    """Sentence numbers of the ascending offsets `starts` in `text`, and paragraph numbers
    of those sentences.

    Numbers are only compared with each other, so only the stretch between the first and
    the last offset is scanned: every offset starts a word, and no sentence end contains a
    word character, so the ends found in that stretch are the ones a scan of the whole text
    would find there.
    """
    if not starts:
        return Units([], [])
    ends = sentence_ends(text, starts[0], starts[-1])
    ends.append(len(text))  # after every offset: ends the walk
    sentence_of: list[int] = []
    paragraph_of = [0]
    sentence = paragraph = 0
    next_end = ends[0]
    # One walk through both ascending lists.
    for start in starts:
        while start > next_end:
            if text[next_end] == "\n":
                paragraph += 1
            paragraph_of.append(paragraph)
            sentence += 1
            next_end = ends[sentence]
        sentence_of.append(sentence)
    return Units(sentence_of, paragraph_of)


def unit_keys(text: str, starts: list[int]) -> list[tuple[int, int]]:
    """(sentence, paragraph) numbers of the ascending offsets `starts` in `text`."""
    sentence_of, paragraph_of = sentence_numbers(text, starts)
    return [(sentence, paragraph_of[sentence]) for sentence in sentence_of]


def sentence_ends(text: str, start: int, stop: int) -> list[int]:
    """Where sentences end in text[start:stop], as `SENTENCE_END.finditer` finds them.

    A regex scan tests every character against the marks; `str.find` jumps from mark to
    mark at memchr speed, and the few places found are checked here by hand.
    """
    ends: list[int] = []
    matched_to = start
    for at in sorted(_mark_positions(text, start, stop)):
        if at < matched_to:
            continue  # the line break after a full stop belongs to the full stop
        if text[at] == "\n":
            end = at + 1
        elif at + 1 < stop and text[at + 1] == " ":
            end = at + 2  # the common case, decided without a call
        else:
            end = _after_punctuation(text, at + 1, stop)
        if end:
            ends.append(at)
            matched_to = end
    return ends


def _after_punctuation(text: str, at: int, stop: int) -> int:
    """End of `["'»”’)]?\\s` at `at`, or 0 when it does not match there."""
    if at >= stop:
        return 0
    if text[at] in _CLOSERS and at + 1 < stop and text[at + 1].isspace():
        return at + 2
    return at + 1 if text[at].isspace() else 0


def _mark_positions(text: str, start: int, stop: int) -> list[int]:
    positions = []
    for mark in _SENTENCE_MARKS:
        at = text.find(mark, start, stop)
        while at >= 0:
            positions.append(at)
            at = text.find(mark, at + 1, stop)
    return positions
