"""Text prepared for SQLite full-text search, so Japanese and Chinese words are found.

FTS5's unicode61 tokenizer splits on spaces and punctuation, which works for English and
Russian but turns a whole line of Japanese into one token. Runs of CJK characters are
therefore indexed as overlapping two-character tokens (the approach of Lucene's CJK
analyzer), and queries are rewritten the same way: a search for 会員限定 becomes the
phrase "会員 員限 限定", which matches wherever those four characters stand together.
"""

from __future__ import annotations

import re

CJK_RUN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\uff66-\uff9f]+"
)


def _bigrams(run: str) -> str:
    if len(run) == 1:
        return run
    return " ".join(run[i : i + 2] for i in range(len(run) - 1))


def searchable(text: str) -> str:
    """The text with every CJK run expanded into space-separated bigrams."""
    if not CJK_RUN.search(text):
        return text
    return CJK_RUN.sub(lambda match: f" {_bigrams(match.group(0))} ", text)


def fts_query(query: str) -> str:
    """A user's search words as an FTS5 query: each word a quoted phrase, all required."""
    terms = []
    for word in query.split():
        word = word.replace('"', "")
        if word:
            terms.append('"' + searchable(word).strip() + '"')
    return " ".join(terms)
