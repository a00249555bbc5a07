"""Where a hit sits relative to Russia: same sentence, same paragraph, or neither.

Commentary about Russia in Asia says so in the sentences that carry a theme ("half of
Russia's arms exports go to Asia"); a paragraph that never names Russia, Moscow, the Kremlin
or a Russian actor is usually context (what China and the Philippines do at sea, what Japan
buys from the US). Theme evidence is weighed by that distance, and a bilateral theme needs
its partner named in a paragraph that also names Russia.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

# A sentence ends at . ! ? or an ellipsis followed by a space, or at a line break; a line
# break also ends a paragraph (blank lines separate paragraphs, single breaks often do too).
_SENTENCE_END = re.compile(r"[.!?…][\"'»”’)]*\s|\n")
_TITLE_UNIT = -1
SAME_SENTENCE, SAME_PARAGRAPH, ELSEWHERE = 2, 1, 0


@dataclass(frozen=True)
class Units:
    """Sentence and paragraph ends of one text, to name the unit that holds an offset."""

    sentence_ends: list[int]
    paragraph_ends: list[int]

    def sentence(self, start: int, in_title: bool) -> int:
        return _TITLE_UNIT if in_title else bisect_right(self.sentence_ends, start)

    def paragraph(self, start: int, in_title: bool) -> int:
        return _TITLE_UNIT if in_title else bisect_right(self.paragraph_ends, start)


def text_units(text: str) -> Units:
    sentence_ends, paragraph_ends = [], []
    for match in _SENTENCE_END.finditer(text):
        sentence_ends.append(match.start())
        if match.group() == "\n":
            paragraph_ends.append(match.start())
    return Units(sentence_ends, paragraph_ends)


@dataclass
class Anchors:
    """The sentences and paragraphs of one article in which Russia is named."""

    sentences: set[int]
    paragraphs: set[int]

    def distance(self, sentence: int, paragraph: int) -> int:
        if sentence in self.sentences:
            return SAME_SENTENCE
        return SAME_PARAGRAPH if paragraph in self.paragraphs else ELSEWHERE
