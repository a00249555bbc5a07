"""The RE2 term scanner finds exactly what the matcher's `re` regex finds."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pipelines.tag import load_taxonomy
from pipelines.tag_fold import fold_and_blank
from pipelines.tag_matcher import Hit, TermMatcher
from pipelines.tag_scan import ByteScanner, RegexScanner
from pipelines.tag_trie import TrieNode, split_term

THEMES = Path(__file__).resolve().parents[1] / "config" / "themes.toml"

# Stretches that meet the terms at their edges: other scripts, spaces that are not a plain
# space, word characters outside the code page, combining marks, digits, punctuation.
ODD_PIECES = [
    " ",
    " ",
    "-",
    "—",
    "\u2003",
    "\x85",
    "\x1c",
    "\n",
    "ô",
    "Ô",
    "Σ",
    "İ",
    "中国",
    "😀",
    "\u0301",
    "ё",
    "ab",
    "ов",
    "ами",
    "1",
    "_",
    "$",
    ".",
    "'s",
    "’",
]


@pytest.fixture(scope="module")
def matchers() -> tuple[TermMatcher, TermMatcher]:
    """The shipped taxonomy's matcher, on RE2 and on `re`."""
    index = load_taxonomy(THEMES).index
    shipped = index.matcher
    with_re = TermMatcher()
    for term, case_sensitive in shipped._terms:
        with_re.add(term, case_sensitive)  # the same numbers, added in the same order
    with_re.compile(use_re2=False)
    with_re.describe_with(index.merged_roles)
    assert isinstance(shipped._scanner, ByteScanner)
    assert isinstance(with_re._scanner, RegexScanner)
    return shipped, with_re


def random_texts(terms: list[str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    pieces = [term.replace("*", "") for term in terms] + ODD_PIECES
    texts = []
    for _ in range(count):
        parts = [rng.choice(pieces) + rng.choice(["", " ", ""]) for _ in range(rng.randint(1, 14))]
        text = "".join(parts)
        texts.append(text.upper() if rng.random() < 0.3 else text)
    return texts


def test_scanner_finds_what_the_regex_finds(matchers: tuple[TermMatcher, TermMatcher]):
    re2_matcher, re_matcher = matchers
    terms = [term for term, _ in re2_matcher.terms()]
    found = 0
    for text in random_texts(terms, 6000, seed=3):
        hits = re2_matcher.find(text)
        assert hits == re_matcher.find(text), text
        found += len(hits)
    assert found > 6000  # the texts are full of terms, so the comparison means something


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a term ending in a separator and an empty stem, at the very end of the text
        ("российско-", ["российско "]),
        # letters outside the scanner's code page, in the text and in a term
        ("TÔ LÂM met Putin", ["tô lâm", "putin"]),
        # a word character outside the code page extends a word: no "Russia" here
        ("Russia中国 and Japan", ["japan"]),
        # a space other than a plain one is no word start
        ("\u2003Russia", []),
        # digits alone are words too
        ("2+2", ["2 2"]),
        ("Japan", ["japan"]),
        ("", []),
    ],
)
def test_scanner_edges(matchers: tuple[TermMatcher, TermMatcher], text: str, expected: list[str]):
    re2_matcher, re_matcher = matchers
    hits = re2_matcher.find(text)
    assert hits == re_matcher.find(text)
    assert [fold_and_blank(text)[start:end] for _, start, end, _, _ in hits] == expected


def test_offsets_index_the_original_text(matchers: tuple[TermMatcher, TermMatcher]):
    text = "«Россия» и Китай: the Kuril Islands — ЕАЭС."
    hits: list[Hit] = matchers[0].find(text)
    assert [text[start:end] for _, start, end, _, _ in hits] == [
        "Россия",
        "Китай",
        "Kuril Islands",
        "ЕАЭС",
    ]


def test_too_many_letters_for_a_byte_fall_back_to_the_regex():
    root = TrieNode()
    letters = [chr(code) for code in range(0x4E00, 0x4E00 + 300)]  # 300 CJK characters
    for number, letter in enumerate(letters):
        root.insert(split_term(letter + "a"), number)
    assert ByteScanner.compile(root) is None
    matcher = TermMatcher()
    for letter in letters:
        matcher.add(letter + "a")
    matcher.compile()
    assert isinstance(matcher._scanner, RegexScanner)
    assert [key for _, _, _, key, _ in matcher.find("x 丁a y")] == ["丁a"]


def test_a_matcher_without_terms_finds_nothing():
    matcher = TermMatcher()
    matcher.compile()
    assert matcher.find("Russia and China") == []
