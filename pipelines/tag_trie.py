"""The term syntax of the taxonomy, and the trie that the term scanners are compiled from.

Term syntax (the taxonomy's vocabulary is written in it):

* words are matched whole and case-insensitively: ``Kuril Islands``;
* a space or a hyphen matches any run of spaces and hyphens: ``Asia-Pacific`` = ``Asia Pacific``;
* ``*`` at the end of a word matches any word ending, for stems and inflections: ``Курил*``;
* a term marked case-sensitive must also match the original letter case (``Xi``, ``US``, ``Abe``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from pipelines.tag_fold import blank_separators

SEPARATOR = "\0sep"
STEM = "\0stem"
_TERM_CHARS = re.compile(r"[\w .'\-*’+]+")


class TermSyntaxError(ValueError):
    """A term uses characters the matcher does not accept."""


def split_term(term: str) -> list[str]:
    """Turn a term into trie units: lowercase characters, separators and stems."""
    if not term.strip() or not _TERM_CHARS.fullmatch(term) or "**" in term:
        raise TermSyntaxError(f"unsupported term {term!r}")
    units: list[str] = []
    for char in blank_separators(term.lower()).strip():
        units.append(_unit_for(char, units))
    return [unit for unit in units if unit]


def unit_source(unit: str) -> str:
    """A unit as regex source for Python's `re`, on folded text (`pipelines.tag_fold`)."""
    if unit == SEPARATOR:
        return r"[\s\-]+"
    if unit == STEM:
        return r"\w*"
    return re.escape(unit)


def _unit_for(char: str, previous: list[str]) -> str:
    if char in " -":
        return "" if previous and previous[-1] == SEPARATOR else SEPARATOR
    if char == "*":
        return STEM
    return char


@dataclass
class TrieNode:
    children: dict[str, TrieNode] = field(default_factory=dict)
    term: int | None = None

    def insert(self, units: list[str], term: int) -> None:
        node = self
        for unit in units:
            node = node.children.setdefault(unit, TrieNode())
        if node.term is None:
            node.term = term

    def ordered(self) -> list[tuple[str, TrieNode]]:
        """The children to try in turn: literal characters first, then separators, stems
        last (they would swallow the rest). A regex tries them before the end of a term
        at this node, so the longest term wins at a given start."""
        rank = {SEPARATOR: 1, STEM: 2}
        return sorted(self.children.items(), key=lambda item: (rank.get(item[0], 0), item[0]))

    def regex(self, unit_source: Callable[[str], str], end: str) -> str:
        """The trie below this node as regex source: each unit written by `unit_source`,
        each term's end as `end`, after the branches that go on (the longest term wins)."""
        branches = [
            unit_source(unit) + child.regex(unit_source, end) for unit, child in self.ordered()
        ]
        if self.term is not None:
            branches.append(end)
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    def literals(self) -> set[str]:
        """Every character the terms below this node spell out."""
        found: set[str] = set()
        for unit, child in self.children.items():
            if unit not in (SEPARATOR, STEM):
                found.add(unit)
            found |= child.literals()
        return found
