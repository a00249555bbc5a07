"""Where a hit sits relative to Russia: same sentence, same paragraph, or neither.

Commentary about Russia in Asia says so in the sentences that carry a theme ("half of
Russia's arms exports go to Asia"); a paragraph that never names Russia, Moscow, the Kremlin
or a Russian actor is usually context (what China and the Philippines do at sea, what Japan
buys from the US). Theme evidence is weighed by that distance, and a bilateral theme needs
its partner named in a paragraph that also names Russia.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at . ! ? or an ellipsis followed by a space, or at a line break; a line
# break also ends a paragraph (blank lines separate paragraphs, single breaks often do too).
_SENTENCE_END = re.compile(r"[.!?…][\"'»”’)]?\s|\n")
TITLE_UNIT = (-1, -1)


@dataclass(frozen=True)
class Units:
    """Sentence and paragraph ends of one text, to number the units that hold offsets."""

    sentence_ends: list[int]
    paragraph_ends: list[int]

    def keys(self, starts: list[int]) -> list[tuple[int, int]]:
        """(sentence, paragraph) numbers of ascending offsets, found in one walk."""
        keys, sentence, paragraph = [], 0, 0
        sentence_ends, paragraph_ends = self.sentence_ends, self.paragraph_ends
        last_sentence, last_paragraph = len(sentence_ends), len(paragraph_ends)
        for start in starts:
            while sentence < last_sentence and sentence_ends[sentence] <= start:
                sentence += 1
            while paragraph < last_paragraph and paragraph_ends[paragraph] <= start:
                paragraph += 1
            keys.append((sentence, paragraph))
        return keys


def text_units(text: str) -> Units:
    sentence_ends = [match.start() for match in _SENTENCE_END.finditer(text)]
    paragraph_ends = [end for end in sentence_ends if text[end] == "\n"]
    return Units(sentence_ends, paragraph_ends)
