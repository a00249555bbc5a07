"""One-pass term matcher: every term of a taxonomy compiled into a single trie-shaped regex.

Term syntax (the taxonomy's vocabulary is written in it):

* words are matched whole and case-insensitively: ``Kuril Islands``;
* a space or a hyphen matches any run of spaces and hyphens: ``Asia-Pacific`` = ``Asia Pacific``;
* ``*`` at the end of a word matches any word ending, for stems and inflections: ``Курил*``;
* a term marked case-sensitive must also match the original letter case (``Xi``, ``US``, ``Abe``).

Scanning the lowercased text with one regex whose alternatives share prefixes keeps the cost
per article close to one pass over the characters, whatever the size of the vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from pipelines.tag_fold import (
    CYRILLIC,
    blank_separators,
    fold_and_blank,
    has_cyrillic,
    has_latin,
)

_SEPARATOR = "\0sep"
_STEM = "\0stem"
_END = "\0end"
_TERM_CHARS = re.compile(r"[\w .'\-*’+]+")


class TermSyntaxError(ValueError):
    """A term uses characters the matcher does not accept."""


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


def split_term(term: str) -> list[str]:
    """Turn a term into trie units: lowercase characters, separators and stems."""
    if not term.strip() or not _TERM_CHARS.fullmatch(term) or "**" in term:
        raise TermSyntaxError(f"unsupported term {term!r}")
    units: list[str] = []
    for char in blank_separators(term.lower()).strip():
        units.append(_unit_for(char, units))
    return [unit for unit in units if unit]


def _unit_for(char: str, previous: list[str]) -> str:
    if char in " -":
        return "" if previous and previous[-1] == _SEPARATOR else _SEPARATOR
    if char == "*":
        return _STEM
    return char


def term_regex(term: str) -> str:
    """The regex source of a single term (used to check letter case after a match)."""
    return "".join(_unit_source(unit) for unit in split_term(term))


def _unit_source(unit: str) -> str:
    if unit == _SEPARATOR:
        return r"[\s\-]+"
    if unit == _STEM:
        return r"\w*"
    return re.escape(unit)


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    term: int | None = None


def _insert(root: _Node, units: list[str], term: int) -> None:
    node = root
    for unit in units:
        node = node.children.setdefault(unit, _Node())
    if node.term is None:
        node.term = term


def _emit(node: _Node) -> str:
    """Children before the end of a term, so the longest term wins at a given start."""
    branches = [_unit_source(unit) + _emit(child) for unit, child in _ordered(node.children)]
    if node.term is not None:
        branches.append(r"(?!\w)")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


def _ordered(children: dict[str, _Node]) -> list[tuple[str, _Node]]:
    """Literal characters first, then separators, stems last (they would swallow the rest)."""
    rank = {_SEPARATOR: 1, _STEM: 2}
    return sorted(children.items(), key=lambda item: (rank.get(item[0], 0), item[0]))


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

    The big regex only finds spans (a leading non-word character anchors each one at a
    word start and lets the regex engine skip through words quickly); which terms a span
    is made of is then looked up, and remembered, since the same spans recur in every text.
    """

    _CACHE_LIMIT = 100_000

    def __init__(self) -> None:
        self._terms: dict[tuple[str, bool], _Term] = {}
        self._root = _Node()
        self._cyrillic: re.Pattern[str] | None = None
        self._latin: re.Pattern[str] | None = None
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
            _insert(self._root, units, number)
        return self._terms[key].number

    def terms(self) -> list[tuple[str, int]]:
        """Every registered term (as written) with its number."""
        return [(term, entry.number) for (term, _), entry in self._terms.items()]

    def compile(self) -> None:
        """One regex for terms that start with a Cyrillic letter, one for the rest: an
        English text then never pays for the Russian vocabulary, nor the reverse."""
        cyrillic = {unit for unit in self._root.children if CYRILLIC.match(unit)}
        self._cyrillic = self._regex_for(cyrillic)
        self._latin = self._regex_for(set(self._root.children) - cyrillic)
        self._spans.clear()

    def _regex_for(self, initials: set[str]) -> re.Pattern[str] | None:
        root = _Node({unit: self._root.children[unit] for unit in initials})
        return re.compile(" " + _emit(root)) if initials else None

    def find(self, text: str) -> list[Hit]:
        blanked = " " + fold_and_blank(text)
        cyrillic, latin = self._cyrillic, self._latin
        cyrillic_hits = (
            self._hits(cyrillic, blanked, text) if cyrillic and has_cyrillic(blanked) else []
        )
        latin_hits = self._hits(latin, blanked, text) if latin and has_latin(blanked) else []
        if not cyrillic_hits:
            return latin_hits
        if latin_hits:
            return sorted(cyrillic_hits + latin_hits, key=lambda hit: hit.start)
        return cyrillic_hits

    def _hits(self, regex: re.Pattern[str], blanked: str, text: str) -> list[Hit]:
        hits = []
        spans, remember, with_case = self._spans, self._remember, self._with_case
        for match in regex.finditer(blanked):
            start, end = match.span()
            span = blanked[start + 1 : end]
            folded, cased = spans.get(span) or remember(span)
            if cased:
                folded = with_case(folded, cased, text, start, end - 1)
            if folded:
                hits.append(_new_hit(Hit, (folded, start, end - 1, span)))
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
