"""One-pass term matcher: every term of a taxonomy compiled into a single trie-shaped regex.

The term syntax is described in `pipelines.tag_trie`. Scanning the lowercased text with one
regex whose alternatives share prefixes keeps the cost per article close to one pass over
the characters, whatever the size of the vocabulary. The scan runs on RE2 where it can
(`pipelines.tag_scan`), else on Python's `re`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from pipelines.tag_fold import blank_separators, fold_to_page
from pipelines.tag_scan import ByteScanner
from pipelines.tag_trie import SEPARATOR, STEM, TermSyntaxError, TrieNode, split_term

__all__ = ["Hit", "TermMatcher", "TermSyntaxError", "split_term", "term_regex"]


class Hit(NamedTuple):
    """A span of the text and every registered term that matches it exactly.

    `key` is the span lowercased, its separators blanked: one key for a word however it
    is capitalised or hyphenated ("Asia-Pacific", "asia pacific").
    """

    terms: tuple[int, ...]
    start: int
    end: int
    key: str


# Makes a Hit without the Python-level __new__ of a NamedTuple: one is made per match.
_new_hit = tuple.__new__


def term_regex(term: str) -> str:
    """The regex source of a single term (used to check letter case after a match)."""
    return "".join(_unit_source(unit) for unit in split_term(term))


def _unit_source(unit: str) -> str:
    if unit == SEPARATOR:
        return r"[\s\-]+"
    if unit == STEM:
        return r"\w*"
    return re.escape(unit)


@dataclass
class _Term:
    """A registered term; its own regexes are compiled only when a span needs checking."""

    number: int
    source: str
    case_sensitive: bool
    _patterns: dict[bool, re.Pattern[str]] = field(default_factory=dict)

    def matches(self, span: str, keep_case: bool) -> bool:
        if keep_case not in self._patterns:
            blanked = blank_separators(self.source)
            source = _case_source(blanked) if keep_case else term_regex(self.source)
            self._patterns[keep_case] = re.compile(source)
        return self._patterns[keep_case].fullmatch(span) is not None


class TermMatcher:
    """Finds every registered term in a text; terms are registered once, then compiled.

    The big regex only finds spans (a leading space anchors each one at a word start and
    lets the regex engine skip through words quickly); which terms a span is made of is
    then looked up, and remembered, since the same spans recur in every text.
    """

    _CACHE_LIMIT = 100_000

    def __init__(self) -> None:
        self._terms: dict[tuple[str, bool], _Term] = {}
        self._root = TrieNode()
        self._scanner: ByteScanner | None = None
        self._regex: re.Pattern[str] | None = None
        self._spans: dict[str, tuple[tuple[int, ...], tuple[_Term, ...]]] = {}
        self._by_initial: dict[str, list[_Term]] = {}

    def add(self, term: str, case_sensitive: bool = False) -> int:
        """Register a term and return its number; the same term twice gives the same number."""
        key = (term.strip(), case_sensitive)
        if key not in self._terms:
            number = len(self._terms)
            units = split_term(term)
            self._terms[key] = _Term(number, term.strip(), case_sensitive)
            self._by_initial.setdefault(units[0], []).append(self._terms[key])
            self._root.insert(units, number)
        return self._terms[key].number

    def terms(self) -> list[tuple[str, int]]:
        """Every registered term (as written) with its number."""
        return [(term, entry.number) for (term, _), entry in self._terms.items()]

    def compile(self, use_re2: bool = True) -> None:
        """Compile the RE2 scanner, or, without RE2 (or with `use_re2` false), the regex."""
        self._spans.clear()
        self._scanner = ByteScanner.compile(self._root) if use_re2 else None
        self._regex = None
        if self._scanner is None and self._root.children:
            self._regex = re.compile(" " + self._root.regex(_unit_source, r"(?!\w)"))

    def find(self, text: str) -> list[Hit]:
        folded, page_bytes, outside = fold_to_page(text)
        if self._scanner is not None:
            found = self._scanner.spans(folded, page_bytes, outside)
        elif self._regex is not None:
            # A match starts at the space before its term.
            spans = map(re.Match.span, self._regex.finditer(" " + folded))
            found = [(start, end - 1) for start, end in spans]
        else:
            return []
        return self._hits(found, folded, text)

    def _hits(self, found: list[tuple[int, int]], folded: str, text: str) -> list[Hit]:
        hits = []
        spans, remember, with_case = self._spans, self._remember, self._with_case
        for start, end in found:
            span = folded[start:end]
            terms, cased = spans.get(span) or remember(span)
            if cased:
                terms = with_case(terms, cased, text, start, end)
            if terms:
                hits.append(_new_hit(Hit, (terms, start, end, span)))
        return hits

    @staticmethod
    def _with_case(
        folded: tuple[int, ...], cased: tuple[_Term, ...], text: str, start: int, end: int
    ) -> tuple[int, ...]:
        original = blank_separators(text[start:end])
        return folded + tuple(term.number for term in cased if term.matches(original, True))

    def _remember(self, span: str) -> tuple[tuple[int, ...], tuple[_Term, ...]]:
        if len(self._spans) > self._CACHE_LIMIT:
            self._spans.clear()
        candidates = self._by_initial.get(span[:1], [])
        matching = [term for term in candidates if term.matches(span, False)]
        entry = (
            tuple(term.number for term in matching if not term.case_sensitive),
            tuple(term for term in matching if term.case_sensitive),
        )
        self._spans[span] = entry
        return entry


def _case_source(term: str) -> str:
    """Like term_regex, but keeping the original letter case."""
    pieces = re.split(r"([\s\-]+|\*)", term.strip())
    return "".join(_case_piece(piece) for piece in pieces if piece)


def _case_piece(piece: str) -> str:
    if piece == "*":
        return r"\w*"
    if not piece.strip(" -"):
        return r"[\s\-]+"
    return re.escape(piece)
