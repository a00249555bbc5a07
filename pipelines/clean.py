"""Cleaning rules (pipelines/cleaning_rules.toml) applied to extracted paragraphs.

Everything a site can add to an article's text that is not the article: share and
related blocks, newsletter and cookie notices, photo credits, citation lines, template
leaks, paywall prompts and teaser endings. Rules are data; this module only applies them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RULES_PATH = Path(__file__).with_name("cleaning_rules.toml")
# Boilerplate paragraphs are short; long ones are never tested against the patterns.
LONGEST_BOILERPLATE = 400
SHORT_BOILERPLATE = 160
MOST_SENTENCES = 3
TRAILING_NOISE = " \t:|-–—•·»›>"


@dataclass(frozen=True)
class CleaningRules:
    """The compiled content of a cleaning rules file."""

    drop_exact: frozenset[str]
    drop_pattern: re.Pattern[str]
    drop_pattern_long: re.Pattern[str]
    cased_pattern: re.Pattern[str]
    found_patterns: tuple[re.Pattern[str], ...]
    inline_pattern: re.Pattern[str]
    generic_cuts: tuple[str, ...]
    paywall_markers: tuple[str, ...]
    subscription_notice: tuple[str, ...]
    teaser_patterns: tuple[re.Pattern[str], ...]
    teaser_words: tuple[str, ...]


def any_of(patterns: list[str], flags: int = 0) -> re.Pattern[str]:
    """One pattern matching any of `patterns` (never matches if empty).

    Paragraphs are lower-cased before matching instead of using IGNORECASE: the
    regular expression engine is several times faster on plain literals.
    """
    body = "|".join(f"(?:{pattern})" for pattern in patterns) or r"(?!)"
    return re.compile(body, re.DOTALL | flags)


def compile_rules(data: dict[str, Any]) -> CleaningRules:
    """Turn the parsed TOML into compiled rules."""
    paragraphs, paywall = data["paragraphs"], data["paywall"]
    return CleaningRules(
        drop_exact=frozenset(phrase.lower() for phrase in paragraphs["drop_exact"]),
        drop_pattern=any_of(paragraphs["drop_patterns"] + paragraphs["drop_patterns_long"]),
        drop_pattern_long=any_of(paragraphs["drop_patterns_long"]),
        cased_pattern=any_of(paragraphs["drop_patterns_cased"]),
        found_patterns=tuple(re.compile(p, re.DOTALL) for p in paragraphs["drop_if_found"]),
        inline_pattern=any_of(paragraphs["strip_inline"]),
        generic_cuts=tuple(data["cut"]["generic"]),
        paywall_markers=tuple(paywall["generic"]),
        subscription_notice=tuple(word.lower() for word in paywall["subscription_notice"]),
        teaser_patterns=tuple(
            re.compile(pattern, re.IGNORECASE) for pattern in data["teaser"]["patterns"]
        ),
        teaser_words=tuple(word.lower() for word in data["teaser"]["words"]),
    )


def load_cleaning_rules(path: Path = RULES_PATH) -> CleaningRules:
    """Read and compile a cleaning rules file."""
    with path.open("rb") as handle:
        return compile_rules(tomllib.load(handle))


DEFAULT_RULES = load_cleaning_rules()


def is_boilerplate(paragraph: str, rules: CleaningRules = DEFAULT_RULES) -> bool:
    """Whether a whole paragraph is a known piece of page furniture."""
    if len(paragraph) > LONGEST_BOILERPLATE or paragraph.count(". ") > MOST_SENTENCES:
        return False
    stripped = paragraph.strip(TRAILING_NOISE)
    lowered = stripped.lower()
    if not lowered or lowered in rules.drop_exact:
        return True
    short = len(stripped) <= SHORT_BOILERPLATE
    patterns = rules.drop_pattern if short else rules.drop_pattern_long
    if patterns.fullmatch(lowered) or (short and rules.cased_pattern.fullmatch(stripped)):
        return True
    return any(pattern.search(lowered) for pattern in rules.found_patterns)


def strip_inline_junk(paragraph: str, rules: CleaningRules = DEFAULT_RULES) -> str:
    """Remove template leaks and similar fragments from inside a paragraph."""
    if "{" not in paragraph:
        return paragraph
    return " ".join(rules.inline_pattern.sub(" ", paragraph).split())


def clean_paragraphs(paragraphs: list[str], rules: CleaningRules = DEFAULT_RULES) -> list[str]:
    """Drop boilerplate paragraphs and inline junk; keep the order of the rest."""
    cleaned = (strip_inline_junk(paragraph, rules) for paragraph in paragraphs)
    return [paragraph for paragraph in cleaned if not is_boilerplate(paragraph, rules)]


def find_first_phrase(
    paragraphs: list[str], phrases: tuple[str, ...], start: int = 0
) -> tuple[int, int, str]:
    """(paragraph index, offset, phrase) of the earliest phrase found, or (-1, -1, "")."""
    lowered = [phrase.lower() for phrase in phrases if phrase.strip()]
    for index in range(start, len(paragraphs)):
        paragraph = paragraphs[index]
        text = paragraph.lower()
        hits = [(text.find(phrase), phrase) for phrase in lowered if phrase in text]
        if hits:
            offset, phrase = min(hits)
            original = phrases[[p.lower() for p in phrases].index(phrase)]
            return index, offset, original
    return -1, -1, ""


def is_masthead_line(paragraphs: list[str], index: int) -> bool:
    """A short line above most of the text: a site header repeating a footer phrase
    ("Published daily by the Lowy Institute"), not the end of the article."""
    before = sum(len(p) for p in paragraphs[:index])
    after = sum(len(p) for p in paragraphs[index + 1 :])
    return len(paragraphs[index]) < MASTHEAD_LINE and before < MASTHEAD_SHARE * (before + after)


def cut_at_phrases(paragraphs: list[str], phrases: tuple[str, ...]) -> tuple[list[str], str]:
    """Cut the text at the first of `phrases`; returns the kept paragraphs and the phrase.

    A hit in a short line near the top is masthead furniture: that line goes, and the
    search goes on below it.
    """
    start = 0
    while True:
        index, offset, phrase = find_first_phrase(paragraphs, phrases, start)
        if index < 0:
            return paragraphs, ""
        if not is_masthead_line(paragraphs, index):
            break
        paragraphs = paragraphs[:index] + paragraphs[index + 1 :]
        start = index
    kept = paragraphs[:index]
    head = paragraphs[index][:offset].strip()
    return (kept + [head] if head else kept), phrase


SHORT_LINE = 300
MASTHEAD_LINE = 120
MASTHEAD_SHARE = 0.1
QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})


def line_key(line: str) -> str:
    """A line as compared for repeats: case, curly quotes and outer spaces ignored."""
    return line.translate(QUOTES).strip().lower()


def drop_repeated_lines(paragraphs: list[str], title: str | None) -> list[str]:
    """Drop repeats of the headline and of any short line already seen."""
    seen = {line_key(title)} if title else set()
    kept = []
    for paragraph in paragraphs:
        if len(paragraph) >= SHORT_LINE:
            kept.append(paragraph)
            continue
        key = line_key(paragraph)
        if key not in seen:
            seen.add(key)
            kept.append(paragraph)
    return kept
