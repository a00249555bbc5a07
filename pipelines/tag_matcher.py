"""One-pass term matcher: every term of a taxonomy compiled into a single trie-shaped regex.

The term syntax is described in `pipelines.tag_trie`. Scanning the lowercased text with one
regex whose alternatives share prefixes keeps the cost per article close to one pass over
the characters, whatever the size of the vocabulary. The scan runs on RE2 where it can
(`pipelines.tag_scan`), else on Python's `re`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from pipelines.tag_fold import blank_separators, fold_page, from_page, page_text, to_page
from pipelines.tag_scan import ByteScanner, RegexScanner
from pipelines.tag_trie import TermSyntaxError, TrieNode, split_term, unit_source

__all__ = ["Hit", "TermMatcher", "TermSyntaxError", "split_term", "term_regex"]


# A word's key: its folded form (see `pipelines.tag_fold`) in bytes of the code page, or as
# a string when it holds characters outside the page.
SpanKey = bytes | str


# A span of the text and every registered term that matches it exactly:
# (terms, start, end, key, payload).
#
# `key` is the same for a word however it is capitalised or hyphenated ("Asia-Pacific",
# "asia pacific"): its `SpanKey`, or a tuple of them for words joined into one hit. The
# payload is what the matcher's `describe` makes of the terms, worked out once per span. A
# plain tuple, not a named one: one is made for every match, and a named tuple costs a
# call to make.
Hit = tuple[tuple[int, ...], int, int, Hashable, Any]


def term_regex(term: str) -> str:
    """The regex source of a single term (used to check letter case after a match)."""
    return "".join(map(unit_source, split_term(term)))


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
        self._scanner: ByteScanner | RegexScanner | None = None
        # folded span -> its terms that ignore letter case, and those that do not
        self._spans: dict[SpanKey, tuple[tuple[int, ...], tuple[_Term, ...]]] = {}
        # span as written -> all its terms, its folded key and their payload
        self._as_written: dict[bytes, tuple[tuple[int, ...], SpanKey, Any]] = {}
        self._describe: Callable[[tuple[int, ...]], Any] = _no_payload
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

    def describe_with(self, describe: Callable[[tuple[int, ...]], Any]) -> None:
        """Give every hit `describe(terms)` as its payload: what its terms mean to the
        caller, worked out once for each span rather than for each hit."""
        self._describe = describe
        self._as_written.clear()

    def terms(self) -> list[tuple[str, int]]:
        """Every registered term (as written) with its number."""
        return [(term, entry.number) for (term, _), entry in self._terms.items()]

    def compile(self, use_re2: bool = True) -> None:
        """Compile the RE2 scanner, or, without RE2 (or with `use_re2` false), the regex."""
        self._spans.clear()
        self._as_written.clear()
        self._scanner = None
        if self._root.children:
            scanner = ByteScanner.compile(self._root) if use_re2 else None
            self._scanner = scanner or RegexScanner.compile(self._root)

    def find(self, text: str) -> list[Hit]:
        """Every term in `text`, left to right; a match at a word start takes the longest
        term there, and the next match starts after it."""
        scanner = self._scanner
        if scanner is None:
            return []
        written, outside = to_page(text)
        folded = from_page(text, written, outside) if outside or scanner.needs_text else ""
        scanned: Any = scanner.prepare(folded, written, outside)  # bytes, or str for `re`
        outside_folded = folded if outside else ""
        hits: list[Hit] = []
        as_written, learn = self._as_written, self._learn
        match, anchor, size, at = scanner.match, scanner.anchor, len(scanned), 0
        # One loop from match to hit, with no list of spans between: it runs for every term
        # of every text.
        while True:
            start, end = match(anchor, scanned, at, size)[0]
            if start < 0:
                return hits
            # A match runs from the space before its term (a text begins with one) to the
            # character after it, which the next term may start with. The space makes
            # `start` the term's offset in `text`.
            at = end - 1
            end -= 2
            span = written[start:end]
            if outside_folded and 0 in span:
                terms, key, payload = self._outside_page(outside_folded, text, start, end)
            else:
                terms, key, payload = as_written.get(span) or learn(span)
            if terms:
                hits.append((terms, start, end, key, payload))

    def _learn(self, span: bytes) -> tuple[tuple[int, ...], SpanKey, Any]:
        """The terms, key and payload of a span as written in the code page, remembered."""
        if len(self._as_written) > self._CACHE_LIMIT:
            self._as_written.clear()
        key = fold_page(span)
        terms, cased = self._spans.get(key) or self._remember(key)
        if cased:
            terms = self._with_case(terms, cased, page_text(span), 0, len(span))
        payload = self._describe(terms) if terms else None
        self._as_written[span] = entry = (terms, key, payload)
        return entry

    def _outside_page(
        self, folded: str, text: str, start: int, end: int
    ) -> tuple[tuple[int, ...], SpanKey, Any]:
        """The terms, key and payload of a span with characters outside the code page: its
        bytes stand for more than one span, so it is keyed by its folded string."""
        key = folded[start:end]
        terms, cased = self._spans.get(key) or self._remember(key)
        if cased:
            terms = self._with_case(terms, cased, text, start, end)
        return terms, key, self._describe(terms) if terms else None

    @staticmethod
    def _with_case(
        folded: tuple[int, ...], cased: tuple[_Term, ...], text: str, start: int, end: int
    ) -> tuple[int, ...]:
        original = blank_separators(text[start:end])
        return folded + tuple(term.number for term in cased if term.matches(original, True))

    def _remember(self, key: SpanKey) -> tuple[tuple[int, ...], tuple[_Term, ...]]:
        if len(self._spans) > self._CACHE_LIMIT:
            self._spans.clear()
        span = key if isinstance(key, str) else page_text(key)
        candidates = self._by_initial.get(span[:1], [])
        matching = [term for term in candidates if term.matches(span, False)]
        entry = (
            tuple(term.number for term in matching if not term.case_sensitive),
            tuple(term for term in matching if term.case_sensitive),
        )
        self._spans[key] = entry
        return entry


def _no_payload(terms: tuple[int, ...]) -> None:
    return None


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
